import { createSign } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GoogleSimulatorClient } from './simulator/client.js';
import { startGoogleSimulator, type GoogleSimulator, type SimEventsPage } from './simulator/index.js';

/** The simulator as any Google client sees it: plain HTTP, Google's paths, errors and tokens. */

const NY = 'America/New_York';
let sim: GoogleSimulator;
let bearer: string;

async function refresh(body: Record<string, string>): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(sim.tokenUrl, { method: 'POST', body: new URLSearchParams(body) });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

async function api(path: string, init: { method?: string; query?: Record<string, string>; body?: unknown; auth?: string | null } = {}) {
  const url = new URL(`calendar/v3/${path}`, sim.url);
  for (const [k, v] of Object.entries(init.query ?? {})) url.searchParams.set(k, v);
  const auth = init.auth === undefined ? bearer : init.auth;
  const res = await fetch(url, {
    method: init.method ?? 'GET',
    headers: { ...(auth ? { authorization: `Bearer ${auth}` } : {}), ...(init.body ? { 'content-type': 'application/json' } : {}) },
    ...(init.body ? { body: JSON.stringify(init.body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, json: (text ? JSON.parse(text) : undefined) };
}

const list = (calendarId: string, query: Record<string, string>) =>
  api(`calendars/${encodeURIComponent(calendarId)}/events`, { query }).then((r) => r.json as SimEventsPage & { error?: unknown });

const timed = (day: number, hour: number, minutes = 60) => ({
  start: { dateTime: new Date(Date.UTC(2027, 2, day, hour)).toISOString() },
  end: { dateTime: new Date(Date.UTC(2027, 2, day, hour) + minutes * 60_000).toISOString() },
});

beforeAll(async () => {
  sim = await startGoogleSimulator();
  const creds = sim.createOAuthClient();
  const { json } = await refresh({ grant_type: 'refresh_token', client_id: creds.clientId, client_secret: creds.clientSecret, refresh_token: creds.refreshToken });
  bearer = json.access_token as string;
});
afterAll(async () => { await sim?.stop(); });

describe('google simulator: OAuth token endpoint', () => {
  it('exchanges a refresh token for a bearer token and refuses unknown clients, unknown and revoked tokens', async () => {
    const creds = sim.createOAuthClient({ clientId: 'hub.apps.sim', clientSecret: 's3cret', refreshToken: 'rt-1' });
    const ok = await refresh({ grant_type: 'refresh_token', client_id: 'hub.apps.sim', client_secret: 's3cret', refresh_token: 'rt-1' });
    expect(ok.status).toBe(200);
    expect(ok.json).toMatchObject({ token_type: 'Bearer', expires_in: 3600 });
    expect(typeof ok.json.access_token).toBe('string');

    expect(await refresh({ grant_type: 'refresh_token', client_id: 'hub.apps.sim', client_secret: 'wrong', refresh_token: 'rt-1' }))
      .toMatchObject({ status: 401, json: { error: 'invalid_client' } });
    expect(await refresh({ grant_type: 'refresh_token', client_id: 'hub.apps.sim', client_secret: 's3cret', refresh_token: 'nope' }))
      .toMatchObject({ status: 400, json: { error: 'invalid_grant' } });
    sim.revokeRefreshToken(creds.refreshToken);
    expect(await refresh({ grant_type: 'refresh_token', client_id: 'hub.apps.sim', client_secret: 's3cret', refresh_token: 'rt-1' }))
      .toMatchObject({ status: 400, json: { error: 'invalid_grant' } });
  });

  it('accepts a service account JWT-bearer assertion signed with its key, and refuses a disabled account', async () => {
    const key = sim.createServiceAccount('hub@avhub-sim.iam.gserviceaccount.com');
    const assertion = () => {
      const b64 = (v: object) => Buffer.from(JSON.stringify(v)).toString('base64url');
      const now = Math.floor(Date.now() / 1000);
      const unsigned = `${b64({ alg: 'RS256', typ: 'JWT' })}.${b64({
        iss: key.client_email, scope: 'https://www.googleapis.com/auth/calendar.events',
        aud: 'https://oauth2.googleapis.com/token', iat: now, exp: now + 3600,
      })}`;
      return `${unsigned}.${createSign('RSA-SHA256').update(unsigned).sign(key.private_key).toString('base64url')}`;
    };
    const grant = { grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer' };
    const ok = await refresh({ ...grant, assertion: assertion() });
    expect(ok.status).toBe(200);
    expect((await api('calendars/nowhere/events', { auth: ok.json.access_token as string })).status).toBe(404);
    sim.disableServiceAccount(key.client_email);
    expect(await refresh({ ...grant, assertion: assertion() })).toMatchObject({ status: 400, json: { error: 'invalid_grant' } });
  });

  it('checks the bearer token on every API call (Google-style 401 body)', async () => {
    sim.createCalendar('auth-check', { timeZone: 'UTC' });
    const none = await api('calendars/auth-check/events', { auth: null });
    expect(none.status).toBe(401);
    expect(none.json.error).toMatchObject({ code: 401, status: 'UNAUTHENTICATED', errors: [{ domain: 'global', reason: 'authError', location: 'Authorization' }] });
    expect((await api('calendars/auth-check/events', { auth: 'ya29.forged' })).status).toBe(401);
  });
});

describe('google simulator: events.list paging and sync', () => {
  const CAL = 'paging@sim';
  beforeAll(() => {
    sim.createCalendar(CAL, { timeZone: NY });
    for (let i = 0; i < 5; i++) sim.insertEvent(CAL, { summary: `e${i}`, ...timed(1 + i, 14) });
  });

  it('pages with nextPageToken and puts nextSyncToken on the last page only', async () => {
    const pages: SimEventsPage[] = [];
    let pageToken: string | undefined;
    do {
      const page = await list(CAL, { maxResults: '2', singleEvents: 'true', ...(pageToken ? { pageToken } : {}) });
      pages.push(page);
      pageToken = page.nextPageToken;
    } while (pageToken);
    expect(pages.map((p) => p.items.length)).toEqual([2, 2, 1]);
    expect(pages.map((p) => [p.nextPageToken !== undefined, p.nextSyncToken !== undefined])).toEqual([[true, false], [true, false], [false, true]]);
    expect(new Set(pages.flatMap((p) => p.items.map((e) => e.id))).size).toBe(5);
    const defaults = await list(CAL, {});
    expect(defaults.items).toHaveLength(5); // maxResults defaults to 250
  });

  it('answers a sync token with only the changes since, deletions as cancelled stubs', async () => {
    const { nextSyncToken } = await list(CAL, { singleEvents: 'true' });
    expect((await list(CAL, { singleEvents: 'true', syncToken: nextSyncToken! })).items).toEqual([]);
    const added = sim.insertEvent(CAL, { summary: 'new', ...timed(10, 15) });
    const gone = sim.storedEvents(CAL)[0]!;
    sim.deleteEvent(CAL, gone.id);
    const changes = await list(CAL, { singleEvents: 'true', showDeleted: 'true', syncToken: nextSyncToken! });
    expect(changes.items).toHaveLength(2);
    expect(changes.items).toContainEqual(expect.objectContaining({ id: added.id, status: 'confirmed', summary: 'new' }));
    expect(changes.items).toContainEqual({ kind: 'calendar#event', etag: expect.any(String), id: gone.id, status: 'cancelled' });
    expect(changes.nextSyncToken).toBeDefined();
  });

  it('answers 410 fullSyncRequired once sync tokens expire, and for unknown tokens', async () => {
    const { nextSyncToken } = await list(CAL, {});
    sim.expireSyncTokens();
    const expired = await api(`calendars/${CAL}/events`, { query: { syncToken: nextSyncToken! } });
    expect(expired.status).toBe(410);
    expect(expired.json.error).toMatchObject({ code: 410, errors: [{ domain: 'calendar', reason: 'fullSyncRequired', location: 'syncToken' }] });
    expect((await api(`calendars/${CAL}/events`, { query: { syncToken: 'CPDAlvWDx70CEPDAlvWDx70CGAU=' } })).status).toBe(410);
  });

  it('refuses what Google refuses: syncToken with timeMin/orderBy, showDeleted=false; an empty range; startTime order without singleEvents', async () => {
    const { nextSyncToken } = await list(CAL, {});
    const token = nextSyncToken!;
    const refused: Array<Record<string, string>> = [
      { syncToken: token, timeMin: '2027-03-01T00:00:00Z' },
      { syncToken: token, timeMax: '2027-03-01T00:00:00Z' },
      { syncToken: token, orderBy: 'updated' },
      { syncToken: token, showDeleted: 'false' },
      { orderBy: 'startTime' },
      { timeMin: '2027-03-01T00:00:00' },
    ];
    for (const query of refused) {
      const res = await api(`calendars/${CAL}/events`, { query });
      expect(res.status, JSON.stringify(query)).toBe(400);
      expect(res.json.error.errors[0].domain).toBeDefined();
    }
    const empty = await api(`calendars/${CAL}/events`, { query: { timeMin: '2027-03-02T00:00:00Z', timeMax: '2027-03-01T00:00:00Z' } });
    expect(empty.json.error.errors[0]).toMatchObject({ reason: 'timeRangeEmpty' });
  });

  it('filters a full listing by timeMin (end after) and timeMax (start before)', async () => {
    const page = await list(CAL, { singleEvents: 'true', orderBy: 'startTime', timeMin: '2027-03-02T14:30:00Z', timeMax: '2027-03-04T14:00:00Z' });
    expect(page.items.map((e) => 'summary' in e && e.summary)).toEqual(['e1', 'e2']);
  });
});

describe('google simulator: events', () => {
  const CAL = 'events@sim';
  beforeAll(() => sim.createCalendar(CAL, { timeZone: NY }));

  it('inserts with a client-chosen base32hex id; the same id again is 409 duplicate (also after delete)', async () => {
    const body = { id: 'avhub0123456789abcdefuv', summary: 'hold', ...timed(5, 15) };
    expect((await api(`calendars/${CAL}/events`, { method: 'POST', body })).status).toBe(200);
    const again = await api(`calendars/${CAL}/events`, { method: 'POST', body });
    expect(again.status).toBe(409);
    expect(again.json.error).toMatchObject({ code: 409, errors: [{ reason: 'duplicate' }] });
    expect((await api(`calendars/${CAL}/events/${body.id}`, { method: 'DELETE' })).status).toBe(204);
    expect((await api(`calendars/${CAL}/events/${body.id}`, { method: 'DELETE' })).json.error.errors[0].reason).toBe('deleted');
    expect((await api(`calendars/${CAL}/events`, { method: 'POST', body })).status).toBe(409);
    for (const id of ['UPPER12345', 'abc', 'has_underscore', 'wxyz12345']) {
      expect((await api(`calendars/${CAL}/events`, { method: 'POST', body: { ...body, id } })).status, id).toBe(400);
    }
    expect((await api(`calendars/${CAL}/events/missing00`, { method: 'DELETE' })).status).toBe(404);
  });

  it('validates like Google: missing end, end before start, recurring without a time zone', async () => {
    const post = (body: object) => api(`calendars/${CAL}/events`, { method: 'POST', body });
    expect((await post({ start: timed(1, 1).start })).status).toBe(400);
    expect((await post({ start: timed(1, 5).start, end: timed(1, 4).start })).json.error.errors[0].reason).toBe('timeRangeEmpty');
    expect((await post({ ...timed(1, 1), recurrence: ['RRULE:FREQ=DAILY'] })).status).toBe(400);
    expect((await post({ start: { dateTime: '2027-03-01T09:00:00' }, end: { dateTime: '2027-03-01T10:00:00' } })).status).toBe(400);
  });

  it('expands recurring events into instances with Google ids, keeping 09:00 local across DST, with exceptions and EXDATE', async () => {
    sim.insertEvent(CAL, {
      id: 'standup001',
      summary: 'Stand-up',
      start: { dateTime: '2027-03-12T09:00:00', timeZone: NY },
      end: { dateTime: '2027-03-12T09:30:00', timeZone: NY },
      recurrence: ['RRULE:FREQ=DAILY;COUNT=5', 'EXDATE;TZID=America/New_York:20270316T090000'],
    });
    // Move the DST-day instance by its instance id (how Google edits one instance).
    const moved = await api(`calendars/${CAL}/events/standup001_20270314T130000Z`, {
      method: 'PATCH', body: { start: { dateTime: '2027-03-14T11:00:00-04:00' }, end: { dateTime: '2027-03-14T11:30:00-04:00' } },
    });
    expect(moved.status).toBe(200);
    const page = await list(CAL, { singleEvents: 'true', orderBy: 'startTime', q: 'Stand-up' });
    expect(page.items.map((e) => [e.id, 'start' in e ? e.start.dateTime : null])).toEqual([
      ['standup001_20270312T140000Z', '2027-03-12T09:00:00-05:00'],
      ['standup001_20270313T140000Z', '2027-03-13T09:00:00-05:00'],
      ['standup001_20270314T130000Z', '2027-03-14T11:00:00-04:00'],
      ['standup001_20270315T130000Z', '2027-03-15T09:00:00-04:00'],
    ]);
    expect(page.items[2]).toMatchObject({
      recurringEventId: 'standup001',
      originalStartTime: { dateTime: '2027-03-14T09:00:00-04:00', timeZone: NY },
    });
    const series = await list(CAL, { q: 'Stand-up' });
    expect(series.items.map((e) => e.id).sort()).toEqual(['standup001', 'standup001_20270314T130000Z']);
  });
});

describe('google simulator: failure injection and admin over HTTP', () => {
  const CAL = 'faults@sim';
  beforeAll(() => sim.createCalendar(CAL, { timeZone: 'UTC' }));

  it('failNext answers Google quota errors with Retry-After, then serves normally', async () => {
    sim.failNext(1, { status: 403, reason: 'rateLimitExceeded', retryAfter: 7 });
    sim.failNext(1, { status: 429 });
    const first = await api(`calendars/${CAL}/events`);
    expect(first.status).toBe(403);
    expect(first.headers.get('retry-after')).toBe('7');
    expect(first.json.error).toMatchObject({ code: 403, errors: [{ domain: 'usageLimits', reason: 'rateLimitExceeded' }] });
    expect((await api(`calendars/${CAL}/events`)).json.error.errors[0].reason).toBe('rateLimitExceeded');
    expect((await api(`calendars/${CAL}/events`)).status).toBe(200);
  });

  it('goDown answers 503 (or resets connections) until comeBack', async () => {
    sim.goDown();
    expect((await api(`calendars/${CAL}/events`)).status).toBe(503);
    sim.goDown({ mode: 'refuse' });
    await expect(api(`calendars/${CAL}/events`)).rejects.toThrow();
    sim.comeBack();
    expect((await api(`calendars/${CAL}/events`)).status).toBe(200);
  });

  it('serves the admin API under /__sim/ for other processes, and counts requests by path', async () => {
    const client = new GoogleSimulatorClient(sim.url);
    await client.createCalendar('remote@sim', { timeZone: 'Europe/Berlin' });
    const e = await client.insertEvent('remote@sim', { summary: 'remote', ...timed(3, 9) });
    await client.patchEvent('remote@sim', e.id, { summary: 'renamed' });
    expect((await client.getEvent('remote@sim', e.id)).summary).toBe('renamed');
    const before = await client.requestCount('/calendar/v3/');
    await list('remote@sim', {});
    expect(await client.requestCount('/calendar/v3/')).toBe(before + 1);
    expect(sim.requestCount('/calendar/v3/calendars/remote@sim/')).toBe(1);
    await client.failNext(1, { status: 503 });
    expect((await api('calendars/remote@sim/events')).status).toBe(503);
    await client.deleteEvent('remote@sim', e.id);
    expect((await client.storedEvents('remote@sim'))[0]!.status).toBe('cancelled');
    await expect(client.insertEvent('nowhere', { ...timed(1, 1) })).rejects.toThrow(/404/);
  });
});
