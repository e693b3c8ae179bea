import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { startRestPmsSimulator, type RestPmsSimulator } from '../../adapters/rest/simulator/index.js';
import { call, eventually, startTestHub, type TestHub } from '../helpers/hub.js';
import {
  ADMIN, PMS_TOKEN, admin, conflictOf, conflicts, date, holdAndConfirm, polledAgain, polledWith, reservation,
  restSite, startReceiver, stored,
} from './helpers.js';

/*
 * A room type with one room at a PMS (the REST simulator). The hub sells it (written back), then the
 * front desk sells it again behind the hub's back (the simulator's front desk may overbook): the
 * next poll finds the overbooking, and each group's policy settles it.
 */
const IN = date(20);
const OUT = date(22);
const NIGHTS = [IN, date(21)];
const SITES = { fc: 'fc', lww: 'lww', prio: 'prio', man: 'man' } as const;

const pms: Record<string, RestPmsSimulator> = {};
let hub: TestHub;
let hook: Awaited<ReturnType<typeof startReceiver>>;
let firstCome: { resv: string; id: string };

const body = (site: string) => ({ site, resource: 'double', checkIn: IN, checkOut: OUT, customer: { name: 'Ada' } });
const atPms = (site: string, resv: string) => pms[site]!.admin.bookings().filter((b) => b.externalRef?.startsWith(`avhub-${resv}`));

/**
 * A front-desk booking the PMS says was made 1 ms after the hub's reservation: its creation time
 * is set, not left to the clock moving on (the policies order by it).
 */
function walkInAfter(site: string, hubCreatedAt: string): string {
  const created = Date.parse(hubCreatedAt) + 1;
  const id = `walk-in-${site}`;
  pms[site]!.admin.insertRaw({
    id, roomType: 'DBL', arrival: IN, departure: OUT, state: 'CONFIRMED', externalRef: null, rooms: 1, guest: 'walk-in',
    created: new Date(created).toISOString(), modified: new Date(Math.max(Date.now(), created)).toISOString(),
  });
  return id;
}

/** The hub sells the last room and writes it back; then the front desk sells it again. */
async function overbook(site: string): Promise<{ resv: string; walkIn: string; conflict: any }> {
  await polledWith(hub, site, IN, OUT, [1, 1]);
  const resv = await holdAndConfirm(hub, body(site));
  const confirmed = await eventually(async () => {
    const r = await reservation(hub, resv);
    expect(r.status).toBe('confirmed');
    return r;
  }, 15_000);
  const walkIn = walkInAfter(site, confirmed.createdAt as string);
  // Open, or already settled by the policy (it may act within the same poll).
  const conflict = await eventually(async () => {
    const found = (await conflicts(hub)).filter((c) => c.sites.includes(site));
    expect(found).toHaveLength(1);
    expect(found[0].outcome).not.toBeNull();
    return found[0];
  }, 15_000);
  return { resv, walkIn, conflict };
}

describe('conflicts: an overbooking made at the front desk during a sync window, settled per policy', () => {
  beforeAll(async () => {
    hook = await startReceiver();
    for (const id of Object.values(SITES)) {
      pms[id] = await startRestPmsSimulator({ token: PMS_TOKEN, seed: { roomTypes: { DBL: 1 } } });
    }
    hub = await startTestHub({
      roles: ['api', 'worker', 'scheduler'],
      yaml: stringify({
        auth: { adminToken: ADMIN },
        defaults: { writeback: { attempts: 3, backoff: '100ms' }, syncWindow: { past: '1d', future: '60d' } },
        groups: {
          fc: { workflow: 'centralized', conflictPolicy: 'first-come' },
          lww: { workflow: 'centralized', conflictPolicy: 'last-write-wins' },
          prio: { workflow: 'centralized', conflictPolicy: 'priority' },
          man: { workflow: 'centralized', conflictPolicy: 'manual' },
        },
        sites: Object.values(SITES).map((id) => restSite(id, pms[id]!.url, id)),
        alerts: [{ kind: 'webhook', url: hook.url, secret: 'conflict-test-secret' }],
      }),
    });
  });
  afterAll(async () => {
    await hub?.stop();
    for (const p of Object.values(pms)) await p.stop();
    await hook?.close();
  });

  it('first-come: the hub\'s earlier reservation stands; the walk-in is flagged for staff; cancelling it at the PMS closes the conflict', async () => {
    const { resv, walkIn, conflict } = await overbook(SITES.fc);
    firstCome = { resv, id: conflict.id };
    expect(conflict).toMatchObject({
      status: 'open', policy: 'first-come', group: 'fc', bookedBy: 'night', ledger: 'r:fc/double', capacity: 1, excess: 1,
      when: { nights: NIGHTS }, sites: ['fc'],
    });
    const refs = conflict.bookings.map((b: any) => b.ref).sort();
    expect(refs).toEqual([`hub:${resv}`, `site:fc:${walkIn}`].sort());
    const hubBooking = conflict.bookings.find((b: any) => b.origin === 'hub');
    expect(hubBooking).toMatchObject({ reservationId: resv, status: 'confirmed', nights: NIGHTS });
    expect(hubBooking.createdAt).toBeTruthy();
    const siteBooking = conflict.bookings.find((b: any) => b.origin === 'site');
    expect(siteBooking).toMatchObject({ externalId: walkIn, site: 'fc', resource: 'double' });
    expect(Date.parse(siteBooking.createdAt)).toBeGreaterThan(Date.parse(hubBooking.createdAt));
    expect(siteBooking.firstSeenAt).toBeTruthy();
    expect(conflict.outcome).toMatchObject({ decidedBy: 'policy', stands: [`hub:${resv}`], losers: [{ ref: `site:fc:${walkIn}`, action: 'cancel-at-site' }] });
    expect(conflict.audit.map((a: any) => a.action)).toEqual(['opened', 'policy', 'proposed']);
    expect(conflict.audit.every((a: any) => a.actor === 'hub')).toBe(true);
    expect((await reservation(hub, resv)).status).toBe('confirmed');

    // The store: one record, indexed as open.
    const rec = await stored(hub, conflict.id);
    expect(rec).toMatchObject({ status: 'open', open: true });
    expect(rec.data.id).toBe(conflict.id);

    // Re-detection on later polls does not duplicate it.
    await polledAgain(hub, SITES.fc);
    expect((await conflicts(hub)).filter((c) => c.sites.includes('fc'))).toHaveLength(1);
    expect((await conflictOf(hub, 'fc', 'open')).audit).toHaveLength(3);

    // Staff do what the policy proposed, at the front desk: the next poll closes the conflict.
    pms.fc!.admin.cancelBooking(walkIn);
    const done = await conflictOf(hub, 'fc', 'resolved');
    expect(done.id).toBe(conflict.id);
    expect(done.resolution).toBe('cleared');
    expect(done.audit.at(-1)).toMatchObject({ actor: 'hub', action: 'resolved' });
    expect(done.audit.at(-1).detail).toContain(`booking ${walkIn} is gone`);
    expect(await stored(hub, conflict.id)).toMatchObject({ status: 'resolved', open: false });

    // Both events reached the alert channel, as one incident.
    await eventually(async () => {
      const mine = hook.events.filter((e) => e.details?.conflict === conflict.id || String(e.summary).includes('fc/double'));
      expect(mine.map((e) => e.event)).toEqual(expect.arrayContaining(['conflict.opened', 'conflict.resolved']));
    }, 10_000);
  });

  it('last-write-wins: the later front-desk booking stands; the hub cancels its own reservation through the outbox', async () => {
    const { resv, walkIn } = await overbook(SITES.lww);
    const done = await conflictOf(hub, 'lww', 'resolved');
    expect(done.policy).toBe('last-write-wins');
    expect(done.outcome).toMatchObject({ decidedBy: 'policy', stands: [`site:lww:${walkIn}`], losers: [{ ref: `hub:${resv}`, action: 'cancelled' }] });
    const cancelled = done.audit.find((a: any) => a.action === 'cancelled');
    expect(cancelled.actor).toBe('hub');
    expect(cancelled.detail).toMatch(/outbox \(write-back cancel/);
    expect(done.audit.at(-1).action).toBe('resolved');
    expect(done.audit.at(-1).detail).toContain(`reservation ${resv} is cancelled`);
    expect((await reservation(hub, resv)).status).toBe('cancelled');
    // The write-back cancelled the hub's booking at the PMS; the walk-in keeps the room.
    await eventually(async () => expect(atPms('lww', resv).map((b) => b.state)).toEqual(['CANCELLED']), 10_000);
    expect(pms.lww!.admin.bookings().find((b) => b.id === walkIn)!.state).toBe('CONFIRMED');
  });

  it('priority (hub before site): the hub stands; staff overrule with keep, which cancels the hub reservation', async () => {
    const { resv, walkIn, conflict } = await overbook(SITES.prio);
    expect(conflict.outcome).toMatchObject({ stands: [`hub:${resv}`], losers: [{ ref: `site:prio:${walkIn}`, action: 'cancel-at-site' }] });
    expect(conflict.audit.find((a: any) => a.action === 'policy').detail).toContain('origin hub');

    const wrong = await call(hub.base, 'POST', `/v1/conflicts/${conflict.id}/resolve`, { headers: admin, body: { action: 'keep', keep: 'site:prio:nope' } });
    expect(wrong.status).toBe(422);
    expect(wrong.body.type).toBe('unknown-booking');
    const unauth = await call(hub.base, 'POST', `/v1/conflicts/${conflict.id}/resolve`, { body: { action: 'accept' } });
    expect(unauth.status).toBe(401);

    const r = await call(hub.base, 'POST', `/v1/conflicts/${conflict.id}/resolve`, { headers: admin, body: { action: 'keep', keep: `site:prio:${walkIn}` } });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.cancelled).toEqual([`hub:${resv}`]);
    expect(r.body.cancelAtSite).toEqual([]);
    expect(r.body.conflict.status).toBe('resolved');
    const staff = r.body.conflict.audit.filter((a: any) => a.actor === 'staff');
    expect(staff.map((a: any) => a.action)).toEqual(['keep', 'cancelled']);
    expect(r.body.conflict.outcome).toMatchObject({ decidedBy: 'staff', stands: [`site:prio:${walkIn}`] });
    expect((await reservation(hub, resv)).status).toBe('cancelled');
    const again = await call(hub.base, 'POST', `/v1/conflicts/${conflict.id}/resolve`, { headers: admin, body: { action: 'accept' } });
    expect(again.status).toBe(409);
    expect(again.body.type).toBe('conflict-resolved');
  });

  it('manual: nothing automatic; accept holds across polls; a new booking reopens it; staff cancel and a hub cancellation cascade', async () => {
    const { resv, walkIn, conflict } = await overbook(SITES.man);
    expect(conflict.outcome).toMatchObject({ decidedBy: 'none', stands: [], losers: [] });
    expect(conflict.audit.map((a: any) => a.action)).toEqual(['opened', 'awaiting-staff']);

    const accepted = await call(hub.base, 'POST', `/v1/conflicts/${conflict.id}/resolve`, { headers: admin, body: { action: 'accept', note: 'guest moved to a partner hotel' } });
    expect(accepted.status).toBe(200);
    expect(accepted.body.conflict).toMatchObject({ status: 'resolved', resolution: 'accepted', outcome: { accepted: true, decidedBy: 'staff' } });
    expect(accepted.body.conflict.audit.at(-1)).toMatchObject({ actor: 'staff', action: 'accept' });
    // Still overbooked, still accepted, poll after poll.
    await polledAgain(hub, SITES.man);
    expect((await conflictOf(hub, 'man', 'resolved')).id).toBe(conflict.id);
    expect(await conflicts(hub, 'open').then((l) => l.filter((c) => c.sites.includes('man')))).toEqual([]);

    // A second walk-in on top of the accepted overbooking reopens the same conflict.
    const second = pms.man!.admin.createBooking({ roomType: 'DBL', arrival: IN, departure: date(21), guest: 'second walk-in' }).id;
    const reopened = await conflictOf(hub, 'man', 'open');
    expect(reopened.id).toBe(conflict.id);
    expect(reopened.excess).toBe(2);
    expect(reopened.audit.some((a: any) => a.action === 'reopened' && a.detail.includes(`site:man:${second}`))).toBe(true);

    // Staff cancel the second walk-in: the hub cannot, so it is listed for the front desk.
    const r = await call(hub.base, 'POST', `/v1/conflicts/${conflict.id}/resolve`, { headers: admin, body: { action: 'cancel', cancel: [`site:man:${second}`] } });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ cancelled: [], cancelAtSite: [`site:man:${second}`] });
    expect(r.body.conflict.status).toBe('open');
    pms.man!.admin.cancelBooking(second);
    await conflictOf(hub, 'man', 'open', 15_000, (c) => expect(c.bookings.map((b: any) => b.ref).sort()).toEqual([`hub:${resv}`, `site:man:${walkIn}`].sort()));

    // Cancelling the hub reservation frees the room: the conflict closes at once (no poll needed).
    const del = await call(hub.base, 'DELETE', `/v1/reservations/${resv}`, { headers: admin });
    expect(del.body.status).toBe('cancelled');
    const done = await conflictOf(hub, 'man', 'resolved', 5_000);
    expect(done.resolution).toBe('cleared');
    expect(done.audit.at(-1).detail).toContain(`reservation ${resv} is cancelled`);
  });

  it('the same nights overbooked again reopen the same conflict; a modification that frees them closes it', async () => {
    const again = pms.fc!.admin.createBooking({ roomType: 'DBL', arrival: IN, departure: OUT, guest: 'second walk-in' }).id;
    const reopened = await conflictOf(hub, 'fc', 'open');
    expect(reopened.id).toBe(firstCome.id);
    expect(reopened.audit.some((a: any) => a.action === 'reopened')).toBe(true);
    expect(reopened.outcome).toMatchObject({ stands: [`hub:${firstCome.resv}`], losers: [{ ref: `site:fc:${again}`, action: 'cancel-at-site' }] });
    const moved = await call(hub.base, 'PATCH', `/v1/reservations/${firstCome.resv}`, { headers: admin, body: { checkIn: date(30), checkOut: date(31) } });
    expect(moved.status, JSON.stringify(moved.body)).toBe(200);
    const done = await conflictOf(hub, 'fc', 'resolved', 5_000);
    expect(done.id).toBe(firstCome.id);
    expect(done.audit.at(-1)).toMatchObject({ actor: 'hub', action: 'resolved' });
  });

  it('lists by status and serves one conflict; the OpenAPI document names the routes', async () => {
    const all = await conflicts(hub);
    const resolved = await conflicts(hub, 'resolved');
    expect(all.length).toBeGreaterThanOrEqual(4);
    expect(resolved.every((c) => c.status === 'resolved')).toBe(true);
    const one = await call(hub.base, 'GET', `/v1/conflicts/${all[0].id}`, { headers: admin });
    expect(one.status).toBe(200);
    expect(one.body.id).toBe(all[0].id);
    expect((await call(hub.base, 'GET', '/v1/conflicts/cf_nope', { headers: admin })).status).toBe(404);
    const doc = await call(hub.base, 'GET', '/openapi.json');
    expect(Object.keys(doc.body.paths)).toEqual(expect.arrayContaining(['/v1/conflicts', '/v1/conflicts/{id}/resolve']));
  });
});
