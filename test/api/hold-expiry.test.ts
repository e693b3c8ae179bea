import { afterEach, describe, expect, it } from 'vitest';
import { ADMIN, ADMIN_TOKEN, call, startTestHub, type TestHub } from '../helpers/hub.js';

/** 10 s is the shortest hold time the config schema allows; this file waits it out once. */
const YAML = `
auth: { adminToken: ${ADMIN_TOKEN} }
groups:
  rooms: { workflow: centralized, holdTtl: 10s }
sites:
  - id: alpha
    timezone: Europe/Berlin
    adapter: { kind: none }
    resources:
      - { id: room, kind: unit, group: rooms, bookedBy: night }
`;

const hubs: TestHub[] = [];
afterEach(async () => {
  for (const h of hubs.splice(0).reverse()) await h.stop();
});

async function available(hub: TestHub): Promise<number[]> {
  const res = await call(hub.base, 'GET', '/v1/availability?site=alpha&from=2027-02-10&to=2027-02-12', { headers: ADMIN });
  expect(res.status).toBe(200);
  return res.body.sites[0].resources[0].nights.map((n: { available: number }) => n.available);
}

describe('hold expiry', () => {
  it('a hold left alone frees its capacity after its expiry, with no process running in between', async () => {
    const first = await startTestHub({ yaml: YAML });
    hubs.push(first);
    const hold = (checkIn: string, checkOut: string) => call(first.base, 'POST', '/v1/holds', {
      headers: ADMIN, body: { site: 'alpha', resource: 'room', checkIn, checkOut },
    });
    const a = await hold('2027-02-10', '2027-02-11');
    const b = await hold('2027-02-11', '2027-02-12');
    expect([a.status, b.status]).toEqual([201, 201]);
    const expiresAt = Date.parse(a.body.expiresAt);
    expect(expiresAt - Date.now()).toBeGreaterThan(8_000);
    expect(expiresAt - Date.now()).toBeLessThanOrEqual(10_000);
    expect(await available(first)).toEqual([0, 0]);

    // Nothing runs: no API, no worker, no connection to Redis.
    await first.stop({ keepData: true });
    hubs.pop();
    const lastExpiry = Math.max(expiresAt, Date.parse(b.body.expiresAt));
    await new Promise((r) => setTimeout(r, lastExpiry - Date.now() + 250));

    const second = await startTestHub({ yaml: YAML, prefix: first.prefix });
    hubs.push(second);
    // First touch is a confirm: the hold is judged by its own timestamp, no sweep has run yet.
    const late = await call(second.base, 'POST', `/v1/holds/${a.body.id}/confirm`, { headers: ADMIN });
    expect(late.status).toBe(410);
    expect(late.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(late.body).toMatchObject({ type: 'hold-expired', status: 410 });

    expect(await available(second)).toEqual([1, 1]);
    const lateB = await call(second.base, 'POST', `/v1/holds/${b.body.id}/confirm`, { headers: ADMIN });
    expect(lateB.status).toBe(410);
    expect(lateB.body.type).toBe('hold-expired');

    // The freed nights can be held again.
    const again = await call(second.base, 'POST', '/v1/holds', {
      headers: ADMIN, body: { site: 'alpha', resource: 'room', checkIn: '2027-02-10', checkOut: '2027-02-12' },
    });
    expect(again.status).toBe(201);
  }, 20_000);
});
