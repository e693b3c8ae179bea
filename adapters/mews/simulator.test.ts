import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMewsSimulator, type MewsSimulator } from './simulator/index.js';

/** The simulator speaks the Connector API as documented: tokens in the body, POST only, Mews codes. */

const AUTH = { ClientToken: 'ct', AccessToken: 'at', Client: 'Test 1.0' };
const LIMIT = { Limitation: { Count: 10 } };
let sim: MewsSimulator;

async function post(op: string, body: Record<string, unknown>, auth: Record<string, unknown> = AUTH) {
  const res = await fetch(`${sim.url}/api/connector/v1/${op}`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ ...auth, ...body }),
  });
  return { status: res.status, headers: res.headers, body: await res.json() as Record<string, unknown> };
}

beforeAll(async () => {
  sim = await startMewsSimulator({ clientToken: 'ct', accessToken: 'at', seed: 3, timezone: 'Europe/Berlin', categories: [{ name: 'Double', rooms: 3 }] });
});
afterAll(async () => { await sim?.stop(); });

describe('mews simulator', () => {
  it('is deterministic for a seed', async () => {
    const again = await startMewsSimulator({ clientToken: 'ct', accessToken: 'at', seed: 3, categories: [{ name: 'Double', rooms: 3 }] });
    try {
      expect(again.admin.enterprise.serviceId).toBe(sim.admin.enterprise.serviceId);
      expect(again.admin.categoryId('Double')).toBe(sim.admin.categoryId('Double'));
    } finally {
      await again.stop();
    }
  });

  it('accepts only POST and only valid tokens, and wants a Client', async () => {
    expect((await fetch(`${sim.url}/api/connector/v1/services/getAll`)).status).toBe(405);
    expect((await post('services/getAll', LIMIT, { ...AUTH, AccessToken: 'nope' })).status).toBe(401);
    expect((await post('services/getAll', LIMIT, { ClientToken: 'ct', AccessToken: 'at' })).status).toBe(400);
    expect((await post('nothing/here', {})).status).toBe(404);
    expect((await post('services/getAll', {})).status).toBe(400); // Limitation is required (services.md)
    const ok = await post('services/getAll', LIMIT);
    expect(ok.status).toBe(200);
    expect(ok.body.Services).toEqual([expect.objectContaining({ Id: sim.admin.enterprise.serviceId, Data: expect.objectContaining({ Discriminator: 'Bookable' }) })]);
  });

  it('answers availability per time unit; time unit starts must be local midnights, at most 367', async () => {
    const cat = sim.admin.categoryId('Double');
    sim.admin.createReservation({ categoryId: cat, checkIn: '2027-03-28', checkOut: '2027-03-29' });
    sim.admin.adjustAvailability(cat, '2027-03-29', -1);
    const serviceId = sim.admin.enterprise.serviceId;
    const ok = await post('services/getAvailability', {
      ServiceId: serviceId, FirstTimeUnitStartUtc: '2027-03-27T23:00:00.000Z', LastTimeUnitStartUtc: '2027-03-28T22:00:00.000Z',
    });
    expect(ok.body).toEqual({
      CategoryAvailabilities: [{ CategoryId: cat, Availabilities: [2, 2], Adjustments: [0, -1] }],
      TimeUnitStartsUtc: ['2027-03-27T23:00:00Z', '2027-03-28T22:00:00Z'],
    });
    const notMidnight = await post('services/getAvailability', {
      ServiceId: serviceId, FirstTimeUnitStartUtc: '2027-03-28T00:00:00Z', LastTimeUnitStartUtc: '2027-03-28T22:00:00Z',
    });
    expect(notMidnight.status).toBe(400);
    expect(notMidnight.body.Message).toMatch(/start boundary of a time unit/);
    const tooLong = await post('services/getAvailability', {
      ServiceId: serviceId, FirstTimeUnitStartUtc: '2026-12-31T23:00:00Z', LastTimeUnitStartUtc: '2028-01-02T23:00:00Z',
    });
    expect(tooLong.status).toBe(400);
  });

  it('pages reservations newest first with Limitation, and refuses filters longer than 3 months', async () => {
    const cat = sim.admin.categoryId('Double');
    const made = [1, 2, 3].map((d) => sim.admin.createReservation({ categoryId: cat, checkIn: `2027-05-0${d}`, checkOut: `2027-05-0${d + 1}` }).Id);
    const filter = { CollidingUtc: { StartUtc: '2027-05-01T00:00:00Z', EndUtc: '2027-06-01T00:00:00Z' } };
    const p1 = await post('reservations/getAll/2023-06-06', { ...filter, Limitation: { Count: 2 } });
    expect((p1.body.Reservations as Array<{ Id: string }>).map((r) => r.Id)).toEqual([made[2], made[1]]);
    expect(p1.body.Cursor).toBe(made[1]);
    const p2 = await post('reservations/getAll/2023-06-06', { ...filter, Limitation: { Count: 2, Cursor: p1.body.Cursor } });
    expect((p2.body.Reservations as Array<{ Id: string }>).map((r) => r.Id)).toEqual([made[0]]);
    expect((await post('reservations/getAll/2023-06-06', filter)).status).toBe(400);
    const long = await post('reservations/getAll/2023-06-06', {
      CollidingUtc: { StartUtc: '2027-01-01T00:00:00Z', EndUtc: '2027-05-01T00:00:00Z' }, Limitation: { Count: 10 },
    });
    expect(long.status).toBe(400);
  });

  it('refuses an overbooking with 403, and cancelling twice with 403', async () => {
    const cat = sim.admin.categoryId('Double');
    const e = sim.admin.enterprise;
    const stay = (n: number) => Array.from({ length: n }, () => ({
      StartUtc: '2027-07-01T13:00:00Z', EndUtc: '2027-07-02T10:00:00Z', RequestedCategoryId: cat,
      RateId: e.rateId, CustomerId: e.customerId, PersonCounts: [{ AgeCategoryId: e.ageCategoryId, Count: 1 }],
    }));
    expect((await post('reservations/add', { ServiceId: e.serviceId, Reservations: stay(4) })).status).toBe(403);
    const added = await post('reservations/add', { ServiceId: e.serviceId, Reservations: stay(1) });
    expect(added.status).toBe(200);
    const id = (added.body.Reservations as Array<{ Reservation: { Id: string } }>)[0]!.Reservation.Id;
    expect(sim.admin.availability(cat, '2027-07-01')).toBe(2);
    expect((await post('reservations/cancel', { ReservationIds: [id] })).status).toBe(400); // Notes required
    expect((await post('reservations/cancel', { ReservationIds: [id], Notes: 'x' })).status).toBe(200);
    expect((await post('reservations/cancel', { ReservationIds: [id], Notes: 'x' })).status).toBe(403);
    expect(sim.admin.availability(cat, '2027-07-01')).toBe(3);
  });

  it('adds only Optional, Enquired or Confirmed (Enquired reads back as Inquired) and filters by ChannelNumbers', async () => {
    const cat = sim.admin.categoryId('Double');
    const e = sim.admin.enterprise;
    const add = (State: string, ChannelNumber: string) => post('reservations/add', { ServiceId: e.serviceId, Reservations: [{
      StartUtc: '2027-08-01T13:00:00Z', EndUtc: '2027-08-02T10:00:00Z', RequestedCategoryId: cat, State, ChannelNumber,
      RateId: e.rateId, CustomerId: e.customerId, PersonCounts: [{ AgeCategoryId: e.ageCategoryId, Count: 1 }],
    }] });
    expect((await add('Inquired', 'X-0')).status).toBe(400);
    expect((await add('Started', 'X-0')).status).toBe(400);
    expect((await add('Enquired', 'X-1')).status).toBe(200);
    expect((await add('Confirmed', 'X-2')).status).toBe(200);
    const found = await post('reservations/getAll/2023-06-06', { ChannelNumbers: ['X-1'], ...LIMIT });
    expect((found.body.Reservations as Array<{ ChannelNumber: string; State: string }>).map((r) => [r.ChannelNumber, r.State])).toEqual([['X-1', 'Inquired']]);
    const many = Array.from({ length: 101 }, (_, i) => `N-${i}`);
    expect((await post('reservations/getAll/2023-06-06', { ChannelNumbers: many, ...LIMIT })).status).toBe(400);
  });

  it('answers 408 to a reservations request heavier than the set limit', async () => {
    sim.admin.timeoutAbove(100);
    try {
      expect((await post('reservations/getAll/2023-06-06', { Limitation: { Count: 101 } })).status).toBe(408);
      expect((await post('reservations/getAll/2023-06-06', { Limitation: { Count: 100 } })).status).toBe(200);
    } finally {
      sim.admin.timeoutAbove(null);
    }
  });

  it('fails on demand, limits requests per AccessToken with Retry-After, and can go down', async () => {
    sim.admin.failNext(1, 503);
    expect((await post('services/getAll', LIMIT)).status).toBe(503);
    sim.admin.rateLimit({ requests: 1, perMs: 10_000 });
    expect((await post('services/getAll', LIMIT)).status).toBe(200);
    const limited = await post('services/getAll', LIMIT);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(9);
    sim.admin.rateLimit(null);
    sim.admin.goDown();
    await expect(post('services/getAll', LIMIT)).rejects.toThrow();
    sim.admin.comeBack();
    expect((await post('services/getAll', LIMIT)).status).toBe(200);
    expect(sim.requestCount()).toBeGreaterThan(10);
  });

  it('reservations/update takes the documented request (update values, null = unchanged) and refuses what does not fit', async () => {
    // The request example of operations/reservations.md "Update reservations", kept in
    // fixtures/, with the ids and dates of this simulated property.
    const doc = JSON.parse(readFileSync(new URL('./fixtures/reservations-update.request.docs.json', import.meta.url), 'utf8')) as Record<string, any>;
    const double = sim.admin.categoryId('Double');
    const r = sim.admin.createReservation({ categoryId: double, checkIn: '2027-08-01', checkOut: '2027-08-03' });
    const { ClientToken: _c, AccessToken: _a, ...body } = doc;
    body.ReservationUpdates[0].ReservationId = r.Id;
    body.ReservationUpdates[0].StartUtc = { Value: '2027-08-05T13:00:00Z' };
    body.ReservationUpdates[0].EndUtc = { Value: '2027-08-07T10:00:00Z' };
    const ok = await post('reservations/update', body);
    expect(ok.status).toBe(200);
    expect((ok.body.Reservations as Array<Record<string, unknown>>)[0]).toMatchObject({ Id: r.Id, StartUtc: '2027-08-05T13:00:00Z', EndUtc: '2027-08-07T10:00:00Z' });
    expect(sim.admin.reservations().find((x) => x.Id === r.Id)?.RequestedResourceCategoryId).toBe(double); // null: not updated
    // Not an update value: 400. Sold out with CheckOverbooking: 403.
    expect((await post('reservations/update', { ReservationUpdates: [{ ReservationId: r.Id, StartUtc: '2027-08-05T13:00:00Z' }] })).status).toBe(400);
    for (let i = 0; i < 3; i += 1) sim.admin.createReservation({ categoryId: double, checkIn: '2027-08-10', checkOut: '2027-08-11' });
    const full = await post('reservations/update', { CheckOverbooking: true, ReservationUpdates: [{ ReservationId: r.Id, StartUtc: { Value: '2027-08-10T13:00:00Z' }, EndUtc: { Value: '2027-08-11T10:00:00Z' } }] });
    expect(full.status).toBe(403);
  });

  it('restrictions/getAll wants ServiceIds and Limitation, filters by CollidingUtc (inclusive) and RateIds', async () => {
    const e = sim.admin.enterprise;
    const mine = sim.admin.addRestriction({ StartUtc: '2027-09-01T22:00:00Z', EndUtc: '2027-09-03T22:00:00Z' });
    const other = sim.admin.addRestriction({ ExactRateId: 'another-rate', StartUtc: '2027-09-01T22:00:00Z', EndUtc: '2027-09-03T22:00:00Z' });
    expect((await post('restrictions/getAll', { ServiceIds: [e.serviceId] })).status).toBe(400);
    expect((await post('restrictions/getAll', { ...LIMIT })).status).toBe(400);
    const ids = async (extra: Record<string, unknown>) => ((await post('restrictions/getAll', { ServiceIds: [e.serviceId], ...LIMIT, ...extra })).body.Restrictions as Array<{ Id: string }>).map((x) => x.Id);
    const sept = { CollidingUtc: { StartUtc: '2027-09-03T22:00:00Z', EndUtc: '2027-09-10T00:00:00Z' } };
    expect(await ids(sept)).toEqual([mine, other]);
    expect(await ids({ ...sept, RateIds: [e.rateId] })).toEqual([mine]);
    expect(await ids({ CollidingUtc: { StartUtc: '2027-09-04T00:00:00Z', EndUtc: '2027-09-10T00:00:00Z' } })).toEqual([]);
  });
});
