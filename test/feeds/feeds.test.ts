import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Writable } from 'node:stream';
import { addDays, localDateOf } from '../../src/domain/index.js';
import { createLogger } from '../../src/runtime/logger.js';
import { feedIcs, startFeedServer, type FeedServer } from '../adapters/ical-feed-server.js';
import { ADMIN, ADMIN_TOKEN, call, startTestHub, type TestHub } from '../helpers/hub.js';
import { inCi } from '../helpers/requires-binary.js';

/**
 * Feeds out (issue 17), end to end on real Redis and real HTTP: a villa whose house, pool of rooms
 * and hall are also sold by an OTA (a read-only site polling the OTA's own iCal export, sharing each
 * resource with the villa). The hub serves each resource's busy blocks to the OTA as a feed that
 * leaves the OTA's own bookings out; a second hub imports the feed with its ical-feed adapter, and
 * Debian's python3-icalendar reads it independently.
 */

const TZ = 'Europe/Berlin';
const WIDGET = { 'x-api-key': 'feed-test-widget-key' };
const TOKENS = {
  FEED_HOUSE: 'house-feed-token-0123456789abcdef',
  FEED_HOUSE_ALL: 'house-all-feed-token-0123456789abc',
  FEED_ROOMS: 'rooms-feed-token-0123456789abcdef',
  FEED_ROOMS_TWO: 'rooms-two-feed-token-0123456789ab',
  FEED_HALL: 'hall-feed-token-0123456789abcdefg',
};
// A name that must be escaped (";" and ",") and folded, with characters of 2, 3 and 4 octets.
const VILLA_NAME = 'Villa Sonnenschein, Haus Müller; Südflügel — Garmisch-Partenkirchen 🏔';
const GUEST = { name: 'Ada Lovelace', email: 'ada@example.com', phone: '+49 30 1234567' };

const PYTHON = '/usr/bin/python3';
const pythonReady = existsSync(PYTHON) && spawnSync(PYTHON, ['-c', 'import icalendar'], { encoding: 'utf8' }).status === 0;

const today = localDateOf(Date.now(), TZ);
const D = (n: number) => addDays(today, 20 + n);
const compact = (date: string) => date.replace(/-/g, '');
const iso = (ms: number) => new Date(ms).toISOString().replace(/\.000Z$/, 'Z');
const utc = (date: string, hour: number, minute = 0) => Date.parse(`${date}T${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}:00Z`);

/** The OTA's own export of one listing: all-day stays as OTAs write them, with the guest's name. */
function otaNights(stays: Array<{ uid: string; checkIn: string; checkOut: string }>): string {
  const lines = ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//ota.example//hosting calendar//EN'];
  for (const s of stays) {
    lines.push('BEGIN:VEVENT', `UID:${s.uid}`, 'DTSTAMP:20270101T000000Z', `DTSTART;VALUE=DATE:${compact(s.checkIn)}`,
      `DTEND;VALUE=DATE:${compact(s.checkOut)}`, 'SUMMARY:Reserved - John Smith', 'END:VEVENT');
  }
  return [...lines, 'END:VCALENDAR', ''].join('\r\n');
}

interface FeedEvent { uid: string; start: string; end: string; summary: string; props: string[] }

/** The VEVENTs of a feed, read by unfolding lines (the python test below reads them independently). */
function events(ics: string): FeedEvent[] {
  const lines = ics.replace(/\r\n[ \t]/g, '').split('\r\n');
  const out: FeedEvent[] = [];
  let cur: Record<string, string> | undefined;
  let props: string[] = [];
  for (const line of lines) {
    if (line === 'BEGIN:VEVENT') { cur = {}; props = []; continue; }
    if (line === 'END:VEVENT' && cur) {
      out.push({ uid: cur.UID!, start: cur.DTSTART!, end: cur.DTEND!, summary: cur.SUMMARY!, props });
      cur = undefined;
      continue;
    }
    if (!cur) continue;
    const colon = line.indexOf(':');
    const name = line.slice(0, colon).split(';')[0]!;
    props.push(name);
    cur[name] = line.slice(colon + 1);
  }
  return out;
}

const spans = (ics: string) => events(ics).map((e) => [e.start, e.end]);
const feedPath = (resource: string, token: string) => `/v1/feeds/villa/${resource}.ics?token=${token}`;

/** Every line the hub logs, at the most verbose level: no token may be among them. */
const logged: string[] = [];
const logger = createLogger('trace', false, new Writable({ write(chunk: Buffer, _enc, done) { logged.push(chunk.toString('utf8')); done(); } }));

let ota: FeedServer;
let hub: TestHub;
let importer: TestHub | undefined;
let resvHouse = '';
let holdHouse = '';

async function book(resource: string, span: Record<string, unknown>, quantity = 1): Promise<{ holdId: string; reservationId: string }> {
  const hold = await call(hub.base, 'POST', '/v1/holds', { headers: WIDGET, body: { site: 'villa', resource, quantity, ...span, customer: GUEST } });
  expect(hold.status, JSON.stringify(hold.body)).toBe(201);
  const confirmed = await call(hub.base, 'POST', `/v1/holds/${hold.body.id}/confirm`, { headers: WIDGET });
  expect(confirmed.status).toBe(202);
  return { holdId: hold.body.id, reservationId: confirmed.body.reservationId };
}

const get = (path: string, headers: Record<string, string> = {}) => call(hub.base, 'GET', path, { headers });

describe('feeds out: GET /v1/feeds/{site}/{resource}.ics', () => {
  beforeAll(async () => {
    ota = await startFeedServer();
    ota.setFeed('/ota/house.ics', otaNights([{ uid: 'HMOTA1@ota.example', checkIn: D(5), checkOut: D(7) }]));
    ota.setFeed('/ota/rooms.ics', otaNights([{ uid: 'HMOTA2@ota.example', checkIn: D(2), checkOut: D(3) }]));
    ota.setFeed('/ota/hall.ics', feedIcs([{ uid: 'HMOTA3@ota.example', start: utc(D(0), 14), end: utc(D(0), 15), extra: ['SUMMARY:John Smith'] }]));
    hub = await startTestHub({
      env: TOKENS,
      logger,
      yaml: `
auth:
  adminToken: ${ADMIN_TOKEN}
  widgetKeys: [ { key: ${WIDGET['x-api-key']}, origins: ["*"], sites: [villa], maxOpenHolds: 50, rateLimit: { max: 10000 } } ]
groups: { rooms: { workflow: hybrid } }
sites:
  - id: villa
    name: "${VILLA_NAME}"
    timezone: ${TZ}
    adapter: { kind: none }
    resources:
      - { id: house, kind: unit, group: rooms, bookedBy: night }
      - { id: rooms, kind: pool, capacity: 2, group: rooms, bookedBy: night }
      - { id: hall, kind: unit, group: rooms, rules: { bufferAfter: 30m } }
      - { id: flat, kind: unit, group: rooms, bookedBy: night }
  - id: ota
    timezone: ${TZ}
    pollEvery: 1h
    adapter: { kind: ical-feed }
    resources:
      - { id: house, kind: unit, group: rooms, bookedBy: night, source: { url: "${ota.url('/ota/house.ics')}" } }
      - { id: rooms, kind: pool, capacity: 2, group: rooms, bookedBy: night, source: { url: "${ota.url('/ota/rooms.ics')}" } }
      - { id: hall, kind: unit, group: rooms, source: { url: "${ota.url('/ota/hall.ics')}" } }
shared:
  - { id: house, members: [ { site: villa, resource: house }, { site: ota, resource: house } ] }
  - { id: rooms, members: [ { site: villa, resource: rooms }, { site: ota, resource: rooms } ] }
  - { id: hall, members: [ { site: villa, resource: hall }, { site: ota, resource: hall } ] }
feeds:
  - { site: villa, resource: house, token: "\${FEED_HOUSE}", exclude: [ota] }
  - { site: villa, resource: house, token: "\${FEED_HOUSE_ALL}" }
  - { site: villa, resource: rooms, token: "\${FEED_ROOMS}", exclude: [ota] }
  - { site: villa, resource: rooms, token: "\${FEED_ROOMS_TWO}", exclude: [ota], units: 2 }
  - { site: villa, resource: hall, token: "\${FEED_HALL}", exclude: [ota] }
`,
    });
    const polled = await call(hub.base, 'POST', '/v1/sites/ota/sync?wait=true', { headers: ADMIN });
    expect(polled.body.status).toBe('completed');
    ({ holdId: holdHouse, reservationId: resvHouse } = await book('house', { checkIn: D(0), checkOut: D(2) }));
    await book('rooms', { checkIn: D(0), checkOut: D(1) });
    await book('rooms', { checkIn: D(1), checkOut: D(2) }, 2);
    await book('rooms', { checkIn: D(2), checkOut: D(3) });
    await book('hall', { start: iso(utc(D(0), 9)), end: iso(utc(D(0), 11)) });
  }, 60_000);

  afterAll(async () => {
    await importer?.stop();
    await hub?.stop();
    await ota?.close();
  });

  it('lists the hub\'s bookings and every other source, and leaves out the importer\'s own', async () => {
    const house = await get(feedPath('house', TOKENS.FEED_HOUSE));
    expect(house.status).toBe(200);
    expect(house.headers.get('content-type')).toBe('text/calendar; charset=utf-8');
    expect(house.headers.get('cache-control')).toBe('private, no-cache');
    expect(spans(house.body)).toEqual([[compact(D(0)), compact(D(2))]]);
    // The same resource without exclusions: the OTA's stay is busy too.
    expect(spans((await get(feedPath('house', TOKENS.FEED_HOUSE_ALL))).body)).toEqual([[compact(D(0)), compact(D(2))], [compact(D(5)), compact(D(7))]]);
    // A pool of 2: busy for a one-room listing where nothing is left without the OTA's own booking
    // (D1: 2 hub rooms); D0 and D2 (1 hub room, and the OTA's own) leave one room to sell.
    expect(spans((await get(feedPath('rooms', TOKENS.FEED_ROOMS))).body)).toEqual([[compact(D(1)), compact(D(2))]]);
    // A listing that sells both rooms closes wherever fewer than two are left.
    expect(spans((await get(feedPath('rooms', TOKENS.FEED_ROOMS_TWO))).body)).toEqual([[compact(D(0)), compact(D(3))]]);
    // By time: UTC date-times, the hall's 30-minute buffer included, the OTA's own event left out.
    expect(spans((await get(feedPath('hall', TOKENS.FEED_HALL))).body)).toEqual([[`${compact(D(0))}T090000Z`, `${compact(D(0))}T113000Z`]]);
  });

  it('round trip: a second hub imports the feed with its ical-feed adapter and sees the hub\'s bookings blocked, not the OTA\'s own', async () => {
    importer = await startTestHub({
      yaml: `
auth:
  adminToken: ${ADMIN_TOKEN}
  widgetKeys: [ { key: ${WIDGET['x-api-key']}, origins: ["*"], sites: [importer] } ]
groups: { rooms: { workflow: hybrid } }
sites:
  - id: importer
    timezone: ${TZ}
    adapter: { kind: ical-feed }
    resources:
      - { id: house, kind: unit, group: rooms, bookedBy: night, source: { url: "${hub.base}${feedPath('house', TOKENS.FEED_HOUSE)}" } }
      - { id: hall, kind: unit, group: rooms, source: { url: "${hub.base}${feedPath('hall', TOKENS.FEED_HALL)}" } }
`,
    });
    // The test hub runs no scheduler: each poll is asked for (as `POST /v1/sites/{id}/sync` does).
    const poll = async () => {
      const r = await call(importer!.base, 'POST', '/v1/sites/importer/sync?wait=true', { headers: ADMIN });
      expect(r.body, JSON.stringify(r.body)).toMatchObject({ status: 'completed' });
      return r.body.result as Record<string, unknown>;
    };
    await poll();
    const r = await call(importer.base, 'GET', `/v1/availability?site=importer&from=${D(0)}&to=${D(8)}`, { headers: WIDGET });
    expect(r.status).toBe(200);
    expect(r.body.sites[0].asOf).not.toBeNull();
    const seen = r.body.sites[0].resources as Array<{ id: string; nights?: Array<{ date: string; available: number }>; intervals?: Array<{ start: string; end: string; available: number }> }>;
    const nights = Object.fromEntries(seen.find((r) => r.id === 'house')!.nights!.map((n) => [n.date, n.available]));
    expect(nights).toEqual({ [D(0)]: 0, [D(1)]: 0, [D(2)]: 1, [D(3)]: 1, [D(4)]: 1, [D(5)]: 1, [D(6)]: 1, [D(7)]: 1 });
    const busy = seen.find((r) => r.id === 'hall')!.intervals!.filter((p) => p.available === 0);
    expect(busy.map((p) => [p.start, p.end])).toEqual([[new Date(utc(D(0), 9)).toISOString(), new Date(utc(D(0), 11, 30)).toISOString()]]);

    // The next poll sends the validators the feed gave it: nothing changed, so both feeds answer 304.
    await poll();
    const metrics = (await get('/metrics')).body as string;
    expect(metrics).toMatch(/avhub_http_request_duration_seconds_count\{[^}]*route="\/v1\/feeds\/:site\/:resource\.ics"[^}]*status="304"[^}]*\} [2-9]/);
    await importer.stop();
    importer = undefined;
  }, 60_000);

  it.runIf(pythonReady || inCi())('an independent parser (Debian python3-icalendar) reads the same blocks, the name unescaped and unfolded', async () => {
    expect(pythonReady, 'install python3-icalendar (apt-get install -y python3-icalendar)').toBe(true);
    const read = async (path: string) => {
      const ics = (await get(path)).body as string;
      const run = spawnSync(PYTHON, ['-c', `
import json, sys, icalendar
cal = icalendar.Calendar.from_ical(sys.stdin.buffer.read())
out = {'name': str(cal.get('X-WR-CALNAME')), 'version': str(cal.get('VERSION')), 'prodid': str(cal.get('PRODID')), 'events': []}
for ev in cal.walk('VEVENT'):
    s, e = ev.decoded('DTSTART'), ev.decoded('DTEND')
    out['events'].append({'uid': str(ev.get('UID')), 'summary': str(ev.get('SUMMARY')), 'start': s.isoformat(), 'end': e.isoformat(),
                          'allDay': not hasattr(s, 'hour'), 'stamp': ev.decoded('DTSTAMP').isoformat()})
print(json.dumps(out))
`], { input: ics, encoding: 'utf8' });
      expect(run.stderr).toBe('');
      return { ics, parsed: JSON.parse(run.stdout) as { name: string; version: string; prodid: string; events: Array<Record<string, unknown>> } };
    };
    const house = await read(feedPath('house', TOKENS.FEED_HOUSE_ALL));
    expect(house.parsed.name).toBe(`${VILLA_NAME}: house`);
    expect(house.parsed.version).toBe('2.0');
    expect(house.parsed.prodid).toMatch(/Availability Hub/);
    expect(house.parsed.events.map(({ start, end, allDay, summary }) => ({ start, end, allDay, summary }))).toEqual([
      { start: D(0), end: D(2), allDay: true, summary: 'Not available' },
      { start: D(5), end: D(7), allDay: true, summary: 'Not available' },
    ]);
    expect(house.parsed.events.map((e) => e.uid)).toEqual(events(house.ics).map((e) => e.uid));
    const hall = await read(feedPath('hall', TOKENS.FEED_HALL));
    expect(hall.parsed.events.map(({ start, end, allDay }) => ({ start, end, allDay }))).toEqual([
      { start: `${D(0)}T09:00:00+00:00`, end: `${D(0)}T11:30:00+00:00`, allDay: false },
    ]);
    // RFC 5545 §3.1: CRLF line ends only, no physical line over 75 octets (the folded name proves it).
    for (const ics of [house.ics, hall.ics]) {
      expect(ics.endsWith('\r\n')).toBe(true);
      expect(ics.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
      for (const line of ics.split('\r\n')) expect(Buffer.byteLength(line, 'utf8')).toBeLessThanOrEqual(75);
    }
    expect(house.ics).toMatch(/\r\n X-WR|X-WR-CALNAME:[^\r]*\r\n /);
  });

  it('answers 304 to If-None-Match and If-Modified-Since; an unrelated change keeps ETag and UIDs, a new stay adds one UID', async () => {
    const path = feedPath('house', TOKENS.FEED_HOUSE_ALL);
    const first = await get(path);
    const etag = first.headers.get('etag')!;
    const lastModified = first.headers.get('last-modified')!;
    expect(etag).toMatch(/^"[^"]+"$/);
    expect(Date.parse(lastModified)).toBeLessThanOrEqual(Date.now());
    const uids = events(first.body).map((e) => e.uid);
    expect(new Set(uids).size).toBe(2);

    const byTag = await get(path, { 'if-none-match': etag });
    expect(byTag.status).toBe(304);
    expect(byTag.body).toBe('');
    expect(byTag.headers.get('etag')).toBe(etag);
    expect((await get(path, { 'if-none-match': `"other", W/${etag}` })).status).toBe(304);
    expect((await get(path, { 'if-modified-since': lastModified })).status).toBe(304);
    expect((await get(path, { 'if-modified-since': new Date(Date.parse(lastModified) - 1000).toUTCString() })).status).toBe(200);
    // If-None-Match decides when both are sent (RFC 9110 §13.2.2).
    expect((await get(path, { 'if-none-match': '"other"', 'if-modified-since': lastModified })).status).toBe(200);

    // Unrelated: a stay at another resource, and a hold released on this one.
    await book('flat', { checkIn: D(0), checkOut: D(4) });
    const released = await call(hub.base, 'POST', '/v1/holds', { headers: WIDGET, body: { site: 'villa', resource: 'house', checkIn: D(20), checkOut: D(21) } });
    expect(released.status).toBe(201);
    expect((await call(hub.base, 'DELETE', `/v1/holds/${released.body.id}`, { headers: WIDGET })).status).toBeLessThan(300);
    const after = await get(path, { 'if-none-match': etag });
    expect(after.status).toBe(304);
    const again = await get(path);
    expect(again.headers.get('etag')).toBe(etag);
    expect(again.headers.get('last-modified')).toBe(lastModified);
    expect(again.body).toBe(first.body);

    // Related: a new stay of this house; the blocks that were there keep their UIDs.
    await new Promise((r) => setTimeout(r, 1100)); // Last-Modified has one-second resolution
    await book('house', { checkIn: D(10), checkOut: D(11) });
    const changed = await get(path, { 'if-none-match': etag });
    expect(changed.status).toBe(200);
    expect(changed.headers.get('etag')).not.toBe(etag);
    expect(Date.parse(changed.headers.get('last-modified')!)).toBeGreaterThan(Date.parse(lastModified));
    const next = events(changed.body);
    expect(next.map((e) => e.uid).filter((u) => uids.includes(u))).toEqual(uids);
    expect(next.map((e) => [e.start, e.end])).toEqual([[compact(D(0)), compact(D(2))], [compact(D(5)), compact(D(7))], [compact(D(10)), compact(D(11))]]);
    expect((await get(path, { 'if-modified-since': lastModified })).status).toBe(200);
  });

  it('refuses a missing or wrong token (401) and a resource without a feed (404) with problem details; no token reaches the metrics or the logs', async () => {
    const problem = async (path: string, status: number, type: string) => {
      const r = await get(path);
      expect(r.status).toBe(status);
      expect(r.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(r.body).toMatchObject({ type, status });
      expect(JSON.stringify(r.body)).not.toContain('token-0123');
    };
    await problem('/v1/feeds/villa/house.ics', 401, 'unauthorized');
    await problem('/v1/feeds/villa/house.ics?token=', 401, 'unauthorized');
    await problem('/v1/feeds/villa/house.ics?token=house-feed-token-0123456789abcdeX', 401, 'unauthorized');
    // Another feed's token does not open this one.
    await problem(feedPath('house', TOKENS.FEED_ROOMS), 401, 'unauthorized');
    await problem(`/v1/feeds/villa/nope.ics?token=${TOKENS.FEED_HOUSE}`, 404, 'not-found');
    await problem(`/v1/feeds/ota/house.ics?token=${TOKENS.FEED_HOUSE}`, 404, 'not-found');
    await problem(`/v1/feeds/villa/flat.ics?token=${TOKENS.FEED_HOUSE}`, 404, 'not-found');
    const metrics = (await get('/metrics')).body as string;
    for (const token of Object.values(TOKENS)) expect(metrics).not.toContain(token);
    expect(logged.length).toBeGreaterThan(0);
    for (const token of Object.values(TOKENS)) expect(logged.filter((line) => line.includes(token))).toEqual([]);
  });

  it('is in the served OpenAPI document, with its token scheme and media type', async () => {
    const doc = (await get('/openapi.json')).body;
    const op = doc.paths['/v1/feeds/{site}/{resource}.ics'].get;
    expect(op.operationId).toBe('getFeedsBySiteByResourceIcs');
    expect(op.security).toEqual([{ feedToken: [] }]);
    expect(doc.components.securitySchemes.feedToken).toEqual({ type: 'apiKey', in: 'query', name: 'token' });
    expect(Object.keys(op.responses['200'].content)).toEqual(['text/calendar']);
    expect(Object.keys(op.responses).sort()).toEqual(['200', '304', '401', '404']);
  });

  it('carries no guest data: no names, contacts, ids or source summaries, only the busy blocks', async () => {
    const bodies = await Promise.all([
      get(feedPath('house', TOKENS.FEED_HOUSE_ALL)), get(feedPath('rooms', TOKENS.FEED_ROOMS)), get(feedPath('hall', TOKENS.FEED_HALL)),
    ]);
    for (const { body } of bodies) {
      for (const secret of [GUEST.name, 'Lovelace', GUEST.email, GUEST.phone, resvHouse, holdHouse, 'John Smith', 'HMOTA', 'Reserved']) {
        expect(body).not.toContain(secret);
      }
      for (const e of events(body)) {
        expect(e.summary).toBe('Not available');
        expect(e.props).toEqual(['UID', 'DTSTAMP', 'DTSTART', 'DTEND', 'SUMMARY', 'TRANSP']);
      }
    }
  });
});
