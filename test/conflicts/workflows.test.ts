import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { startGoogleSimulator, type GoogleSimulator } from '../../adapters/google/simulator/index.js';
import { startRestPmsSimulator, type RestPmsSimulator } from '../../adapters/rest/simulator/index.js';
import { call, eventually, startTestHub, type TestHub } from '../helpers/hub.js';
import {
  ADMIN, PMS_TOKEN, admin, conflictOf, date, nightsAvailable, polledAgain, polledWith, reservation, restSite,
} from './helpers.js';

/*
 * Several groups with different workflows side by side in one hub: a hybrid hotel on a PMS that
 * goes offline and sells locally meanwhile; a decentralized instructor shared by two gyms (hub
 * only, soft locks); an instructor shared by two Google calendars whose second calendar opted in
 * to mirrored busy blocks.
 */
const IN = date(20);
const OUT = date(22);
const H = 3_600_000;
const DAY0 = Math.floor(Date.now() / 86_400_000) * 86_400_000 + 10 * 86_400_000;
const CAL_A = 'coach-a@group.calendar.google.com';
const CAL_B = 'coach-b@group.calendar.google.com';

let pms: RestPmsSimulator;
let google: GoogleSimulator;
let hub: TestHub;

const yaml = (g: GoogleSimulator) => {
  const oauth = g.createOAuthClient({ clientId: 'cid', clientSecret: 'csecret', refreshToken: 'rtoken' });
  const googleSite = (id: string, calendarId: string) => ({
    id, name: `Studio ${id}`, timezone: 'Europe/Berlin', pollEvery: '1s',
    adapter: { kind: 'google', baseUrl: g.url, credentials: { clientId: '${G_CLIENT}', clientSecret: '${G_SECRET}', refreshToken: '${G_REFRESH}', tokenUrl: oauth.tokenUrl } },
    resources: [{ id: 'coach', kind: 'unit', group: 'studios', source: { calendarId } }],
  });
  return stringify({
    auth: { adminToken: ADMIN },
    defaults: {
      writeback: { attempts: 3, backoff: '100ms' }, syncWindow: { past: '1d', future: '60d' },
      limitedAfter: { failures: 2 }, recoverAfter: 1,
    },
    groups: {
      rooms: { workflow: 'hybrid', conflictPolicy: 'first-come' },
      gyms: { workflow: 'decentralized', holdTtl: '10s' },
      studios: { workflow: 'decentralized' },
    },
    sites: [
      restSite('hy', pms.url, 'rooms'),
      { id: 'gym-a', name: 'Gym A', timezone: 'Europe/Berlin', adapter: { kind: 'none' }, resources: [{ id: 'coach', kind: 'unit', group: 'gyms' }] },
      { id: 'gym-b', name: 'Gym B', timezone: 'Europe/Berlin', adapter: { kind: 'none' }, resources: [{ id: 'trainer', kind: 'unit', group: 'gyms' }] },
      googleSite('studio-a', CAL_A),
      googleSite('studio-b', CAL_B),
    ],
    shared: [
      { id: 'coach', members: [{ site: 'gym-a', resource: 'coach' }, { site: 'gym-b', resource: 'trainer' }] },
      { id: 'yoga-coach', members: [{ site: 'studio-a', resource: 'coach' }, { site: 'studio-b', resource: 'coach', mirror: true }] },
    ],
  });
};

const intervals = async (site: string, from: number, to: number) => {
  const r = await call(hub.base, 'GET', `/v1/availability?site=${site}&from=${new Date(from).toISOString()}&to=${new Date(to).toISOString()}`, { headers: admin });
  expect(r.status).toBe(200);
  return (r.body.sites[0].resources[0].intervals as Array<{ start: string; end: string; available: number }>)
    .map((p) => [Date.parse(p.start), Date.parse(p.end), p.available]);
};

describe('workflows side by side', () => {
  beforeAll(async () => {
    pms = await startRestPmsSimulator({ token: PMS_TOKEN, seed: { roomTypes: { DBL: 1 } } });
    google = await startGoogleSimulator();
    google.createCalendar(CAL_A, { timeZone: 'Europe/Berlin' });
    google.createCalendar(CAL_B, { timeZone: 'Europe/Berlin' });
    hub = await startTestHub({
      roles: ['api', 'worker', 'scheduler'], yaml: yaml(google),
      env: { G_CLIENT: 'cid', G_SECRET: 'csecret', G_REFRESH: 'rtoken' },
    });
  });
  afterAll(async () => {
    await hub?.stop();
    await pms?.stop();
    await google?.stop();
  });

  it('hybrid: a site that was offline and sold locally reconciles on return, by the policy (first-come)', async () => {
    await polledWith(hub, 'hy', IN, OUT, [1, 1]);
    pms.admin.goDown();
    await eventually(async () => {
      const s = await call(hub.base, 'GET', '/v1/sites/hy', { headers: admin });
      expect(s.body.health).toBe('limited');
    }, 20_000);
    // The front desk sells the last room while the hub cannot see it...
    const walkIn = pms.admin.createBooking({ roomType: 'DBL', arrival: IN, departure: OUT, guest: 'walk-in' }).id;
    await new Promise((r) => setTimeout(r, 5));
    // ...and the hub, in a hybrid group, still takes a hold: flagged as not confirmed by the site.
    const held = await call(hub.base, 'POST', '/v1/holds', { headers: admin, body: { site: 'hy', resource: 'double', checkIn: IN, checkOut: OUT } });
    expect(held.status).toBe(201);
    expect(held.body.unconfirmedBySite).toBe(true);
    const hold = held.body as { id: string };
    const confirm = await call(hub.base, 'POST', `/v1/holds/${hold.id}/confirm`, { headers: admin });
    expect(confirm.status).toBe(202);
    const resv = confirm.body.reservationId as string;
    await new Promise((r) => setTimeout(r, 1500));
    expect((await reservation(hub, resv)).status).toBe('pending'); // the write-back waits for the site

    pms.admin.comeBack();
    await call(hub.base, 'POST', '/v1/sites/hy/sync?wait=true', { headers: admin });
    const done = await conflictOf(hub, 'hy', 'resolved', 20_000);
    expect(done.workflow).toBe('hybrid');
    expect(done.outcome).toMatchObject({ decidedBy: 'policy', stands: [`site:hy:${walkIn}`], losers: [{ ref: `hub:${resv}`, action: 'cancelled' }] });
    expect(done.bookings.find((b: any) => b.origin === 'hub').status).toBe('pending');
    expect(done.audit.map((a: any) => a.action)).toEqual(['opened', 'policy', 'cancelled', 'resolved']);
    expect((await reservation(hub, resv)).status).toBe('cancelled');
    // Nothing was ever written for the cancelled reservation; the walk-in keeps the room.
    await new Promise((r) => setTimeout(r, 1500));
    expect(pms.admin.bookings().filter((b) => b.externalRef?.startsWith(`avhub-${resv}`))).toEqual([]);
    expect(pms.admin.bookings().filter((b) => b.state === 'CONFIRMED').map((b) => b.id)).toEqual([walkIn]);
    expect(await nightsAvailable(hub, 'hy', IN, OUT)).toEqual([0, 0]);
  });

  it('decentralized: a soft lock blocks both members of a shared resource in the hub\'s view, cannot be confirmed, and expires', async () => {
    const from = DAY0 + 9 * H;
    const to = DAY0 + 10 * H;
    const hold = await call(hub.base, 'POST', '/v1/holds', { headers: admin, body: {
      site: 'gym-a', resource: 'coach', start: new Date(from).toISOString(), end: new Date(to).toISOString() } });
    expect(hold.status, JSON.stringify(hold.body)).toBe(201);
    const expiresIn = Date.parse(hold.body.expiresAt) - Date.now();
    expect(expiresIn).toBeGreaterThan(5_000);
    expect(expiresIn).toBeLessThanOrEqual(10_500);
    const window = [DAY0 + 8 * H, DAY0 + 11 * H] as const;
    const blocked = [[window[0], from, 1], [from, to, 0], [to, window[1], 1]];
    expect(await intervals('gym-a', ...window)).toEqual(blocked);
    expect(await intervals('gym-b', ...window)).toEqual(blocked);
    // The other member cannot be held at the same time either.
    const other = await call(hub.base, 'POST', '/v1/holds', { headers: admin, body: {
      site: 'gym-b', resource: 'trainer', start: new Date(from).toISOString(), end: new Date(to).toISOString() } });
    expect(other.status).toBe(409);

    const confirm = await call(hub.base, 'POST', `/v1/holds/${hold.body.id}/confirm`, { headers: admin });
    expect(confirm.status).toBe(409);
    expect(confirm.body.type).toBe('soft-lock-only');
    expect(confirm.body.detail).toMatch(/book it in Gym A's own system/);

    await new Promise((r) => setTimeout(r, Math.max(0, expiresIn) + 300));
    const free = [[window[0], window[1], 1]];
    expect(await intervals('gym-a', ...window)).toEqual(free);
    expect(await intervals('gym-b', ...window)).toEqual(free);
    const late = await call(hub.base, 'POST', `/v1/holds/${hold.body.id}/confirm`, { headers: admin });
    expect(late.status).toBe(410);
  });

  it('decentralized mirroring: a booking in one Google calendar shows as a busy block in the opted-in one within a poll, and goes with it', async () => {
    const start = DAY0 + 14 * H;
    const end = DAY0 + 15 * H;
    const event = google.insertEvent(CAL_A, { summary: 'Private lesson', start: { dateTime: new Date(start).toISOString() }, end: { dateTime: new Date(end).toISOString() } });
    const mirrored = await eventually(() => {
      const blocks = google.storedEvents(CAL_B).filter((e) => e.status !== 'cancelled');
      expect(blocks).toHaveLength(1);
      return Promise.resolve(blocks[0]!);
    }, 10_000);
    expect(Date.parse(String(mirrored.start?.dateTime))).toBe(start);
    expect(Date.parse(String(mirrored.end?.dateTime))).toBe(end);
    expect(JSON.stringify(mirrored.extendedProperties)).toMatch(/m_[0-9a-f]{24}/);
    // Both members are busy in the hub's view, counted once: the block is the hub's, not a second booking.
    const window = [DAY0 + 13 * H, DAY0 + 16 * H] as const;
    await polledAgain(hub, 'studio-b'); // a poll of studio-b has seen the block
    const busy = [[window[0], start, 1], [start, end, 0], [end, window[1], 1]];
    expect(await intervals('studio-a', ...window)).toEqual(busy);
    expect(await intervals('studio-b', ...window)).toEqual(busy);
    const site = await call(hub.base, 'GET', '/v1/sites/studio-b', { headers: admin });
    expect(site.body.sync.sourceBookings).toBe(0);
    expect((await call(hub.base, 'GET', '/v1/conflicts', { headers: admin })).body.conflicts
      .filter((c: any) => c.ledger === 's:yoga-coach')).toEqual([]);
    // Blocks go only one way: studio-a did not opt in.
    expect(google.storedEvents(CAL_A).filter((e) => e.status !== 'cancelled')).toHaveLength(1);

    google.deleteEvent(CAL_A, event.id);
    await eventually(() => {
      expect(google.storedEvents(CAL_B).filter((e) => e.status !== 'cancelled')).toEqual([]);
      return Promise.resolve();
    }, 10_000);
    await eventually(async () => expect(await intervals('studio-b', ...window)).toEqual([[window[0], window[1], 1]]), 10_000);
  });

  it('two sites selling one shared resource at overlapping times open a conflict (manual review in decentralized groups)', async () => {
    const a = google.insertEvent(CAL_A, { summary: 'Lesson at A', start: { dateTime: new Date(DAY0 + 17 * H).toISOString() }, end: { dateTime: new Date(DAY0 + 19 * H).toISOString() } });
    const b = google.insertEvent(CAL_B, { summary: 'Lesson at B', start: { dateTime: new Date(DAY0 + 18 * H).toISOString() }, end: { dateTime: new Date(DAY0 + 20 * H).toISOString() } });
    const open = await eventually(async () => {
      const list = (await call(hub.base, 'GET', '/v1/conflicts?status=open', { headers: admin })).body.conflicts.filter((c: any) => c.ledger === 's:yoga-coach');
      expect(list).toHaveLength(1);
      expect(list[0].sites.sort()).toEqual(['studio-a', 'studio-b']);
      return list[0];
    }, 15_000);
    expect(open).toMatchObject({
      shared: 'yoga-coach', bookedBy: 'time', policy: 'manual', workflow: 'decentralized', capacity: 1, excess: 1,
      when: { start: new Date(DAY0 + 18 * H).toISOString(), end: new Date(DAY0 + 19 * H).toISOString() },
      outcome: { decidedBy: 'none' },
    });
    expect(open.bookings.map((x: any) => [x.origin, x.site, x.start, x.end]).sort()).toEqual([
      ['site', 'studio-a', new Date(DAY0 + 17 * H).toISOString(), new Date(DAY0 + 19 * H).toISOString()],
      ['site', 'studio-b', new Date(DAY0 + 18 * H).toISOString(), new Date(DAY0 + 20 * H).toISOString()],
    ]);
    expect(open.bookings.every((x: any) => x.createdAt && x.updatedAt && x.firstSeenAt)).toBe(true);
    // The studio-b lesson is cancelled at its site: the next poll closes the conflict.
    google.deleteEvent(CAL_B, b.id);
    const done = await eventually(async () => {
      const c = (await call(hub.base, 'GET', `/v1/conflicts/${open.id}`, { headers: admin })).body;
      expect(c.status).toBe('resolved');
      return c;
    }, 15_000);
    expect(done.resolution).toBe('cleared');
    expect(done.audit.at(-1).detail).toMatch(/is gone from Studio studio-b/);
    google.deleteEvent(CAL_A, a.id);
  });
});
