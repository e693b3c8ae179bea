import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, ADMIN_TOKEN, call, startTestHub, type Answer, type TestHub } from '../helpers/hub.js';

/**
 * The public surface against a hostile page: rate limits per key and client address (in Redis, so
 * shared by every API process), CORS, one key reaching into another key's sites, and guest data
 * leaking into availability. Each test names the protection it would catch being removed.
 */

const DAY = 86_400_000;
const date = (days: number) => new Date(Math.floor(Date.now() / DAY) * DAY + days * DAY).toISOString().slice(0, 10);
const IN = date(40);
const OUT = date(42);

const YAML = (trustProxy: boolean) => `
http: { trustProxy: ${trustProxy} }
auth:
  adminToken: ${ADMIN_TOKEN}
  widgetKeys:
    - key: key-site-a
      origins: ["https://a.example"]
      sites: [alpha]
      maxOpenHolds: 50
    - key: key-site-b
      origins: ["https://b.example"]
      sites: [beta]
      maxOpenHolds: 50
    - key: key-limited
      origins: ["https://a.example"]
      sites: [alpha]
      rateLimit: { max: 5, per: 1m }
    - key: key-limited-too
      origins: ["https://a.example"]
      sites: [alpha]
      rateLimit: { max: 5, per: 1m }
groups:
  rooms: { workflow: centralized }
sites:
  - id: alpha
    timezone: Europe/Berlin
    adapter: { kind: none }
    resources:
      - { id: double, kind: pool, capacity: 4, group: rooms, bookedBy: night }
  - id: beta
    timezone: Europe/Berlin
    adapter: { kind: none }
    resources:
      - { id: double, kind: pool, capacity: 4, group: rooms, bookedBy: night }
`;

const A = { 'x-api-key': 'key-site-a' };
const B = { 'x-api-key': 'key-site-b' };
const LIMITED = { 'x-api-key': 'key-limited' };
const avail = (site: string) => `/v1/availability?site=${site}&from=${IN}&to=${OUT}`;
const stay = (site: string) => ({ site, resource: 'double', checkIn: IN, checkOut: OUT });

let hub: TestHub;
/** A second API process on the same Redis prefix: limits must hold across processes. */
let twin: TestHub;

beforeAll(async () => {
  hub = await startTestHub({ yaml: YAML(false), roles: ['api'] });
  twin = await startTestHub({ yaml: YAML(false), roles: ['api'], prefix: hub.prefix });
});
afterAll(async () => {
  await twin?.stop({ keepData: true });
  await hub?.stop();
});

function expectProblem(res: Answer, status: number, type: string) {
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(res.body).toMatchObject({ type, status });
}

describe('rate limits per widget key and client address, kept in Redis', () => {
  // Protection: src/api/rate-limit.ts called from register.ts. Without it the 6th request is 200.
  it('the 6th request within the window is 429 rate-limited with Retry-After, counted across API processes', async () => {
    // Requests 1-3 to one process, 4-5 to the other: an in-memory counter would allow all of them.
    for (let i = 0; i < 3; i++) expect((await call(hub.base, 'GET', avail('alpha'), { headers: LIMITED })).status).toBe(200);
    for (let i = 0; i < 2; i++) expect((await call(twin.base, 'GET', avail('alpha'), { headers: LIMITED })).status).toBe(200);
    const sixth = await call(hub.base, 'GET', avail('alpha'), { headers: { ...LIMITED, origin: 'https://a.example' } });
    expectProblem(sixth, 429, 'rate-limited');
    const retryAfter = Number(sixth.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    // The widget on an allowed origin can read the refusal and its Retry-After.
    expect(sixth.headers.get('access-control-allow-origin')).toBe('https://a.example');
    expect(sixth.headers.get('access-control-expose-headers')).toMatch(/Retry-After/);
    // Every widget endpoint counts, and refuses, before doing anything.
    const hold = await call(twin.base, 'POST', '/v1/holds', { headers: LIMITED, body: stay('alpha') });
    expectProblem(hold, 429, 'rate-limited');
    // The key's counter lives under the hub's Redis prefix.
    const keys = await hub.redis.keys(`${hub.prefix}:*rl:*`);
    expect(keys.length).toBeGreaterThanOrEqual(1);
  });

  it('another key from the same address, and the admin, are not affected', async () => {
    expectProblem(await call(hub.base, 'GET', avail('alpha'), { headers: LIMITED }), 429, 'rate-limited');
    expect((await call(hub.base, 'GET', avail('alpha'), { headers: { 'x-api-key': 'key-limited-too' } })).status).toBe(200);
    expect((await call(hub.base, 'GET', avail('alpha'), { headers: A })).status).toBe(200);
    for (let i = 0; i < 8; i++) expect((await call(hub.base, 'GET', avail('alpha'), { headers: ADMIN })).status).toBe(200);
  });

  // Protection: without http.trustProxy the client address is the socket's, so a forged
  // X-Forwarded-For cannot buy a fresh window.
  it('a forged X-Forwarded-For does not escape the limit when trustProxy is off', async () => {
    const forged = await call(hub.base, 'GET', avail('alpha'), { headers: { ...LIMITED, 'x-forwarded-for': '198.51.100.77' } });
    expectProblem(forged, 429, 'rate-limited');
  });

  describe('behind a trusted proxy (http.trustProxy)', () => {
    let proxied: TestHub;
    beforeAll(async () => { proxied = await startTestHub({ yaml: YAML(true), roles: ['api'] }); });
    afterAll(async () => { await proxied?.stop(); });

    // Protection: the limit is per client address (req.ip), not per key alone.
    it('each client address has its own window', async () => {
      const from = (ip: string) => ({ ...LIMITED, 'x-forwarded-for': ip });
      for (let i = 0; i < 5; i++) expect((await call(proxied.base, 'GET', avail('alpha'), { headers: from('203.0.113.1') })).status).toBe(200);
      expectProblem(await call(proxied.base, 'GET', avail('alpha'), { headers: from('203.0.113.1') }), 429, 'rate-limited');
      expect((await call(proxied.base, 'GET', avail('alpha'), { headers: from('203.0.113.2') })).status).toBe(200);
    });
  });
});

describe('CORS', () => {
  // Protection: server.ts onSend adds ACAO only for req.corsOrigin, which register.ts sets only
  // after auth.widget() accepted the Origin for this key.
  it('an allowed origin gets Access-Control-Allow-Origin; another origin is 403 without it', async () => {
    const ok = await call(hub.base, 'GET', avail('alpha'), { headers: { ...A, origin: 'https://a.example' } });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('access-control-allow-origin')).toBe('https://a.example');
    expect(ok.headers.get('vary')).toMatch(/Origin/);

    for (const origin of ['https://evil.example', 'https://b.example', 'null', 'https://a.example.evil.example']) {
      const res = await call(hub.base, 'GET', avail('alpha'), { headers: { ...A, origin } });
      expectProblem(res, 403, 'origin-not-allowed');
      expect(res.headers.get('access-control-allow-origin')).toBeNull();
      expect(JSON.stringify(res.body)).not.toContain('resources');
    }
  });

  it('preflights are answered for allowed origins only', async () => {
    const preflight = (origin: string) => call(hub.base, 'OPTIONS', '/v1/holds', {
      headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type, x-api-key' },
    });
    const ok = await preflight('https://a.example');
    expect(ok.status).toBe(204);
    expect(ok.headers.get('access-control-allow-origin')).toBe('https://a.example');
    expect(ok.headers.get('access-control-allow-methods')).toMatch(/POST/);
    expect((ok.headers.get('access-control-allow-headers') ?? '').toLowerCase()).toContain('x-api-key');
    const evil = await preflight('https://evil.example');
    expectProblem(evil, 403, 'origin-not-allowed');
    expect(evil.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('admin answers never carry CORS headers, whatever the Origin', async () => {
    for (const path of ['/v1/sites', '/v1/admin/writebacks', avail('alpha')]) {
      const res = await call(hub.base, 'GET', path, { headers: { ...ADMIN, origin: 'https://a.example' } });
      expect(res.status).toBe(200);
      expect(res.headers.get('access-control-allow-origin')).toBeNull();
    }
  });
});

describe('a key for site A against site B', () => {
  const GUEST = 'Zelda Beta-Guest';
  let bHold: string;
  let bConfirmed: { reservationId: string; token: string };
  let bIdemHold: string;

  beforeAll(async () => {
    const h1 = await call(hub.base, 'POST', '/v1/holds', { headers: B, body: { ...stay('beta'), customer: { name: GUEST } } });
    expect(h1.status).toBe(201);
    bHold = h1.body.id;
    const h2 = await call(hub.base, 'POST', '/v1/holds', { headers: B, body: { ...stay('beta'), customer: { name: GUEST } } });
    const c2 = await call(hub.base, 'POST', `/v1/holds/${h2.body.id}/confirm`, { headers: B });
    expect(c2.status).toBe(202);
    bConfirmed = c2.body;
    const h3 = await call(hub.base, 'POST', '/v1/holds', { headers: { ...B, 'idempotency-key': 'shared-idem-key' }, body: stay('beta') });
    expect(h3.status).toBe(201);
    bIdemHold = h3.body.id;
  });

  /** A refusal that gives nothing of B away: no ids, no guest, no availability. */
  function refusedWithoutData(res: Answer, statuses: number[]) {
    expect(statuses).toContain(res.status);
    const text = JSON.stringify(res.body ?? '');
    for (const secret of [GUEST, bConfirmed.token, bIdemHold, '"resources"', '"items"', '"externalIds"']) expect(text).not.toContain(secret);
  }

  // Protection: availability.ts checks every requested site against the key's sites.
  it('availability of B, alone or mixed with A, is 403', async () => {
    for (const q of [avail('beta'), avail('alpha,beta'), `${avail('alpha')}&site=beta`, `${avail('beta')}&group=rooms`, `${avail('beta')}&resource=double`]) {
      refusedWithoutData(await call(hub.base, 'GET', q, { headers: A }), [403]);
    }
  });

  // Protection: HoldService.resolveItem checks caller.sites for every item.
  it('holds on B, or all-or-nothing holds that include B, are 403 and claim nothing at A', async () => {
    const nights = async () => (await call(hub.base, 'GET', avail('alpha'), { headers: A })).body.sites[0].resources;
    const before = await nights();
    refusedWithoutData(await call(hub.base, 'POST', '/v1/holds', { headers: A, body: stay('beta') }), [403]);
    refusedWithoutData(await call(hub.base, 'POST', '/v1/holds', { headers: A, body: { items: [stay('alpha'), stay('beta')] } }), [403]);
    expect(await nights()).toEqual(before);
  });

  // Protection: Idempotency-Keys are scoped per widget key (hold meta `caller`), so A cannot
  // replay B's request and receive B's hold id.
  it('reusing B\'s Idempotency-Key never returns B\'s hold', async () => {
    refusedWithoutData(await call(hub.base, 'POST', '/v1/holds', { headers: { ...A, 'idempotency-key': 'shared-idem-key' }, body: stay('beta') }), [403]);
    const own = await call(hub.base, 'POST', '/v1/holds', { headers: { ...A, 'idempotency-key': 'shared-idem-key' }, body: stay('alpha') });
    expect(own.status).toBe(201);
    expect(own.body.id).not.toBe(bIdemHold);
    expect(own.headers.get('idempotent-replayed')).toBeNull();
  });

  // Protection: a widget key may confirm or release only holds of its own sites. A hold id is a
  // capability, but a leaked one must not let another site's key book or free it.
  it('confirming or releasing B\'s hold with A\'s key is refused and changes nothing', async () => {
    refusedWithoutData(await call(hub.base, 'POST', `/v1/holds/${bHold}/confirm`, { headers: A }), [403, 404]);
    refusedWithoutData(await call(hub.base, 'DELETE', `/v1/holds/${bHold}`, { headers: A }), [403, 404]);
    // B's hold is still held: B itself can confirm it.
    const mine = await call(hub.base, 'POST', `/v1/holds/${bHold}/confirm`, { headers: B });
    expect(mine.status).toBe(202);
  });

  // Protection: reservations need their token (or the admin token); a widget key is neither.
  it('B\'s reservation is out of reach with A\'s key, with or without a wrong token', async () => {
    const id = bConfirmed.reservationId;
    for (const [method, body] of [['GET', undefined], ['PATCH', { quantity: 2 }], ['DELETE', undefined]] as const) {
      refusedWithoutData(await call(hub.base, method, `/v1/reservations/${id}`, { headers: A, body }), [401, 403, 404]);
      refusedWithoutData(await call(hub.base, method, `/v1/reservations/${id}`, {
        headers: { ...A, 'x-reservation-token': 'x'.repeat(32) }, body }), [401, 403, 404]);
      refusedWithoutData(await call(hub.base, method, `/v1/reservations/${id}?key=key-site-a`, { body }), [401, 403, 404]);
    }
    // Still there, untouched.
    const still = await call(hub.base, 'GET', `/v1/reservations/${id}`, { headers: { 'x-reservation-token': bConfirmed.token } });
    expect(still.body).toMatchObject({ status: 'confirmed', items: [{ site: 'beta', quantity: 1 }] });
  });

  // Protection: admin routes take only the admin token.
  it('admin endpoints refuse a widget key', async () => {
    for (const [method, path] of [['GET', '/v1/sites'], ['GET', '/v1/sites/beta'], ['POST', '/v1/sites/beta/sync'],
      ['GET', '/v1/admin/writebacks'], ['POST', '/v1/admin/writebacks/some-job/retry']] as const) {
      refusedWithoutData(await call(hub.base, method, path, { headers: A }), [401]);
    }
  });
});

describe('guest personal data', () => {
  // Protection: availability answers are computed from ledgers only; the customer stays in the
  // hold/reservation meta. A change that exposed meta would fail here.
  it('a customer given at hold time never appears in availability, for widget or admin', async () => {
    const customer = { name: 'Ada Lovelace-Secret', email: 'ada.secret@example.test', phone: '+49 30 1234567' };
    const held = await call(hub.base, 'POST', '/v1/holds', { headers: A, body: { ...stay('alpha'), customer } });
    expect(held.status).toBe(201);
    // Whole values with spaces, '@' and '+', which random base64url ids can never contain.
    expect(JSON.stringify(held.body)).not.toContain('Ada Lovelace');
    const confirmed = await call(hub.base, 'POST', `/v1/holds/${held.body.id}/confirm`, { headers: A });
    expect(confirmed.status).toBe(202);
    const open = await call(hub.base, 'POST', '/v1/holds', { headers: A, body: { ...stay('alpha'), customer: { ...customer, name: 'Held Not Confirmed' } } });
    expect(open.status).toBe(201);

    for (const headers of [A, ADMIN]) {
      const res = await call(hub.base, 'GET', avail('alpha'), { headers });
      expect(res.status).toBe(200);
      const text = JSON.stringify(res.body);
      expect(res.body.sites[0].resources[0].nights.length).toBeGreaterThan(0);
      for (const secret of ['Ada Lovelace', 'ada.secret@', '+49 30 1234567', 'Held Not Confirmed', held.body.id, confirmed.body.reservationId, confirmed.body.token]) {
        expect(text).not.toContain(secret);
      }
    }
    // The token holder still sees their own details.
    const own = await call(hub.base, 'GET', `/v1/reservations/${confirmed.body.reservationId}`, { headers: { 'x-reservation-token': confirmed.body.token } });
    expect(own.body.customer).toEqual(customer);
  });
});
