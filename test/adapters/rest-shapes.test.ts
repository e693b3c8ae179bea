import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { restAdapter, type RestSettings } from '../../adapters/rest/index.js';
import { startRestPmsSimulator, type RestPmsSimulator } from '../../adapters/rest/simulator/index.js';
import type { SimAuthOptions } from '../../adapters/rest/simulator/auth.js';
import { AdapterAuthError, AdapterUnavailableError } from '../../src/core/adapter/errors.js';
import type { PullRequest, SourceSite } from '../../src/core/adapter/port.js';

/**
 * The rest adapter's mapping for home-grown shapes (issue 15), end to end over real HTTP against
 * the simulator's /api/v2/ dialect: nested arrays, a length of stay, every paging style, an API
 * key in the query, OAuth2 client credentials, unknown statuses.
 */

const NESTED = parse(readFileSync(new URL('../../adapters/rest/fixtures/nested-site.yaml', import.meta.url), 'utf8')) as { adapter: Record<string, unknown> };
const SECRET = 'very-secret-key-4711';
const SITE: SourceSite = {
  id: 'harbour', timezone: 'Europe/Berlin',
  resources: [
    { id: 'double', kind: 'pool', bookedBy: 'night', capacity: 12, mapping: { id: 'DBL' } },
    { id: 'single', kind: 'pool', bookedBy: 'night', capacity: 8, mapping: { id: 'SGL' } },
  ],
};
// March 2027 in Berlin, local midnight to local midnight (summer time from the 28th): 31 nights.
const WINDOW = { start: Date.UTC(2027, 1, 28, 23), end: Date.UTC(2027, 2, 31, 22) };
const req = (cursor: string | null = null): PullRequest => ({ site: SITE, window: WINDOW, cursor, signal: new AbortController().signal, throttle: async () => undefined });

interface Logged { obj: object; msg: string }
/** The error a pull fails with (a pull that succeeds fails the test). */
const failure = (p: Promise<unknown>): Promise<Error> => p.then(() => { throw new Error('the pull succeeded'); }, (e: unknown) => e as Error);
function adapterFor(sim: RestPmsSimulator, patch: Record<string, unknown>, logged: Logged[] = []) {
  const { kind: _kind, ...raw } = structuredClone(NESTED.adapter);
  const origin = new URL(sim.url).origin;
  const settings: RestSettings = restAdapter.settings.parse({
    ...raw, baseUrl: `${origin}/api/v2/`,
    auth: { oauth2: { tokenUrl: `${origin}/oauth/token`, clientId: 'avhub', clientSecret: SECRET } }, ...patch,
  });
  const log = { warn: (obj: object, msg: string) => logged.push({ obj, msg }), info: (obj: object, msg: string) => logged.push({ obj, msg }) };
  return restAdapter.create({ siteId: SITE.id, timezone: SITE.timezone, settings, log });
}

async function simWith(auth: SimAuthOptions, pageSize = 50) {
  return startRestPmsSimulator({ token: SECRET, auth, pageSize, seed: { roomTypes: { DBL: 5, SGL: 3, STE: 1 }, bookings: [] } });
}

describe('rest: nested arrays and a length of stay', () => {
  let sim: RestPmsSimulator;
  beforeAll(async () => { sim = await simWith({ kind: 'oauth2', clientId: 'avhub' }); });
  afterAll(async () => { await sim.stop(); });

  it('roomTypes[].nights with ^.code: every room type from one request per chunk', async () => {
    sim.admin.setStopSell('SGL', '2027-03-20');
    sim.admin.createBooking({ roomType: 'DBL', arrival: '2027-03-10', departure: '2027-03-12', rooms: 2 });
    const before = sim.requestCount();
    const result = await adapterFor(sim, {}).pull(req());
    // 31 nights in one chunk, one bookings page, one token: 3 requests.
    expect(sim.requestCount() - before).toBe(3);
    const count = (resource: string, date: string) => result.counts.find((c) => c.resource === resource && c.date === date);
    expect(count('double', '2027-03-10')).toEqual({ resource: 'double', date: '2027-03-10', available: 3 });
    expect(count('double', '2027-03-12')?.available).toBe(5);
    expect(count('single', '2027-03-20')).toEqual({ resource: 'single', date: '2027-03-20', available: 0, closed: true });
    expect(result.counts).toHaveLength(2 * 31);
    // STE has no hub resource: one skip for the room type, not one per night.
    expect(result.skipped.filter((s) => s.externalId.startsWith('availability:STE'))).toHaveLength(1);
  });

  it('bookings[].rooms: one booking per room line (<id>, <id>/1), nights give the departure, quantities per line', async () => {
    const b = sim.admin.createBooking({ roomType: 'DBL', arrival: '2027-03-15', departure: '2027-03-18', lines: [{ roomType: 'DBL', rooms: 1 }, { roomType: 'SGL', rooms: 2 }] });
    const result = await adapterFor(sim, {}).pull(req());
    const mine = result.bookings.filter((x) => x.externalId.startsWith(b.id)).map((x) => [x.externalId, x.resource, x.quantity, x.span]);
    const nights = { by: 'night', nights: ['2027-03-15', '2027-03-16', '2027-03-17'] };
    expect(mine).toEqual([[b.id, 'double', 1, nights], [`${b.id}/1`, 'single', 2, nights]]);
  });

  it('a status statusMap does not list counts as busy by default, and is reported (log with the site, skipped entry)', async () => {
    const b = sim.admin.createBooking({ roomType: 'SGL', arrival: '2027-03-05', departure: '2027-03-06', state: 'WAITLIST' });
    const logged: Logged[] = [];
    const result = await adapterFor(sim, {}, logged).pull(req());
    expect(result.bookings.find((x) => x.externalId === b.id)).toMatchObject({ status: 'confirmed', busy: true });
    expect(result.skipped).toContainEqual({ externalId: b.id, resource: 'single', reason: expect.stringContaining('"waitlist" is not in bookings.statusMap; counted as busy') });
    expect(logged).toContainEqual({ obj: expect.objectContaining({ site: 'harbour', status: 'waitlist', externalIds: [b.id] }), msg: expect.stringContaining('statusMap does not list') });
    const { kind: _k, ...raw } = structuredClone(NESTED.adapter) as { kind: string; bookings: Record<string, unknown> };
    const free = await adapterFor(sim, { bookings: { ...raw.bookings, unknownStatus: 'free' } }).pull(req());
    expect(free.bookings.find((x) => x.externalId === b.id)).toMatchObject({ busy: false });
    expect(free.skipped.find((s) => s.externalId === b.id)?.reason).toContain('counted as free');
  });
});

describe('rest: paging styles', () => {
  let sim: RestPmsSimulator;
  const { kind: _k, ...raw } = structuredClone(NESTED.adapter) as { kind: string; bookings: Record<string, unknown> };
  const ids = async (bookings: Record<string, unknown>) => (await adapterFor(sim, { bookings: { ...raw.bookings, paging: undefined, ...bookings } }).pull(req()))
    .bookings.map((b) => b.externalId).sort();
  let all: string[];
  beforeAll(async () => {
    sim = await simWith({ kind: 'oauth2', clientId: 'avhub' }, 2);
    for (let i = 0; i < 5; i++) sim.admin.createBooking({ roomType: 'DBL', arrival: `2027-03-1${i}`, departure: `2027-03-2${i}` });
    all = sim.admin.bookings().map((b) => b.id).sort();
  });
  afterAll(async () => { await sim.stop(); });

  it('offset/limit: every page until a short one', async () => {
    const before = sim.requestCount();
    expect(await ids({ path: '/bookings?offset={offset}&limit={limit}', paging: { style: 'offset', size: 2 } })).toEqual(all);
    expect(sim.requestCount() - before).toBe(2 + 3); // availability, token, three pages of 2, 2, 1
  });

  it('page numbers: every page until a short one', async () => {
    expect(await ids({ path: '/bookings?page={page}&per_page={limit}', paging: { style: 'page', size: 2 } })).toEqual(all);
    // Without a size, until an empty page.
    expect(await ids({ path: '/bookings?page={page}', paging: { style: 'page' } })).toEqual(all);
  });

  it('a Link header with rel="next", and a next URL in the body', async () => {
    expect(await ids({ path: '/bookings', paging: { style: 'link' } })).toEqual(all);
    expect(await ids({ path: '/bookings', paging: { style: 'nextUrl', at: 'links.next' } })).toEqual(all);
  });

  it('without paging only the first page is read (the test above can fail)', async () => {
    expect(await ids({ path: '/bookings' })).toHaveLength(2);
  });
});

describe('rest: a next-page URL on another host is not followed', () => {
  it('refuses it, naming the host but not the query', async () => {
    const { createServer } = await import('node:http');
    const server = createServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json', Link: '<http://evil.example/steal?api_key=x>; rel="next"' });
      res.end(JSON.stringify({ bookings: [] }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    const adapter = restAdapter.create({
      siteId: 'x', timezone: SITE.timezone, log: { warn() {}, info() {} },
      settings: restAdapter.settings.parse({
        baseUrl: `http://127.0.0.1:${port}/api/`, auth: { query: 'api_key', value: SECRET },
        bookings: { path: '/bookings', paging: { style: 'link' }, items: 'bookings', fields: { id: 'id', resource: 'rt', checkIn: 'a', nights: 'n' } },
      }),
    });
    const err = await failure(adapter.pull(req()));
    expect(err.message).toContain('http://evil.example');
    expect(err.message).not.toContain(SECRET);
    expect(err.message).not.toContain('api_key');
    server.close();
  });
});

describe('rest: an API key in the query', () => {
  let sim: RestPmsSimulator;
  beforeAll(async () => { sim = await simWith({ kind: 'query', param: 'api_key' }); });
  afterAll(async () => { await sim.stop(); });
  const adapter = () => adapterFor(sim, { auth: { query: 'api_key', value: SECRET } });

  it('is sent on every request, and no error message or log line shows it', async () => {
    const logged: Logged[] = [];
    await expect(adapterFor(sim, { auth: { query: 'api_key', value: SECRET } }, logged).pull(req())).resolves.toMatchObject({ mode: 'full' });
    sim.admin.setToken('rotated');
    const refused = await failure(adapter().pull(req()));
    expect(refused).toBeInstanceOf(AdapterAuthError);
    sim.admin.setToken(SECRET);
    sim.admin.failNext(500);
    const failed = await failure(adapter().pull(req()));
    expect(failed).toBeInstanceOf(AdapterUnavailableError);
    sim.admin.goDown();
    const down = await failure(adapter().pull(req()));
    sim.admin.comeBack();
    expect(down).toBeInstanceOf(AdapterUnavailableError);
    for (const e of [refused, failed, down]) {
      expect(`${e.message} ${e.stack ?? ''}`).not.toContain(SECRET);
      expect(e.message).not.toContain('?');
    }
    expect(JSON.stringify(logged)).not.toContain(SECRET);
  });
});

describe('rest: OAuth2 client credentials', () => {
  let sim: RestPmsSimulator;
  beforeAll(async () => { sim = await simWith({ kind: 'oauth2', clientId: 'avhub', tokenTtlSeconds: 1 }); });
  afterAll(async () => { await sim.stop(); });

  it('one token for many requests, a new one when it expires, one refresh on a 401', async () => {
    const adapter = adapterFor(sim, {});
    await adapter.pull(req());
    await adapter.pull(req());
    expect(sim.admin.tokensIssued()).toBe(1);
    await new Promise((r) => setTimeout(r, 1_000)); // the token (1 s, renewed after 0.9 s) is due
    await adapter.pull(req());
    expect(sim.admin.tokensIssued()).toBe(2);
    sim.admin.revokeTokens();
    await expect(adapter.pull(req())).resolves.toMatchObject({ mode: 'full' });
    expect(sim.admin.tokensIssued()).toBe(3);
  });

  it('both client authentications of RFC 6749 §2.3.1 work (basic, body)', async () => {
    const origin = new URL(sim.url).origin;
    const body = adapterFor(sim, { auth: { oauth2: { tokenUrl: `${origin}/oauth/token`, clientId: 'avhub', clientSecret: SECRET, clientAuth: 'body' } } });
    await expect(body.pull(req())).resolves.toMatchObject({ mode: 'full' });
  });

  it('refused client credentials are an AdapterAuthError that shows no secret or token', async () => {
    sim.admin.setToken('rotated-secret');
    const err = await failure(adapterFor(sim, {}).pull(req()));
    sim.admin.setToken(SECRET);
    expect(err).toBeInstanceOf(AdapterAuthError);
    expect(err.message).toContain('invalid_client');
    expect(err.message).not.toContain(SECRET);
  });
});
