import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGoogleSimulator, type GoogleSimulator, type SimOAuthCredentials } from '../../adapters/google/simulator/index.js';
import { HubKeys } from '../../src/store/keys.js';
import { calendar, VTIMEZONE_BERLIN } from '../adapters/caldav-fixtures.js';
import { ADMIN, ADMIN_TOKEN, call, eventually, startTestHub, type TestHub } from '../helpers/hub.js';
import { describeWithRadicale, startRadicale, type RadicaleServer } from '../helpers/radicale.js';

/**
 * The calendar sources end to end, through a running hub (api + worker + scheduler) polling a real
 * Radicale (CalDAV) and the Google Calendar simulator every second: what staff do in their
 * calendars (create, move, make recurring with an exception, mark free, cancel) shows in
 * GET /v1/availability within one poll, for a Berlin venue and a New York studio, with weekly
 * series across each zone's 2027 spring DST change (New York 2027-03-14, Berlin 2027-03-28).
 * Then the sync engine's core behaviours against the same sources: an expired sync token, a quota
 * error, a refused credential, and the cost of polling an unchanged calendar.
 */

const POLL_MS = 1_000;
/** "Within one poll interval": the next poll after a change, allowing for the poll's own run time. */
const NEXT_POLL = 3 * POLL_MS;

const VENUE_CAL = '/north/hall/';
const QUIET_CAL = '/north/quiet/';
const LOCKED_CAL = '/north/locked/';
const INSTRUCTOR = 'instructor@group.calendar.google.com';
const QUIET = 'quiet@group.calendar.google.com';
const REVOKED = 'revoked@group.calendar.google.com';
const NY = 'America/New_York';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const yaml = (dav: RadicaleServer, sim: GoogleSimulator) => `
auth: { adminToken: "${ADMIN_TOKEN}" }
defaults:
  limitedAfter: { failures: 2, staleFor: 30s }
  recoverAfter: 1
  syncWindow: { past: 1d, future: 500d }
groups:
  halls: { workflow: hybrid }
  staff: { workflow: hybrid }
x-dav: &dav { kind: caldav, url: "${dav.url}", username: "${dav.username}", password: "\${DAV_PASSWORD}" }
x-google: &google { kind: google, baseUrl: "${sim.url}" }
sites:
  - id: venue
    timezone: Europe/Berlin
    pollEvery: 1s
    adapter: *dav
    resources:
      - { id: hall, kind: unit, group: halls, source: { calendar: "${VENUE_CAL}" } }
  - id: studio
    timezone: ${NY}
    pollEvery: 1s
    adapter:
      <<: *google
      credentials: { clientId: "\${G_CLIENT}", clientSecret: "\${G_SECRET}", refreshToken: "\${G_REFRESH}", tokenUrl: "${sim.tokenUrl}" }
    resources:
      - { id: instructor, kind: unit, group: staff, source: { calendarId: "${INSTRUCTOR}" } }
  # Polled once at start, then only on demand: for counting the requests of unchanged polls.
  - id: venue-quiet
    timezone: Europe/Berlin
    pollEvery: 24h
    adapter: *dav
    resources:
      - { id: hall, kind: unit, group: halls, source: { calendar: "${QUIET_CAL}" } }
  - id: studio-quiet
    timezone: ${NY}
    pollEvery: 24h
    adapter:
      <<: *google
      credentials: { clientId: "\${G_CLIENT}", clientSecret: "\${G_SECRET}", refreshToken: "\${G_REFRESH}", tokenUrl: "${sim.tokenUrl}" }
    resources:
      - { id: instructor, kind: unit, group: staff, source: { calendarId: "${QUIET}" } }
  # Refused credentials: a wrong CalDAV password from the start, a Google refresh token revoked later.
  - id: venue-locked
    timezone: Europe/Berlin
    pollEvery: 1s
    adapter: { kind: caldav, url: "${dav.url}", username: "${dav.username}", password: "\${DAV_WRONG_PASSWORD}" }
    resources:
      - { id: hall, kind: unit, group: halls, source: { calendar: "${LOCKED_CAL}" } }
  - id: studio-revoked
    timezone: ${NY}
    pollEvery: 1s
    adapter:
      <<: *google
      credentials: { clientId: "\${R_CLIENT}", clientSecret: "\${R_SECRET}", refreshToken: "\${R_REFRESH}", tokenUrl: "${sim.tokenUrl}" }
    resources:
      - { id: instructor, kind: unit, group: staff, source: { calendarId: "${REVOKED}" } }
`;

let radicale: RadicaleServer;
let sim: GoogleSimulator;
let oauth: SimOAuthCredentials;
let revokable: SimOAuthCredentials;
let hub: TestHub;

type Piece = { start: string; end: string; available: number };
const utc = (s: string) => new Date(Date.parse(s)).toISOString().replace('.000Z', 'Z');

/** The resource's busy pieces (available 0) from 2027-03-01 to 2027-04-20 (site-local dates), in UTC. */
async function busy(site: string): Promise<string[][]> {
  const r = await call(hub.base, 'GET', `/v1/availability?site=${site}&from=2027-03-01&to=2027-04-20`, { headers: ADMIN });
  expect(r.status).toBe(200);
  const pieces = r.body.sites[0].resources[0].intervals as Piece[];
  return pieces.filter((p) => p.available === 0).map((p) => [utc(p.start), utc(p.end)]);
}

/** Waits for the next scheduled poll to show `expected`, bounded by about three poll intervals. */
const nextPollShows = (site: string, expected: string[][]) =>
  eventually(async () => expect(await busy(site)).toEqual(expected), NEXT_POLL);

/**
 * POST /sync?wait=true: a poll that starts now. A scheduled poll of the same site may hold the
 * site's poll lease (answer `busy`): then it may have read the source before the change, so ask again.
 */
async function syncNow(site: string): Promise<{ status: string; result?: { kind: string; mode?: string }; error?: string }> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const r = await call(hub.base, 'POST', `/v1/sites/${site}/sync?wait=true`, { headers: ADMIN });
    expect(r.status).toBe(200);
    if (r.body.status === 'completed' && ['busy', 'stale'].includes(r.body.result?.kind)) {
      await sleep(20);
      continue;
    }
    return r.body;
  }
  throw new Error(`${site}: every poll found another one running`);
}

async function siteDetail(site: string) {
  const r = await call(hub.base, 'GET', `/v1/sites/${site}`, { headers: ADMIN });
  expect(r.status).toBe(200);
  return r.body as {
    health: string;
    sync: {
      lastSuccessAt: string | null; lastErrorCode: string | null; consecutiveFailures: number;
      lastFullSyncAt: string | null; incremental: boolean; nextPollNotBefore: string | null; sourceBookings: number;
    };
    history: Array<{ from: string; to: string; reason: string }>;
  };
}

// ---- what staff put in the calendars ----

/** A CalDAV event in Berlin local time (TZID with the calendar's VTIMEZONE). */
const berlin = (uid: string, lines: string[], ...overrides: string[][]) => calendar(VTIMEZONE_BERLIN,
  ...[lines, ...overrides].map((l) => ['BEGIN:VEVENT', `UID:${uid}`, 'DTSTAMP:20270101T000000Z', ...l, 'END:VEVENT'].join('\r\n')));
const local = (stamp: string) => `;TZID=Europe/Berlin:${stamp}`;

/** A Google dateTime in New York local time. */
const nyTime = (local: string) => ({ dateTime: local, timeZone: NY });

describeWithRadicale('calendar sources through the hub (Radicale and the Google simulator, polled every second)', () => {
  beforeAll(async () => {
    radicale = await startRadicale();
    for (const [path, name] of [[VENUE_CAL, 'Hall'], [QUIET_CAL, 'Quiet'], [LOCKED_CAL, 'Locked']] as const) {
      await radicale.makeCalendar(path, name);
    }
    await radicale.putEvent(QUIET_CAL, 'standing.ics', berlin('standing-1', [`DTSTART${local('20270302T100000')}`, `DTEND${local('20270302T110000')}`]));
    sim = await startGoogleSimulator();
    for (const id of [INSTRUCTOR, QUIET, REVOKED]) sim.createCalendar(id, { timeZone: NY });
    sim.insertEvent(QUIET, { summary: 'Standing', start: nyTime('2027-03-02T10:00:00'), end: nyTime('2027-03-02T11:00:00') });
    sim.insertEvent(REVOKED, { summary: 'Private', start: nyTime('2027-03-03T10:00:00'), end: nyTime('2027-03-03T11:00:00') });
    oauth = sim.createOAuthClient();
    revokable = sim.createOAuthClient();
    hub = await startTestHub({
      yaml: yaml(radicale, sim),
      env: {
        DAV_PASSWORD: radicale.password, DAV_WRONG_PASSWORD: 'not-the-password',
        G_CLIENT: oauth.clientId, G_SECRET: oauth.clientSecret, G_REFRESH: oauth.refreshToken,
        R_CLIENT: revokable.clientId, R_SECRET: revokable.clientSecret, R_REFRESH: revokable.refreshToken,
      },
      roles: ['api', 'worker', 'scheduler'],
    });
    // The first scheduled polls (full pulls) of the two main sites.
    await eventually(async () => {
      for (const site of ['venue', 'studio']) expect((await siteDetail(site)).sync.incremental).toBe(true);
    }, 10_000);
  }, 40_000);

  afterAll(async () => {
    await hub?.stop();
    await sim?.stop();
    await radicale?.stop();
  });

  describe('CalDAV venue in Europe/Berlin', () => {
    it('a created event is busy at its UTC span after the next poll', async () => {
      expect(await busy('venue')).toEqual([]);
      // 10:00-12:00 CET (UTC+1).
      await radicale.putEvent(VENUE_CAL, 'class.ics', berlin('class-1', [`DTSTART${local('20270310T100000')}`, `DTEND${local('20270310T120000')}`]));
      await nextPollShows('venue', [['2027-03-10T09:00:00Z', '2027-03-10T11:00:00Z']]);
    });

    it('a moved event shows at its new time (poll triggered through the API)', async () => {
      await radicale.putEvent(VENUE_CAL, 'class.ics', berlin('class-1', [
        `DTSTART${local('20270311T150000')}`, `DTEND${local('20270311T163000')}`, 'SEQUENCE:1']));
      const r = await syncNow('venue');
      expect(r).toMatchObject({ status: 'completed', result: { kind: 'ok', mode: 'delta' } });
      expect(await busy('venue')).toEqual([['2027-03-11T14:00:00Z', '2027-03-11T15:30:00Z']]);
    });

    it('made weekly across 2027-03-28 with an EXDATE and a moved instance: 09:00 local is 08:00Z before, 07:00Z after', async () => {
      // Sundays 14, 21 (excluded), 28 (the DST day), 4 April (moved to 14:00), 11 April.
      await radicale.putEvent(VENUE_CAL, 'class.ics', berlin('class-1', [
        `DTSTART${local('20270314T090000')}`, `DTEND${local('20270314T100000')}`, 'SEQUENCE:2',
        'RRULE:FREQ=WEEKLY;COUNT=5', `EXDATE${local('20270321T090000')}`,
      ], [
        `RECURRENCE-ID${local('20270404T090000')}`, `DTSTART${local('20270404T140000')}`, `DTEND${local('20270404T150000')}`, 'SEQUENCE:2',
      ]));
      await nextPollShows('venue', [
        ['2027-03-14T08:00:00Z', '2027-03-14T09:00:00Z'], // CET, UTC+1
        ['2027-03-28T07:00:00Z', '2027-03-28T08:00:00Z'], // CEST, UTC+2, from 02:00 local that day
        ['2027-04-04T12:00:00Z', '2027-04-04T13:00:00Z'], // the moved instance, 14:00 CEST
        ['2027-04-11T07:00:00Z', '2027-04-11T08:00:00Z'],
      ]);
      const site = await siteDetail('venue');
      expect(site.sync.sourceBookings).toBe(4);
    });

    it('an event marked free (TRANSP:TRANSPARENT) is not busy', async () => {
      const before = await busy('venue');
      await radicale.putEvent(VENUE_CAL, 'meeting.ics', berlin('meeting-1', [`DTSTART${local('20270312T100000')}`, `DTEND${local('20270312T110000')}`]));
      await nextPollShows('venue', [...before, ['2027-03-12T09:00:00Z', '2027-03-12T10:00:00Z']].sort((a, b) => a[0]!.localeCompare(b[0]!)));
      await radicale.putEvent(VENUE_CAL, 'meeting.ics', berlin('meeting-1', [
        `DTSTART${local('20270312T100000')}`, `DTEND${local('20270312T110000')}`, 'TRANSP:TRANSPARENT', 'SEQUENCE:1']));
      expect(await syncNow('venue')).toMatchObject({ status: 'completed', result: { kind: 'ok' } });
      expect(await busy('venue')).toEqual(before);
    });

    it('a cancelled series (STATUS:CANCELLED) frees every instance, and a deleted event its time', async () => {
      await radicale.putEvent(VENUE_CAL, 'class.ics', berlin('class-1', [
        `DTSTART${local('20270314T090000')}`, `DTEND${local('20270314T100000')}`, 'SEQUENCE:3', 'STATUS:CANCELLED',
        'RRULE:FREQ=WEEKLY;COUNT=5', `EXDATE${local('20270321T090000')}`,
      ]));
      await nextPollShows('venue', []);
      await radicale.putEvent(VENUE_CAL, 'late.ics', berlin('late-1', [`DTSTART${local('20270330T200000')}`, `DTEND${local('20270330T220000')}`]));
      await nextPollShows('venue', [['2027-03-30T18:00:00Z', '2027-03-30T20:00:00Z']]);
      await radicale.deleteEvent(VENUE_CAL, 'late.ics');
      await nextPollShows('venue', []);
    });
  });

  describe('Google studio in America/New_York', () => {
    let classId = '';

    it('a created event is busy at its UTC span after the next poll', async () => {
      expect(await busy('studio')).toEqual([]);
      // 10:00-12:00 EST (UTC-5).
      classId = sim.insertEvent(INSTRUCTOR, { summary: 'Class', start: nyTime('2027-03-10T10:00:00'), end: nyTime('2027-03-10T12:00:00') }).id;
      await nextPollShows('studio', [['2027-03-10T15:00:00Z', '2027-03-10T17:00:00Z']]);
    });

    it('a moved event shows at its new time (poll triggered through the API)', async () => {
      sim.patchEvent(INSTRUCTOR, classId, { start: nyTime('2027-03-11T13:00:00'), end: nyTime('2027-03-11T14:30:00') });
      const r = await syncNow('studio');
      expect(r).toMatchObject({ status: 'completed', result: { kind: 'ok', mode: 'delta' } });
      expect(await busy('studio')).toEqual([['2027-03-11T18:00:00Z', '2027-03-11T19:30:00Z']]);
    });

    it('made weekly across 2027-03-14 with an EXDATE and a moved instance: 09:00 local is 14:00Z before, 13:00Z after', async () => {
      // Sundays 7, 14 (the DST day), 21 (excluded), 28 (moved to 16:00), 4 April.
      sim.patchEvent(INSTRUCTOR, classId, {
        start: nyTime('2027-03-07T09:00:00'), end: nyTime('2027-03-07T10:00:00'),
        recurrence: ['RRULE:FREQ=WEEKLY;COUNT=5', 'EXDATE;TZID=America/New_York:20270321T090000'],
      });
      // The instance of 28 March, 09:00 EDT = 13:00Z, becomes an exception at 16:00 EDT.
      sim.patchEvent(INSTRUCTOR, `${classId}_20270328T130000Z`, { start: nyTime('2027-03-28T16:00:00'), end: nyTime('2027-03-28T17:00:00') });
      await nextPollShows('studio', [
        ['2027-03-07T14:00:00Z', '2027-03-07T15:00:00Z'], // EST, UTC-5
        ['2027-03-14T13:00:00Z', '2027-03-14T14:00:00Z'], // EDT, UTC-4, from 02:00 local that day
        ['2027-03-28T20:00:00Z', '2027-03-28T21:00:00Z'], // the moved instance, 16:00 EDT
        ['2027-04-04T13:00:00Z', '2027-04-04T14:00:00Z'],
      ]);
      // The single event it was is gone: only the four instances remain.
      expect((await siteDetail('studio')).sync.sourceBookings).toBe(4);
    });

    it('an event marked free (transparency transparent) is not busy', async () => {
      const before = await busy('studio');
      const meeting = sim.insertEvent(INSTRUCTOR, { summary: 'Meeting', start: nyTime('2027-03-12T10:00:00'), end: nyTime('2027-03-12T11:00:00') });
      await nextPollShows('studio', [...before, ['2027-03-12T15:00:00Z', '2027-03-12T16:00:00Z']].sort((a, b) => a[0]!.localeCompare(b[0]!)));
      sim.patchEvent(INSTRUCTOR, meeting.id, { transparency: 'transparent' });
      expect(await syncNow('studio')).toMatchObject({ status: 'completed', result: { kind: 'ok' } });
      expect(await busy('studio')).toEqual(before);
    });

    it('a cancelled instance, then the deleted series, free their time', async () => {
      sim.deleteEvent(INSTRUCTOR, `${classId}_20270404T130000Z`);
      await nextPollShows('studio', [
        ['2027-03-07T14:00:00Z', '2027-03-07T15:00:00Z'],
        ['2027-03-14T13:00:00Z', '2027-03-14T14:00:00Z'],
        ['2027-03-28T20:00:00Z', '2027-03-28T21:00:00Z'],
      ]);
      sim.deleteEvent(INSTRUCTOR, classId);
      await nextPollShows('studio', []);
      expect((await siteDetail('studio')).sync.sourceBookings).toBe(0);
    });
  });

  it('an unchanged calendar costs one request per poll: CalDAV and Google, counted at the server', async () => {
    const quietDav = () => radicale.requests().filter((r) => r.path.startsWith(QUIET_CAL)).length;
    const quietGoogle = () => sim.requestCount(`/calendar/v3/calendars/${QUIET}/events`);
    // A first poll (a full pull: their scheduler's first tick is a day away) gives each a cursor.
    for (const site of ['venue-quiet', 'studio-quiet']) {
      expect((await syncNow(site)).result).toMatchObject({ kind: 'ok' });
    }
    const [dav0, google0] = [quietDav(), quietGoogle()];
    for (let i = 0; i < 3; i++) {
      for (const site of ['venue-quiet', 'studio-quiet']) {
        expect((await syncNow(site)).result).toEqual({ kind: 'ok', mode: 'delta', added: 0, removed: 0, skipped: 0 });
      }
    }
    expect(quietDav() - dav0).toBe(3);
    expect(quietGoogle() - google0).toBe(3);
    // And what the unchanged polls kept: the one standing event each.
    expect(await busy('venue-quiet')).toEqual([['2027-03-02T09:00:00Z', '2027-03-02T10:00:00Z']]);
    expect(await busy('studio-quiet')).toEqual([['2027-03-02T15:00:00Z', '2027-03-02T16:00:00Z']]);
  });

  describe('an expired sync token at the source: the next poll resyncs in full and availability stays right', () => {
    it('CalDAV: Radicale forgot its sync tokens (403 valid-sync-token)', async () => {
      await radicale.putEvent(VENUE_CAL, 'keep.ics', berlin('keep-1', [`DTSTART${local('20270315T100000')}`, `DTEND${local('20270315T110000')}`]));
      await nextPollShows('venue', [['2027-03-15T09:00:00Z', '2027-03-15T10:00:00Z']]);
      const before = await siteDetail('venue');
      await radicale.forgetSyncTokens(VENUE_CAL);
      await radicale.putEvent(VENUE_CAL, 'after.ics', berlin('after-1', [`DTSTART${local('20270316T100000')}`, `DTEND${local('20270316T110000')}`]));
      await nextPollShows('venue', [['2027-03-15T09:00:00Z', '2027-03-15T10:00:00Z'], ['2027-03-16T09:00:00Z', '2027-03-16T10:00:00Z']]);
      const after = await siteDetail('venue');
      expect(Date.parse(after.sync.lastFullSyncAt!)).toBeGreaterThan(Date.parse(before.sync.lastFullSyncAt!));
      expect(after).toMatchObject({ health: 'healthy', sync: { lastErrorCode: null, consecutiveFailures: 0, incremental: true, sourceBookings: 2 } });
      // Incremental again afterwards: one REPORT per unchanged poll.
      expect(await syncNow('venue')).toMatchObject({ result: { kind: 'ok', mode: 'delta' } });
    });

    it('Google: 410 fullSyncRequired', async () => {
      sim.insertEvent(INSTRUCTOR, { summary: 'Kept', start: nyTime('2027-03-15T10:00:00'), end: nyTime('2027-03-15T11:00:00') });
      await nextPollShows('studio', [['2027-03-15T14:00:00Z', '2027-03-15T15:00:00Z']]);
      const before = await siteDetail('studio');
      const logBefore = sim.requests().length;
      sim.expireSyncTokens();
      sim.insertEvent(INSTRUCTOR, { summary: 'After', start: nyTime('2027-03-16T10:00:00'), end: nyTime('2027-03-16T11:00:00') });
      await nextPollShows('studio', [['2027-03-15T14:00:00Z', '2027-03-15T15:00:00Z'], ['2027-03-16T14:00:00Z', '2027-03-16T15:00:00Z']]);
      const mine = sim.requests().slice(logBefore).filter((r) => r.path === `/calendar/v3/calendars/${INSTRUCTOR}/events`);
      expect(mine[0]).toMatchObject({ status: 410 });
      expect(mine[1]).toMatchObject({ status: 200 });
      expect(mine[1]!.query.syncToken).toBeUndefined();
      const after = await siteDetail('studio');
      expect(Date.parse(after.sync.lastFullSyncAt!)).toBeGreaterThan(Date.parse(before.sync.lastFullSyncAt!));
      expect(after).toMatchObject({ health: 'healthy', sync: { lastErrorCode: null, consecutiveFailures: 0, incremental: true, sourceBookings: 2 } });
    });
  });

  describe('a refused credential: ADAPTER.AUTH, the site moves toward limited, the job is not retried', () => {
    it('CalDAV: a wrong password', async () => {
      const site = await eventually(async () => {
        const s = await siteDetail('venue-locked');
        expect(s.health).toBe('limited');
        return s;
      }, 10_000);
      expect(site.sync.lastErrorCode).toBe('ADAPTER.AUTH');
      expect(site.sync.lastSuccessAt).toBeNull();
      expect(site.history.map((h) => h.to).reverse()).toEqual(['degraded', 'limited']);
      const r = await syncNow('venue-locked');
      expect(r.status).toBe('failed');
      expect(r.error).toMatch(/^ADAPTER\.AUTH: /);
      expect(r.error).not.toContain('not-the-password');
    });

    it('Google: a revoked refresh token', async () => {
      await eventually(async () => expect((await siteDetail('studio-revoked')).sync.sourceBookings).toBe(1), 10_000);
      expect((await siteDetail('studio-revoked')).health).toBe('healthy');
      sim.revokeRefreshToken(revokable.refreshToken);
      sim.expireAccessTokens(); // the cached access token stops working: the adapter must refresh
      const site = await eventually(async () => {
        const s = await siteDetail('studio-revoked');
        expect(s.health).toBe('limited');
        return s;
      }, 10_000);
      expect(site.sync.lastErrorCode).toBe('ADAPTER.AUTH');
      expect(site.history.map((h) => h.to).reverse()).toEqual(['degraded', 'limited']);
      // The last data stays, marked limited.
      const avail = await call(hub.base, 'GET', '/v1/availability?site=studio-revoked&from=2027-03-01&to=2027-04-20', { headers: ADMIN });
      expect(avail.body.sites[0]).toMatchObject({ health: 'limited', limited: true });

      const r = await syncNow('studio-revoked');
      expect(r.status).toBe('failed');
      expect(r.error).toMatch(/^ADAPTER\.AUTH: .*invalid_grant/);
      expect(r.error).not.toContain(revokable.refreshToken);
      // BullMQ was told not to retry: the job failed with an UnrecoverableError on its first attempt.
      const { Queue } = await import('bullmq');
      const connection = hub.redis.duplicate();
      const queue = new Queue('poll', { connection, prefix: new HubKeys(hub.prefix, hub.config.hubId).queuePrefix() });
      try {
        const failed = (await queue.getFailed(0, 500)).filter((j) => j.data.site === 'studio-revoked');
        expect(failed.length).toBeGreaterThan(0);
        for (const job of failed) {
          expect(job.attemptsMade).toBe(1);
          expect(job.stacktrace?.[0]).toMatch(/^UnrecoverableError: ADAPTER\.AUTH/);
        }
      } finally {
        await queue.close();
        connection.disconnect();
      }
    });
  });

  it('a quota error (403 rateLimitExceeded, Retry-After 2 s): the site stays healthy, waits, then polls again', async () => {
    const before = await siteDetail('studio');
    expect(before.health).toBe('healthy');
    const studioRequests = () => sim.requestCount(`/calendar/v3/calendars/${INSTRUCTOR}/events`);
    // Only the studio's polls reach the Calendar API now (studio-revoked fails at the token
    // endpoint, studio-quiet polls once a day): the next poll meets the quota error.
    sim.failNext(1, { status: 403, reason: 'rateLimitExceeded', retryAfter: 2 });
    const paused = await eventually(async () => {
      const s = await siteDetail('studio');
      expect(s.sync.nextPollNotBefore).not.toBeNull();
      return s;
    }, NEXT_POLL);
    const requestsWhilePaused = studioRequests();
    const notBefore = Date.parse(paused.sync.nextPollNotBefore!);
    expect(notBefore - Date.now()).toBeLessThanOrEqual(2_000);
    expect(paused).toMatchObject({ health: 'healthy', sync: { consecutiveFailures: 0, lastErrorCode: null } });
    expect(paused.history).toEqual(before.history);

    // A change while paused: scheduled polls are skipped until notBefore (no requests), then it shows.
    sim.insertEvent(INSTRUCTOR, { summary: 'During the pause', start: nyTime('2027-03-17T10:00:00'), end: nyTime('2027-03-17T11:00:00') });
    await sleep(Math.max(0, notBefore - Date.now() - 300));
    expect(studioRequests()).toBe(requestsWhilePaused);
    await eventually(async () => expect(await busy('studio')).toContainEqual(['2027-03-17T14:00:00Z', '2027-03-17T15:00:00Z']), NEXT_POLL + 500);
    // The poll that applied it records its success right after (a separate write).
    const after = await eventually(async () => {
      const s = await siteDetail('studio');
      expect(Date.parse(s.sync.lastSuccessAt!)).toBeGreaterThanOrEqual(notBefore);
      return s;
    }, 1_000);
    expect(after).toMatchObject({ health: 'healthy', sync: { nextPollNotBefore: null, consecutiveFailures: 0, lastErrorCode: null } });
    expect(after.history).toEqual(before.history);
  });
});
