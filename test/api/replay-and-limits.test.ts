import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HubKeys } from '../../src/store/keys.js';
import { ADMIN_TOKEN, call, startTestHub, type TestHub } from '../helpers/hub.js';

/**
 * Issue 14 (3) and (4): an idempotent replay answers first, whatever the site's health or the
 * rules say now; `maxOpenHolds` counts per (widget key, client), and forwarded addresses count
 * only behind a trusted proxy.
 */

const DAY = 86_400_000;
const date = (days: number) => new Date(Math.floor(Date.now() / DAY) * DAY + days * DAY).toISOString().slice(0, 10);
const IN = date(30);
const OUT = date(32);

const YAML = (opts: { minNotice?: string; trustProxy?: boolean } = {}) => `
http: { trustProxy: ${opts.trustProxy ?? false} }
auth:
  adminToken: ${ADMIN_TOKEN}
  widgetKeys:
    - { key: widget-key-a, origins: ["https://a.example"], sites: [pms, free], maxOpenHolds: 3 }
    - { key: widget-key-b, origins: ["https://a.example"], sites: [pms, free], maxOpenHolds: 3 }
groups:
  rooms: { workflow: centralized }
sites:
  - id: pms
    timezone: Europe/Berlin
    adapter:
      kind: rest
      baseUrl: http://127.0.0.1:9/api/
      availability: { path: "/availability?roomType={resource}", items: data.nights, fields: { date: date, available: free } }
      create: { method: POST, path: /bookings, body: { roomType: "{resource}", externalRef: "{reference}" }, id: data.id }
      lookup: { path: "/bookings?externalRef={reference}", items: data.bookings, id: id, reference: externalRef }
    resources:
      - { id: double, kind: pool, capacity: 12, group: rooms, bookedBy: night, source: { id: DBL }${opts.minNotice ? `, rules: { minNotice: ${opts.minNotice} }` : ''} }
  - id: free
    timezone: Europe/Berlin
    adapter: { kind: none }
    resources:
      - { id: double, kind: pool, capacity: 50, group: rooms, bookedBy: night }
`;

const A = { 'x-api-key': 'widget-key-a' };
const B = { 'x-api-key': 'widget-key-b' };
const stay = (site: string) => ({ site, resource: 'double', checkIn: IN, checkOut: OUT });

describe('an idempotent replay answers first (issue 14, item 3)', () => {
  let hub: TestHub;
  let stricter: TestHub;
  let first: { id: string; expiresAt: string };
  const idem = { ...A, 'idempotency-key': 'replay-while-limited' };

  beforeAll(async () => {
    // API only: no worker polls the (absent) PMS, so the test sets the site's health itself.
    hub = await startTestHub({ yaml: YAML(), roles: ['api'] });
    const made = await call(hub.base, 'POST', '/v1/holds', { headers: idem, body: stay('pms') });
    expect(made.status).toBe(201);
    first = made.body;
  });
  afterAll(async () => {
    await stricter?.stop({ keepData: true });
    await hub?.stop();
  });

  it('while the site is limited, the replay is the original hold, and a new hold is 503', async () => {
    const keys = new HubKeys(hub.config.redis.keyPrefix, hub.config.hubId);
    await hub.redis.hset(keys.health('pms'), 'state', 'limited');
    const again = await call(hub.base, 'POST', '/v1/holds', { headers: idem, body: stay('pms') });
    expect(again.status).toBe(201);
    expect(again.body).toMatchObject({ id: first.id, expiresAt: first.expiresAt, status: 'held' });
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    // Another body under the same key is still 422, also while limited.
    const other = await call(hub.base, 'POST', '/v1/holds', { headers: idem, body: { ...stay('pms'), quantity: 2 } });
    expect(other.status).toBe(422);
    expect(other.body.type).toBe('idempotency-key-reused');
    const fresh = await call(hub.base, 'POST', '/v1/holds', { headers: A, body: stay('pms') });
    expect(fresh.status).toBe(503);
    expect(fresh.body.type).toBe('site-limited');
  });

  it('after the rules moved past the request (a stricter minNotice now), the replay is still the original hold', async () => {
    // A second API process on the same data whose rules refuse the stay today, as the clock
    // moving past minNotice would.
    stricter = await startTestHub({ yaml: YAML({ minNotice: '400d' }), roles: ['api'], prefix: hub.prefix });
    const keys = new HubKeys(hub.config.redis.keyPrefix, hub.config.hubId);
    await hub.redis.hdel(keys.health('pms'), 'state');
    const again = await call(stricter.base, 'POST', '/v1/holds', { headers: idem, body: stay('pms') });
    expect(again.status).toBe(201);
    expect(again.body).toMatchObject({ id: first.id, status: 'held' });
    const fresh = await call(stricter.base, 'POST', '/v1/holds', { headers: A, body: stay('pms') });
    expect(fresh.status).toBe(422);
  });
});

describe('maxOpenHolds per widget key and client (issue 14, item 4)', () => {
  let hub: TestHub;
  let proxied: TestHub;
  beforeAll(async () => {
    hub = await startTestHub({ yaml: YAML(), roles: ['api'] });
    proxied = await startTestHub({ yaml: YAML({ trustProxy: true }), roles: ['api'] });
  });
  afterAll(async () => {
    await proxied?.stop();
    await hub?.stop();
  });

  it('key A\'s open holds never refuse key B\'s holds from the same address', async () => {
    for (let i = 0; i < 3; i++) expect((await call(hub.base, 'POST', '/v1/holds', { headers: A, body: stay('free') })).status).toBe(201);
    const fourth = await call(hub.base, 'POST', '/v1/holds', { headers: A, body: stay('free') });
    expect(fourth.status).toBe(429);
    expect(fourth.body.type).toBe('too-many-holds');
    for (let i = 0; i < 3; i++) expect((await call(hub.base, 'POST', '/v1/holds', { headers: B, body: stay('free') })).status).toBe(201);
    expect((await call(hub.base, 'POST', '/v1/holds', { headers: B, body: stay('free') })).status).toBe(429);
  });

  it('without trustProxy a forged X-Forwarded-For buys no fresh count', async () => {
    const forged = await call(hub.base, 'POST', '/v1/holds', { headers: { ...A, 'x-forwarded-for': '198.51.100.7' }, body: stay('free') });
    expect(forged.status).toBe(429);
  });

  it('behind a trusted proxy each forwarded guest address has its own count', async () => {
    const from = (ip: string) => ({ ...A, 'x-forwarded-for': ip });
    for (let i = 0; i < 3; i++) {
      expect((await call(proxied.base, 'POST', '/v1/holds', { headers: from('203.0.113.1'), body: stay('free') })).status).toBe(201);
    }
    expect((await call(proxied.base, 'POST', '/v1/holds', { headers: from('203.0.113.1'), body: stay('free') })).status).toBe(429);
    expect((await call(proxied.base, 'POST', '/v1/holds', { headers: from('203.0.113.2'), body: stay('free') })).status).toBe(201);
  });
});

describe('wrong admin tokens are throttled per client address (issue 14, item 6)', () => {
  let proxied: TestHub;
  beforeAll(async () => { proxied = await startTestHub({ yaml: YAML({ trustProxy: true }), roles: ['api'] }); });
  afterAll(async () => { await proxied?.stop(); });

  it('after 10 wrong tokens in a minute the address gets 429, even with the right token; other addresses are not affected', async () => {
    const from = (ip: string, token: string) => ({ authorization: `Bearer ${token}`, 'x-forwarded-for': ip });
    for (let i = 0; i < 10; i++) {
      expect((await call(proxied.base, 'GET', '/v1/sites', { headers: from('203.0.113.50', `wrong-token-${i}-xxxxxxxx`) })).status).toBe(403);
    }
    const eleventh = await call(proxied.base, 'GET', '/v1/sites', { headers: from('203.0.113.50', 'wrong-token-11-xxxxxxxx') });
    expect(eleventh.status).toBe(429);
    expect(eleventh.body.type).toBe('rate-limited');
    expect(eleventh.headers.get('retry-after')).not.toBeNull();
    // A guesser cannot tell a hit from a refusal while throttled.
    expect((await call(proxied.base, 'GET', '/v1/sites', { headers: from('203.0.113.50', ADMIN_TOKEN) })).status).toBe(429);
    expect((await call(proxied.base, 'GET', '/v1/sites', { headers: from('203.0.113.51', ADMIN_TOKEN) })).status).toBe(200);
  });
});
