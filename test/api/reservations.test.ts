import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ADMIN, ADMIN_TOKEN, call, startTestHub, type TestHub } from '../helpers/hub.js';

const YAML = `
auth:
  adminToken: ${ADMIN_TOKEN}
  widgetKeys:
    - { key: widget-key-one, origins: ["*"], sites: [alpha], maxOpenHolds: 50 }
    - { key: widget-key-two, origins: ["*"], sites: [alpha], maxOpenHolds: 50 }
groups:
  rooms: { workflow: centralized }
sites:
  - id: alpha
    name: Hotel Alpha
    timezone: Europe/Berlin
    adapter: { kind: none }
    resources:
      - { id: double, kind: pool, capacity: 2, group: rooms, bookedBy: night }
`;
const KEY = { 'x-api-key': 'widget-key-one' };
const KEY2 = { 'x-api-key': 'widget-key-two' };
const STAY = { site: 'alpha', resource: 'double', checkIn: '2027-02-10', checkOut: '2027-02-12' };

let hub: TestHub;
beforeEach(async () => { hub = await startTestHub({ yaml: YAML }); });
afterEach(async () => { await hub.stop(); });

async function available(): Promise<number[]> {
  const res = await call(hub.base, 'GET', '/v1/availability?site=alpha&from=2027-02-10&to=2027-02-12', { headers: KEY });
  expect(res.status).toBe(200);
  return res.body.sites[0].resources[0].nights.map((n: { available: number }) => n.available);
}

describe('hold → confirm → reservation', () => {
  it('confirms a hold into a reservation reachable by its token or the admin token, and cancels it', async () => {
    const hold = await call(hub.base, 'POST', '/v1/holds', { headers: KEY, body: { ...STAY, customer: { name: 'Ada', guests: 2 } } });
    expect(hold.status).toBe(201);
    expect(hold.headers.get('location')).toBe(`/v1/holds/${hold.body.id}`);
    expect(Date.parse(hold.body.expiresAt)).toBeGreaterThan(Date.now());
    expect(await available()).toEqual([1, 1]);

    const confirm = await call(hub.base, 'POST', `/v1/holds/${hold.body.id}/confirm`, { headers: KEY });
    expect(confirm.status).toBe(202);
    // A site whose system of record is the hub has nothing to write back: confirmed at once.
    expect(confirm.body).toEqual({ reservationId: expect.stringMatching(/^r_/), status: 'confirmed', token: expect.any(String) });
    const { reservationId: id, token } = confirm.body;
    expect(confirm.headers.get('location')).toBe(`/v1/reservations/${id}`);
    expect(await available()).toEqual([1, 1]);

    // Confirming again answers the same reservation; releasing a confirmed hold is refused.
    const again = await call(hub.base, 'POST', `/v1/holds/${hold.body.id}/confirm`, { headers: KEY });
    expect(again.status).toBe(202);
    expect(again.body).toEqual(confirm.body);
    const release = await call(hub.base, 'DELETE', `/v1/holds/${hold.body.id}`, { headers: KEY });
    expect(release.status).toBe(409);
    expect(release.body.type).toBe('hold-confirmed');

    const withToken = await call(hub.base, 'GET', `/v1/reservations/${id}`, { headers: { 'x-reservation-token': token } });
    expect(withToken.status).toBe(200);
    expect(withToken.body).toMatchObject({
      id, status: 'confirmed', externalIds: {}, customer: { name: 'Ada', guests: 2 },
      items: [{ site: 'alpha', resource: 'double', quantity: 1, checkIn: '2027-02-10', checkOut: '2027-02-12' }],
    });

    const noToken = await call(hub.base, 'GET', `/v1/reservations/${id}`);
    expect(noToken.status).toBe(401);
    expect(noToken.body.type).toBe('unauthorized');
    // A widget key is public: it does not open reservations.
    const widgetOnly = await call(hub.base, 'GET', `/v1/reservations/${id}`, { headers: KEY });
    expect(widgetOnly.status).toBe(401);
    const wrong = await call(hub.base, 'GET', `/v1/reservations/${id}`, { headers: { 'x-reservation-token': 'not-the-token' } });
    expect(wrong.status).toBe(403);
    expect(wrong.body.type).toBe('forbidden');
    // A missing reservation looks the same as a wrong token, so ids cannot be probed.
    const probe = await call(hub.base, 'GET', '/v1/reservations/r_nope', { headers: { 'x-reservation-token': token } });
    expect(probe.status).toBe(403);
    const admin = await call(hub.base, 'GET', `/v1/reservations/${id}`, { headers: ADMIN });
    expect(admin.status).toBe(200);
    expect(admin.body).toEqual(withToken.body);
    expect((await call(hub.base, 'GET', '/v1/reservations/r_nope', { headers: ADMIN })).status).toBe(404);

    const wrongCancel = await call(hub.base, 'DELETE', `/v1/reservations/${id}`, { headers: { 'x-reservation-token': 'not-the-token' } });
    expect(wrongCancel.status).toBe(403);
    expect(await available()).toEqual([1, 1]);

    const cancel = await call(hub.base, 'DELETE', `/v1/reservations/${id}`, { headers: { 'x-reservation-token': token } });
    expect(cancel.status).toBe(200);
    expect(cancel.body).toMatchObject({ id, status: 'cancelled' });
    expect(await available()).toEqual([2, 2]);
    // Cancelling twice changes nothing.
    const twice = await call(hub.base, 'DELETE', `/v1/reservations/${id}`, { headers: ADMIN });
    expect(twice.status).toBe(200);
    expect(twice.body.status).toBe('cancelled');
    expect(await available()).toEqual([2, 2]);
  });

  it('releases a hold: capacity returns and a later confirm is refused', async () => {
    const hold = await call(hub.base, 'POST', '/v1/holds', { headers: KEY, body: { ...STAY, quantity: 2 } });
    expect(hold.status).toBe(201);
    expect(await available()).toEqual([0, 0]);
    const release = await call(hub.base, 'DELETE', `/v1/holds/${hold.body.id}`, { headers: KEY });
    expect(release.status).toBe(204);
    expect(await available()).toEqual([2, 2]);
    const confirm = await call(hub.base, 'POST', `/v1/holds/${hold.body.id}/confirm`, { headers: KEY });
    expect(confirm.status).toBe(409);
    expect(confirm.body.type).toBe('hold-released');
    expect((await call(hub.base, 'POST', '/v1/holds/h_nope/confirm', { headers: KEY })).status).toBe(404);
    expect((await call(hub.base, 'DELETE', '/v1/holds/h_nope', { headers: KEY })).status).toBe(404);
  });
});

describe('Idempotency-Key', () => {
  it('the same key and body return the same hold; another body is 422 idempotency-key-reused', async () => {
    const post = (body: unknown, key: string, headers = KEY) =>
      call(hub.base, 'POST', '/v1/holds', { headers: { ...headers, 'idempotency-key': key }, body });

    const first = await post(STAY, 'checkout-7f3a');
    expect(first.status).toBe(201);
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    const replay = await post(STAY, 'checkout-7f3a');
    expect(replay.status).toBe(201);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(replay.body).toEqual(first.body);
    // The replay made no new claim.
    expect(await available()).toEqual([1, 1]);

    const other = await post({ ...STAY, checkOut: '2027-02-11' }, 'checkout-7f3a');
    expect(other.status).toBe(422);
    expect(other.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(other.body).toMatchObject({ type: 'idempotency-key-reused', status: 422 });
    expect(await available()).toEqual([1, 1]);

    // Keys are scoped to the widget key: another widget's identical key is another request.
    const elsewhere = await post(STAY, 'checkout-7f3a', KEY2);
    expect(elsewhere.status).toBe(201);
    expect(elsewhere.body.id).not.toBe(first.body.id);
    expect(await available()).toEqual([0, 0]);

    // After the hold is confirmed, the replay reports it as confirmed, still without a new claim.
    expect((await call(hub.base, 'POST', `/v1/holds/${first.body.id}/confirm`, { headers: KEY })).status).toBe(202);
    const afterConfirm = await post(STAY, 'checkout-7f3a');
    expect(afterConfirm.status).toBe(201);
    expect(afterConfirm.body).toMatchObject({ id: first.body.id, status: 'confirmed' });

    const bad = await post(STAY, 'has space');
    expect(bad.status).toBe(400);
    expect(bad.body.field).toBe('Idempotency-Key');
  });
});
