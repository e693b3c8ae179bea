import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGoogleAdapter, googleAdapter, type GoogleAdapterDeps } from '../../adapters/google/index.js';
import { startGoogleSimulator, type GoogleSimulator, type SimOAuthCredentials } from '../../adapters/google/simulator/index.js';
import {
  AdapterAuthError, AdapterRateLimitedError, AdapterUnavailableError, ResponseTooLargeError,
} from '../../src/core/adapter/errors.js';
import type { PullRequest, PullResult, SourceAdapter, SourceResource, SourceSite, WriteRequest } from '../../src/core/adapter/port.js';

/** Google-specific behaviour of the adapter against the simulator (the shared contract is in google.contract.test.ts). */

const NY = 'America/New_York';
const STUDIO = 'studio@group.calendar.google.com';
const ROOMS = 'rooms@group.calendar.google.com';
const WINDOW = { start: Date.UTC(2027, 2, 1), end: Date.UTC(2027, 4, 1) };
const silent = { warn() {}, info() {} };
const iso = (ms: number) => new Date(ms).toISOString();

let sim: GoogleSimulator;
let oauth: SimOAuthCredentials;
const open: SourceAdapter[] = [];

const studio: SourceResource = { id: 'studio', kind: 'unit', bookedBy: 'time', capacity: 1, mapping: { calendarId: STUDIO } };
const rooms: SourceResource = { id: 'double', kind: 'pool', bookedBy: 'night', capacity: 5, mapping: { calendarId: ROOMS } };

function site(resources: SourceResource[] = [studio]): SourceSite {
  return { id: 'ny-studio', timezone: NY, resources };
}

function adapter(credentials: unknown = oauth, deps: GoogleAdapterDeps = {}): SourceAdapter {
  const settings = googleAdapter.settings.parse({ baseUrl: sim.url, credentials });
  const a = createGoogleAdapter({ siteId: 'ny-studio', timezone: NY, settings, log: silent }, deps);
  open.push(a);
  return a;
}

function pullRequest(s: SourceSite, cursor: string | null, throttle: () => Promise<void> = async () => undefined): PullRequest {
  return { site: s, window: WINDOW, cursor, signal: new AbortController().signal, throttle };
}

function writeRequest(resource: SourceResource, key: string, span: WriteRequest['span']): WriteRequest {
  return {
    site: site([studio, rooms]), resource, idempotencyKey: key, reservationId: `res-${key}`, span, quantity: 1,
    customer: { name: 'Grace Hopper' }, signal: new AbortController().signal, throttle: async () => undefined,
  };
}

const apiCount = () => sim.requestCount('/calendar/v3/');

async function rejection(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a rejection');
}

beforeAll(async () => {
  sim = await startGoogleSimulator();
  sim.createCalendar(STUDIO, { timeZone: NY });
  sim.createCalendar(ROOMS, { timeZone: NY });
  oauth = sim.createOAuthClient();
  sim.insertEvent(STUDIO, { summary: 'Yoga', start: { dateTime: '2027-03-10T09:00:00-05:00' }, end: { dateTime: '2027-03-10T10:00:00-05:00' } });
});
afterAll(async () => {
  await Promise.all(open.map((a) => a.close()));
  await sim?.stop();
});

describe('google adapter: errors', () => {
  it('an answer over the byte limit is refused as unavailable, not buffered', async () => {
    const err = await rejection(adapter(oauth, { maxBodyBytes: 600 }).pull(pullRequest(site(), null)));
    expect(err).toBeInstanceOf(ResponseTooLargeError);
    expect(err).toBeInstanceOf(AdapterUnavailableError);
    expect(err.message).toMatch(/^google: \/calendar\/v3\/calendars\/.*: the answer is larger than 600 bytes; refused$/);
    expect((await adapter(oauth, { maxBodyBytes: 100_000 }).pull(pullRequest(site(), null))).bookings).toHaveLength(1);
  });

  it('a 403 rateLimitExceeded is AdapterRateLimitedError, after exactly one request (the client does not retry)', async () => {
    const a = adapter();
    await a.pull(pullRequest(site(), null)); // token fetched, calendar readable
    sim.failNext(1, { status: 403, reason: 'rateLimitExceeded' });
    const before = apiCount();
    const err = await rejection(a.pull(pullRequest(site(), null)));
    expect(err).toBeInstanceOf(AdapterRateLimitedError);
    expect((err as AdapterRateLimitedError).retryAfterMs).toBe(30_000);
    expect(apiCount() - before).toBe(1);

    sim.failNext(1, { status: 429, retryAfter: 7 });
    const err429 = await rejection(a.pull(pullRequest(site(), null)));
    expect(err429).toBeInstanceOf(AdapterRateLimitedError);
    expect((err429 as AdapterRateLimitedError).retryAfterMs).toBe(7000);

    sim.failNext(1, { status: 403, reason: 'userRateLimitExceeded', retryAfter: 2 });
    expect(await rejection(a.pull(pullRequest(site(), null)))).toMatchObject({ code: 'ADAPTER.RATE_LIMITED', retryAfterMs: 2000 });
  });

  it('a 5xx is AdapterUnavailableError after one request, and the next poll works', async () => {
    const a = adapter();
    await a.pull(pullRequest(site(), null));
    sim.failNext(1, { status: 500 });
    const before = apiCount();
    expect(await rejection(a.pull(pullRequest(site(), null)))).toBeInstanceOf(AdapterUnavailableError);
    expect(apiCount() - before).toBe(1);
    expect((await a.pull(pullRequest(site(), null))).bookings).toHaveLength(1);
  });

  it('a token endpoint that is down is AdapterUnavailableError after one token request (no library retries)', async () => {
    const a = adapter(sim.createOAuthClient());
    sim.goDown();
    const before = sim.requestCount('/token');
    try {
      expect(await rejection(a.pull(pullRequest(site(), null)))).toBeInstanceOf(AdapterUnavailableError);
    } finally {
      sim.comeBack();
    }
    expect(sim.requestCount('/token') - before).toBe(1);
    expect((await a.pull(pullRequest(site(), null))).bookings).toHaveLength(1);
  });

  it('an aborted pull rejects with the abort reason, not an adapter error', async () => {
    const controller = new AbortController();
    controller.abort(new Error('worker shutting down'));
    const err = await rejection(adapter().pull({ ...pullRequest(site(), null), signal: controller.signal }));
    expect(err.message).toBe('worker shutting down');
  });

  it('an invalid refresh token is AdapterAuthError (invalid_grant), and the secret is not in the message', async () => {
    const bad = { ...oauth, refreshToken: '1//not-a-real-token' };
    const before = apiCount();
    const err = await rejection(adapter(bad).pull(pullRequest(site(), null)));
    expect(err).toBeInstanceOf(AdapterAuthError);
    expect(err.message).toContain('invalid_grant');
    expect(err.message).not.toContain('not-a-real-token');
    expect(err.message).not.toContain(oauth.clientSecret);
    expect(apiCount()).toBe(before);
  });

  it('refreshes an expired access token by itself; a revoked refresh token then is AdapterAuthError', async () => {
    const creds = sim.createOAuthClient();
    const a = adapter(creds);
    await a.pull(pullRequest(site(), null));
    sim.expireAccessTokens();
    const tokensBefore = sim.requestCount('/token');
    expect((await a.pull(pullRequest(site(), null))).bookings).toHaveLength(1);
    expect(sim.requestCount('/token') - tokensBefore).toBe(1);

    sim.revokeRefreshToken(creds.refreshToken);
    sim.expireAccessTokens();
    expect(await rejection(a.pull(pullRequest(site(), null)))).toBeInstanceOf(AdapterAuthError);
  });

  it('a 401 that survives a token refresh is AdapterAuthError', async () => {
    const a = adapter();
    await a.pull(pullRequest(site(), null));
    sim.failNext(2, { status: 401 });
    const before = apiCount();
    expect(await rejection(a.pull(pullRequest(site(), null)))).toBeInstanceOf(AdapterAuthError);
    expect(apiCount() - before).toBe(2);
  });

  it('a calendar the credential cannot see, or a 403 forbidden, is AdapterAuthError', async () => {
    const missing = { ...studio, mapping: { calendarId: 'someone-else@group.calendar.google.com' } };
    expect(await rejection(adapter().pull(pullRequest(site([missing]), null)))).toBeInstanceOf(AdapterAuthError);
    sim.failNext(1, { status: 403, reason: 'forbidden' });
    expect(await rejection(adapter().pull(pullRequest(site(), null)))).toBeInstanceOf(AdapterAuthError);
  });

  it('a service account that was disabled is AdapterAuthError', async () => {
    const key = sim.createServiceAccount();
    const a = adapter({ serviceAccountJson: JSON.stringify(key) });
    expect((await a.pull(pullRequest(site(), null))).bookings).toHaveLength(1);
    sim.disableServiceAccount(key.client_email);
    expect(await rejection(adapter({ serviceAccountJson: JSON.stringify(key) }).pull(pullRequest(site(), null)))).toBeInstanceOf(AdapterAuthError);
  });
});

describe('google adapter: pulls', () => {
  const CAL = 'paged@group.calendar.google.com';
  const paged: SourceResource = { ...studio, id: 'paged', mapping: { calendarId: CAL } };
  beforeAll(() => {
    sim.createCalendar(CAL, { timeZone: NY });
    for (let d = 1; d <= 5; d++) sim.insertEvent(CAL, { summary: `e${d}`, start: { dateTime: iso(Date.UTC(2027, 2, d, 15)) }, end: { dateTime: iso(Date.UTC(2027, 2, d, 16)) } });
    sim.insertEvent(CAL, { summary: 'far future', start: { dateTime: '2028-01-01T15:00:00Z' }, end: { dateTime: '2028-01-01T16:00:00Z' } });
  });

  it('follows pages, bounds full pulls by the window, sends only the sync token afterwards, and throttles every request', async () => {
    let throttled = 0;
    const throttle = async () => { throttled++; };
    const a = adapter(oauth, { pageSize: 2 });
    const before = apiCount();
    const logBefore = sim.requests().length;
    const full = await a.pull(pullRequest(site([paged]), null, throttle));
    expect(full.mode).toBe('full');
    expect(full.bookings.map((b) => b.externalId).length).toBe(5);
    expect(apiCount() - before).toBe(3);
    expect(throttled).toBe(3);
    const fullRequests = sim.requests().slice(logBefore).filter((r) => r.path.startsWith('/calendar/'));
    expect(fullRequests[0]!.query).toMatchObject({ singleEvents: 'true', showDeleted: 'true', timeMin: iso(WINDOW.start), timeMax: iso(WINDOW.end), maxResults: '2' });
    expect(fullRequests[0]!.query.syncToken).toBeUndefined();
    expect(JSON.parse(full.cursor!)).toEqual({ v: 1, calendars: { [CAL]: expect.any(String) } });

    const mid = sim.requests().length;
    const delta = await a.pull(pullRequest(site([paged]), full.cursor, throttle));
    expect(delta).toMatchObject({ mode: 'delta', bookings: [], removed: [] });
    expect(throttled).toBe(4);
    const [incremental] = sim.requests().slice(mid);
    expect(incremental!.query.syncToken).toBeDefined();
    expect(incremental!.query.timeMin).toBeUndefined();
    expect(incremental!.query.timeMax).toBeUndefined();
  });

  it('reports an event moved out of the window as removed, and ignores changes outside the window', async () => {
    const a = adapter();
    const full = await a.pull(pullRequest(site([paged]), null));
    const [first] = sim.storedEvents(CAL);
    sim.patchEvent(CAL, first!.id, { start: { dateTime: '2027-06-01T15:00:00Z' }, end: { dateTime: '2027-06-01T16:00:00Z' } });
    const far = sim.storedEvents(CAL).find((e) => e.summary === 'far future')!;
    sim.patchEvent(CAL, far.id, { summary: 'still far' });
    const delta = await a.pull(pullRequest(site([paged]), full.cursor));
    expect(delta.bookings).toEqual([]);
    expect(delta.removed.sort()).toEqual([`${CAL}/${far.id}`, `${CAL}/${first!.id}`].sort());
  });

  it('starts a calendar that the cursor does not know with a full listing, inside a delta', async () => {
    const a = adapter();
    const onlyStudio = await a.pull(pullRequest(site([studio]), null));
    const both = await a.pull(pullRequest(site([studio, paged]), onlyStudio.cursor));
    expect(both.mode).toBe('delta');
    expect(both.bookings.map((b) => b.resource)).toEqual(['paged', 'paged', 'paged', 'paged']);
    expect(Object.keys(JSON.parse(both.cursor!).calendars).sort()).toEqual([CAL, STUDIO].sort());
  });

  it('maps a recurring New York series with an exception across the 2027-03-14 DST change', async () => {
    const CAL2 = 'series@group.calendar.google.com';
    const series: SourceResource = { ...studio, id: 'series', mapping: { calendarId: CAL2 } };
    sim.createCalendar(CAL2, { timeZone: NY });
    sim.insertEvent(CAL2, {
      id: 'pilates001',
      summary: 'Pilates',
      start: { dateTime: '2027-03-12T09:00:00', timeZone: NY },
      end: { dateTime: '2027-03-12T10:00:00', timeZone: NY },
      recurrence: ['RRULE:FREQ=DAILY;COUNT=5', 'EXDATE;TZID=America/New_York:20270316T090000'],
    });
    // The DST-day instance moved to 11:00 local (an exception), as Google stores it.
    sim.insertEvent(CAL2, {
      recurringEventId: 'pilates001',
      originalStartTime: { dateTime: '2027-03-14T09:00:00', timeZone: NY },
      summary: 'Pilates (late)',
      start: { dateTime: '2027-03-14T11:00:00', timeZone: NY },
      end: { dateTime: '2027-03-14T12:00:00', timeZone: NY },
    });
    const a = adapter();
    const full = await a.pull(pullRequest(site([series]), null));
    const spans = Object.fromEntries(full.bookings.map((b) => [b.externalId.slice(CAL2.length + 1), b.span]));
    expect(spans).toEqual({
      pilates001_20270312T140000Z: { by: 'time', start: Date.UTC(2027, 2, 12, 14), end: Date.UTC(2027, 2, 12, 15) },
      pilates001_20270313T140000Z: { by: 'time', start: Date.UTC(2027, 2, 13, 14), end: Date.UTC(2027, 2, 13, 15) },
      pilates001_20270314T130000Z: { by: 'time', start: Date.UTC(2027, 2, 14, 15), end: Date.UTC(2027, 2, 14, 16) },
      pilates001_20270315T130000Z: { by: 'time', start: Date.UTC(2027, 2, 15, 13), end: Date.UTC(2027, 2, 15, 14) },
    });

    // Cancelling one instance at the site is a removal of exactly that instance.
    sim.deleteEvent(CAL2, 'pilates001_20270313T140000Z');
    const delta = await a.pull(pullRequest(site([series]), full.cursor));
    expect(delta.removed).toEqual([`${CAL2}/pilates001_20270313T140000Z`]);
    expect(delta.bookings).toEqual([]);

    // Shortening the series removes the instances it no longer has; the others come again unchanged.
    sim.patchEvent(CAL2, 'pilates001', { recurrence: ['RRULE:FREQ=DAILY;COUNT=3'] });
    const shorter = await a.pull(pullRequest(site([series]), delta.cursor));
    expect(shorter.removed.sort()).toEqual([`${CAL2}/pilates001_20270313T140000Z`, `${CAL2}/pilates001_20270315T130000Z`]);
    expect(shorter.bookings.map((b) => b.externalId).sort()).toEqual([`${CAL2}/pilates001_20270312T140000Z`, `${CAL2}/pilates001_20270314T130000Z`]);
  });

  it('refuses a cursor it did not write', async () => {
    const err = await rejection(adapter().pull(pullRequest(site(), '{"v":9}')));
    expect(err).toMatchObject({ code: 'ADAPTER.CURSOR_REJECTED' });
  });
});

describe('google adapter: write-back', () => {
  const apply = (result: PullResult) => new Map(result.bookings.map((b) => [b.externalId, b]));

  it('reserve twice with one idempotency key makes one event, tagged with the reservation', async () => {
    const span = { by: 'time' as const, start: Date.UTC(2027, 2, 20, 14), end: Date.UTC(2027, 2, 20, 16) };
    const first = await adapter().reserve(writeRequest(studio, 'idem-1', span));
    // A second worker (after a crash or timeout) repeats the write with the same key.
    const second = await adapter().reserve(writeRequest(studio, 'idem-1', span));
    expect(second).toEqual(first);
    const created = sim.storedEvents(STUDIO).filter((e) => e.extendedProperties?.private?.avhubReservation === 'res-idem-1');
    expect(created).toHaveLength(1);
    expect(created[0]).toMatchObject({ status: 'confirmed', transparency: 'opaque', summary: 'Grace Hopper (via Availability Hub)' });
    expect(first.externalId).toBe(`${STUDIO}/${created[0]!.id}`);
    expect(created[0]!.id).toMatch(/^[a-v0-9]{5,1024}$/);

    const seen = apply(await adapter().pull(pullRequest(site(), null))).get(first.externalId);
    expect(seen).toMatchObject({ hubReference: 'res-idem-1', busy: true, span });
  });

  it('reserves nights as an all-day event and reads them back as the same nights', async () => {
    const span = { by: 'night' as const, nights: ['2027-03-13', '2027-03-14'] };
    const { externalId } = await adapter().reserve(writeRequest(rooms, 'idem-nights', span));
    const event = sim.getEvent(ROOMS, externalId.slice(ROOMS.length + 1));
    expect(event).toMatchObject({ start: { date: '2027-03-13' }, end: { date: '2027-03-15' } });
    const seen = apply(await adapter().pull(pullRequest(site([rooms]), null))).get(externalId);
    expect(seen).toMatchObject({ span, resource: 'double', hubReference: 'res-idem-nights' });
  });

  it('cancel deletes the event; cancelling again, or something already gone, succeeds', async () => {
    const a = adapter();
    const span = { by: 'time' as const, start: Date.UTC(2027, 2, 21, 14), end: Date.UTC(2027, 2, 21, 15) };
    const req = writeRequest(studio, 'idem-cancel', span);
    const { externalId } = await a.reserve(req);
    const full = await a.pull(pullRequest(site(), null));
    await a.cancel({ ...req, externalId });
    expect(sim.getEvent(STUDIO, externalId.slice(STUDIO.length + 1)).status).toBe('cancelled');
    await a.cancel({ ...req, externalId });
    await a.cancel({ ...req, externalId: `${STUDIO}/nosuchevent00` });
    const delta = await a.pull(pullRequest(site(), full.cursor));
    expect(delta.removed).toContain(externalId);
  });

  it('a write that hits a quota error is AdapterRateLimitedError', async () => {
    sim.failNext(1, { status: 403, reason: 'quotaExceeded' });
    const span = { by: 'time' as const, start: Date.UTC(2027, 2, 22, 14), end: Date.UTC(2027, 2, 22, 15) };
    expect(await rejection(adapter().reserve(writeRequest(studio, 'idem-quota', span)))).toBeInstanceOf(AdapterRateLimitedError);
  });
});

describe('google adapter: settings', () => {
  const parse = (v: unknown) => googleAdapter.settings.safeParse(v);

  it('takes OAuth or service-account credentials, strictly, and says what is missing', () => {
    expect(parse({ credentials: { clientId: 'a', clientSecret: 'b', refreshToken: 'c' } }).success).toBe(true);
    const missing = parse({ credentials: { clientId: 'a', clientSecret: 'b' } });
    expect(missing.success).toBe(false);
    expect(missing.error!.issues.map((i) => [i.path.join('.'), i.message])).toEqual([['credentials.refreshToken', 'refreshToken is required for OAuth credentials']]);
    expect(parse({ credentials: { clientId: 'a', clientSecret: 'b', refreshToken: 'c', serviceAccountJson: '{}' } }).success).toBe(false);
    expect(parse({ credentials: {} }).success).toBe(false);
    expect(parse({ credentials: { clientId: 'a', clientSecret: 'b', refreshToken: 'c' }, extra: 1 }).success).toBe(false);
    const notAKey = parse({ credentials: { serviceAccountJson: '{"secret":"do-not-echo"}' } });
    expect(JSON.stringify(notAKey.error!.issues)).not.toContain('do-not-echo');
    expect(parse({ credentials: { serviceAccountFile: '/nonexistent/key.json' } }).error!.issues[0]!.path).toEqual(['credentials', 'serviceAccountFile']);
    expect(googleAdapter.source.safeParse({ calendarId: 'x@group.calendar.google.com' }).success).toBe(true);
    expect(googleAdapter.source.safeParse({ calendar: 'x' }).success).toBe(false);
  });

  it('derives a stable credential id that never contains the secret', () => {
    const settings = googleAdapter.settings.parse({ credentials: { clientId: 'client', clientSecret: 'shh', refreshToken: 'very-secret-token' } });
    const id = googleAdapter.credentialId(settings);
    expect(id).toBe(googleAdapter.credentialId(settings));
    expect(id).not.toContain('very-secret-token');
    expect(id).not.toContain('shh');
    const other = googleAdapter.settings.parse({ credentials: { clientId: 'client', clientSecret: 'shh', refreshToken: 'another-user' } });
    expect(googleAdapter.credentialId(other)).not.toBe(id);
    expect(googleAdapter.quota).toEqual({ perSecond: 10, burst: 10 });
  });
});
