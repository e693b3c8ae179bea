import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HubStore } from '../../src/store/hub-store.js';
import { ADMIN_TOKEN, call, startTestHub, type TestHub } from '../helpers/hub.js';

/**
 * Issue 16: a 429 or 503 says how long to wait, in the Retry-After header and the body's
 * `retryAfter` alike, from what the hub knows (the throttle's window, the site's next probe).
 */
const DAY = 86_400_000;
const date = (days: number) => new Date(Math.floor(Date.now() / DAY) * DAY + days * DAY).toISOString().slice(0, 10);

const YAML = `
http: { trustProxy: true }
auth:
  adminToken: ${ADMIN_TOKEN}
  widgetKeys:
    - { key: widget-key-a, origins: ["https://a.example"], sites: [pms] }
groups:
  rooms: { workflow: centralized }
sites:
  - id: pms
    timezone: Europe/Berlin
    pollEvery: 30s
    adapter:
      kind: rest
      baseUrl: http://127.0.0.1:9/api/
      availability: { path: "/availability?roomType={resource}", items: data.nights, fields: { date: date, available: free } }
      create: { method: POST, path: /bookings, body: { roomType: "{resource}", externalRef: "{reference}" }, id: data.id }
      lookup: { path: "/bookings?externalRef={reference}", items: data.bookings, id: id, reference: externalRef }
    resources:
      - { id: double, kind: pool, capacity: 12, group: rooms, bookedBy: night, source: { id: DBL } }
`;

let hub: TestHub;
let store: HubStore;
beforeAll(async () => {
  // API only: no worker polls the (absent) PMS, so the test sets the site's health itself.
  hub = await startTestHub({ yaml: YAML, roles: ['api'] });
  store = new HubStore(hub.redis, { target: hub.config.redis, keyPrefix: hub.prefix, hubId: hub.config.hubId });
});
afterAll(async () => { await hub?.stop(); });

const retryAfter = (res: { headers: Headers; body: any }) => {
  const header = Number(res.headers.get('retry-after'));
  expect(res.body.retryAfter, 'body and header agree').toBe(header);
  return header;
};

describe('Retry-After is the real wait', () => {
  it('a limited site: until its next probe (last poll + pollEvery), with nextProbeAt in the body', async () => {
    const polledAt = Date.now() - 10_000;
    await hub.redis.hset(store.keys.health('pms'), 'state', 'limited', 'lastPollAt', polledAt);
    const res = await call(hub.base, 'POST', '/v1/holds', {
      headers: { 'x-api-key': 'widget-key-a' }, body: { site: 'pms', resource: 'double', checkIn: date(30), checkOut: date(32) },
    });
    expect(res.status).toBe(503);
    expect(res.body.type).toBe('site-limited');
    expect(res.body.nextProbeAt).toBe(new Date(polledAt + 30_000).toISOString());
    const wait = retryAfter(res);
    expect(wait).toBeGreaterThanOrEqual(15);
    expect(wait).toBeLessThanOrEqual(20);
  });

  it('a limited site whose source asked for a pause: until the pause ends', async () => {
    const until = Date.now() + 120_000;
    await store.sync.setNotBefore('pms', until);
    const res = await call(hub.base, 'POST', '/v1/holds', {
      headers: { 'x-api-key': 'widget-key-a' }, body: { site: 'pms', resource: 'double', checkIn: date(30), checkOut: date(32) },
    });
    expect(res.status).toBe(503);
    expect(res.body.nextProbeAt).toBe(new Date(until).toISOString());
    const wait = retryAfter(res);
    expect(wait).toBeGreaterThanOrEqual(115);
    expect(wait).toBeLessThanOrEqual(120);
  });

  it('the admin throttle: until its one-minute window ends, not a generic 5 s', async () => {
    const from = (token: string) => ({ authorization: `Bearer ${token}`, 'x-forwarded-for': '203.0.113.60' });
    for (let i = 0; i < 10; i++) await call(hub.base, 'GET', '/v1/sites', { headers: from(`wrong-token-${i}-xxxxxxxx`) });
    const res = await call(hub.base, 'GET', '/v1/sites', { headers: from('wrong-token-11-xxxxxxxx') });
    expect(res.status).toBe(429);
    const wait = retryAfter(res);
    expect(wait).toBeGreaterThan(30);
    expect(wait).toBeLessThanOrEqual(60);
    expect(res.body.detail).toContain(`retry in ${wait} s`);
  });
});
