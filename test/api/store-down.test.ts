import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, ADMIN_TOKEN, call, eventually, startTestHub, type Answer, type TestHub } from '../helpers/hub.js';
import { freePort, startPrivateRedis, type PrivateRedis } from '../helpers/private-redis.js';

/** A private redis-server this file may stop and start; the shared test Redis is never touched. */
let port = 0;
let redis: PrivateRedis | undefined;
let hub: TestHub | undefined;

async function startRedis(): Promise<void> { redis = await startPrivateRedis(port); }

async function stopRedis(): Promise<void> { await redis?.stop(); }

const YAML = `
auth: { adminToken: ${ADMIN_TOKEN} }
groups:
  rooms: { workflow: centralized }
sites:
  - id: alpha
    timezone: Europe/Berlin
    adapter: { kind: none }
    resources:
      - { id: double, kind: pool, capacity: 50, group: rooms, bookedBy: night }
`;
const STAY = { site: 'alpha', resource: 'double', checkIn: '2027-02-10', checkOut: '2027-02-11' };
const hold = () => call(hub!.base, 'POST', '/v1/holds', { headers: ADMIN, body: STAY });

function expectStoreUnavailable(res: Answer) {
  expect(res.status).toBe(503);
  expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(res.headers.get('retry-after')).not.toBeNull();
  expect(res.body).toMatchObject({ type: 'store-unavailable', status: 503, title: expect.any(String), detail: expect.any(String) });
  const text = JSON.stringify(res.body);
  expect(text).not.toMatch(/stack|\bat .*\.(?:js|ts):\d+|ECONNREFUSED|ioredis/i);
  expect(text).not.toContain(String(port));
}

beforeAll(async () => {
  port = await freePort();
  await startRedis();
  hub = await startTestHub({ yaml: YAML, redisUrl: `redis://127.0.0.1:${port}` });
});

afterAll(async () => {
  await hub?.stop();
  await stopRedis();
});

describe('a stopped Redis', () => {
  it('answers 503 store-unavailable quickly while Redis is down, and recovers when it returns', async () => {
    expect((await hold()).status).toBe(201);

    await stopRedis();

    for (const request of [
      hold,
      () => call(hub!.base, 'GET', '/v1/availability?site=alpha&from=2027-02-10&to=2027-02-11', { headers: ADMIN }),
      () => call(hub!.base, 'POST', '/v1/holds/h_whatever/confirm', { headers: ADMIN }),
    ]) {
      const started = Date.now();
      const res = await request();
      expect(Date.now() - started).toBeLessThan(3_000);
      expectStoreUnavailable(res);
    }

    // The process itself lives on; it is just not ready.
    expect((await call(hub!.base, 'GET', '/healthz')).status).toBe(200);
    const ready = await call(hub!.base, 'GET', '/readyz');
    expect(ready.status).toBe(503);
    expect(ready.body).toMatchObject({ status: 'not-ready', redis: 'down' });

    await startRedis();
    // ioredis reconnects on its own (retry delay at most 2 s) and reloads the scripts.
    const back = await eventually(async () => {
      const res = await hold();
      expect(res.status).toBe(201);
      return res;
    }, 10_000, 200);
    expect(back.body.status).toBe('held');
    const availability = await call(hub!.base, 'GET', '/v1/availability?site=alpha&from=2027-02-10&to=2027-02-11', { headers: ADMIN });
    expect(availability.status).toBe(200);
    // The restarted Redis kept nothing (no persistence): only the new hold counts.
    expect(availability.body.sites[0].resources[0].nights).toEqual([{ date: '2027-02-10', available: 49 }]);
  }, 30_000);
});
