import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, call, startTestHub, type TestHub } from '../helpers/hub.js';

const ADMIN = '0123456789abcdef';
const YAML = `
auth: { adminToken: "${ADMIN}" }
groups: { rooms: { workflow: centralized } }
sites:
  - id: inn
    timezone: Europe/Berlin
    adapter: { kind: none }
    resources:
      - { id: double, kind: pool, capacity: 2, group: rooms, bookedBy: night }
      - { id: suite, kind: pool, capacity: 1, group: rooms, bookedBy: night }
`;

let hub: TestHub;
beforeAll(async () => { hub = await startTestHub({ yaml: YAML }); });
afterAll(async () => { await hub.stop(); });

const nights = async (resource: string) => (await call(hub.base, 'GET', `/v1/availability?site=inn&resource=${resource}&from=2027-03-26&to=2027-03-31`, { headers: bearer(ADMIN) }))
  .body.sites[0].resources[0].nights.map((n: { available: number }) => n.available);

async function book(resource: string, checkIn: string, checkOut: string) {
  const hold = await call(hub.base, 'POST', '/v1/holds', { headers: bearer(ADMIN), body: { site: 'inn', resource, checkIn, checkOut } });
  expect(hold.status).toBe(201);
  const confirm = await call(hub.base, 'POST', `/v1/holds/${hold.body.id}/confirm`, { headers: bearer(ADMIN) });
  return confirm.body as { reservationId: string; token: string };
}

describe('PATCH /v1/reservations/{id}', () => {
  it('moves the dates: the new nights are taken and the old ones freed', async () => {
    const r = await book('double', '2027-03-26', '2027-03-28');
    expect(await nights('double')).toEqual([1, 1, 2, 2, 2]);
    const moved = await call(hub.base, 'PATCH', `/v1/reservations/${r.reservationId}`, { headers: { 'x-reservation-token': r.token }, body: { checkIn: '2027-03-28', checkOut: '2027-03-30' } });
    expect(moved.status).toBe(200);
    expect(moved.body.items[0]).toMatchObject({ checkIn: '2027-03-28', checkOut: '2027-03-30' });
    expect(moved.body.status).toBe('confirmed');
    expect(await nights('double')).toEqual([2, 2, 1, 1, 2]);
  });

  it('may overlap its own old nights even when the pool is otherwise full', async () => {
    const r = await book('suite', '2027-03-26', '2027-03-28');
    const longer = await call(hub.base, 'PATCH', `/v1/reservations/${r.reservationId}`, { headers: bearer(ADMIN), body: { checkOut: '2027-03-29' } });
    expect(longer.status).toBe(200);
    expect(await nights('suite')).toEqual([0, 0, 0, 1, 1]);
  });

  it('keeps the reservation unchanged when the new dates are taken', async () => {
    const other = await book('suite', '2027-03-30', '2027-03-31');
    const blocked = await call(hub.base, 'PATCH', `/v1/reservations/${other.reservationId}`, { headers: bearer(ADMIN), body: { checkIn: '2027-03-27', checkOut: '2027-03-28' } });
    expect(blocked.status).toBe(409);
    expect(blocked.body.type).toBe('unavailable');
    expect(await nights('suite')).toEqual([0, 0, 0, 1, 0]);
  });

  it('moves to another resource, and refuses without a token or with nothing to change', async () => {
    const r = await book('double', '2027-03-30', '2027-03-31');
    expect((await call(hub.base, 'PATCH', `/v1/reservations/${r.reservationId}`, { body: { resource: 'suite' } })).status).toBe(401);
    const empty = await call(hub.base, 'PATCH', `/v1/reservations/${r.reservationId}`, { headers: bearer(ADMIN), body: {} });
    expect(empty.status).toBe(400);
    const bad = await call(hub.base, 'PATCH', `/v1/reservations/${r.reservationId}`, { headers: bearer(ADMIN), body: { checkIn: '2027-03-31', checkOut: '2027-03-30' } });
    expect(bad.status).toBe(400);
  });
});
