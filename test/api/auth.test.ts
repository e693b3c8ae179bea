import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, ADMIN_TOKEN, bearer, call, startTestHub, type TestHub } from '../helpers/hub.js';

const SECRET = 'caldav-password-s3cr3t-value';
const YAML = `
auth:
  adminToken: ${ADMIN_TOKEN}
  widgetKeys:
    - key: widget-key-shop
      origins: ["https://shop.example"]
      sites: [alpha]
      maxOpenHolds: 2
    - key: widget-key-other
      origins: ["https://other.example"]
      sites: [alpha, beta]
groups:
  rooms: { workflow: centralized }
  hybrid: { workflow: hybrid }
sites:
  - id: alpha
    timezone: Europe/Berlin
    adapter: { kind: none }
    resources:
      - { id: double, kind: pool, capacity: 9, group: rooms, bookedBy: night }
  - id: beta
    timezone: Europe/Berlin
    adapter: { kind: none }
    resources:
      - { id: double, kind: pool, capacity: 9, group: rooms, bookedBy: night }
  - id: gamma
    timezone: Europe/Berlin
    adapter: { kind: none }
    resources:
      - { id: hall, kind: unit, group: hybrid }
`;
const SHOP = { 'x-api-key': 'widget-key-shop' };
const OTHER = { 'x-api-key': 'widget-key-other' };
const AVAIL = (site: string) => `/v1/availability?site=${site}&from=2027-02-10&to=2027-02-11`;
const stay = (site: string, checkIn = '2027-02-10', checkOut = '2027-02-11') => ({ site, resource: 'double', checkIn, checkOut });

let hub: TestHub;
beforeAll(async () => {
  hub = await startTestHub({
    yaml: YAML,
    // `gamma` gets an external system with credentials that must never leave the hub. Set after
    // validation: which adapter kinds a config may name depends on the adapters built in.
    override: (config) => {
      config.sites[2]!.adapter = { kind: 'caldav', url: 'https://dav.gamma.example/calendars/rooms/', username: 'gamma-hub', password: SECRET };
    },
  });
});
afterAll(async () => { await hub?.stop(); });

function expectProblem(res: { status: number; headers: Headers; body: any }, status: number, type: string) {
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(res.body).toMatchObject({ type, status, title: expect.any(String), detail: expect.any(String) });
}

describe('widget keys', () => {
  it('no key is 401 problem+json', async () => {
    expectProblem(await call(hub.base, 'GET', AVAIL('alpha')), 401, 'unauthorized');
    expectProblem(await call(hub.base, 'POST', '/v1/holds', { body: stay('alpha') }), 401, 'unauthorized');
  });

  it('an unknown key is 401, in the header or as key=', async () => {
    expectProblem(await call(hub.base, 'GET', AVAIL('alpha'), { headers: { 'x-api-key': 'no-such-key' } }), 401, 'unauthorized');
    expectProblem(await call(hub.base, 'GET', `${AVAIL('alpha')}&key=no-such-key`), 401, 'unauthorized');
  });

  it('a known key works in the header or as key=', async () => {
    expect((await call(hub.base, 'GET', AVAIL('alpha'), { headers: SHOP })).status).toBe(200);
    expect((await call(hub.base, 'GET', `${AVAIL('alpha')}&key=widget-key-shop`)).status).toBe(200);
  });

  it('a key not allowed a site is 403 forbidden-site on availability and holds', async () => {
    const read = await call(hub.base, 'GET', AVAIL('beta'), { headers: SHOP });
    expectProblem(read, 403, 'forbidden-site');
    expect(read.body.site).toBe('beta');
    expectProblem(await call(hub.base, 'GET', AVAIL('alpha,beta'), { headers: SHOP }), 403, 'forbidden-site');
    expectProblem(await call(hub.base, 'GET', '/v1/availability?site=alpha&site=beta&from=2027-02-10&to=2027-02-11', { headers: SHOP }), 403, 'forbidden-site');
    expectProblem(await call(hub.base, 'POST', '/v1/holds', { headers: SHOP, body: stay('beta') }), 403, 'forbidden-site');
    expectProblem(await call(hub.base, 'POST', '/v1/holds', {
      headers: SHOP, body: { items: [stay('alpha'), stay('beta')] },
    }), 403, 'forbidden-site');
    // The same key reads its own site, and the admin token reads any.
    expect((await call(hub.base, 'GET', AVAIL('beta'), { headers: OTHER })).status).toBe(200);
    expect((await call(hub.base, 'GET', AVAIL('alpha,beta,gamma'), { headers: ADMIN })).status).toBe(200);
  });

  it('an Origin the key does not list is 403 origin-not-allowed; an allowed one gets CORS headers', async () => {
    const evil = await call(hub.base, 'GET', AVAIL('alpha'), { headers: { ...SHOP, origin: 'https://evil.example' } });
    expectProblem(evil, 403, 'origin-not-allowed');
    expect(evil.headers.get('access-control-allow-origin')).toBeNull();
    // Another key's origin is not this key's.
    expectProblem(await call(hub.base, 'POST', '/v1/holds', {
      headers: { ...SHOP, origin: 'https://other.example' }, body: stay('alpha'),
    }), 403, 'origin-not-allowed');

    const ok = await call(hub.base, 'GET', AVAIL('alpha'), { headers: { ...SHOP, origin: 'https://shop.example' } });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('access-control-allow-origin')).toBe('https://shop.example');
    expect(ok.headers.get('vary')).toMatch(/Origin/);
    expect(ok.headers.get('access-control-expose-headers')).toMatch(/Idempotent-Replayed/);

    // Refusals from an allowed origin still carry CORS headers, so the page can read the problem.
    const refused = await call(hub.base, 'GET', AVAIL('beta'), { headers: { ...SHOP, origin: 'https://shop.example' } });
    expect(refused.status).toBe(403);
    expect(refused.headers.get('access-control-allow-origin')).toBe('https://shop.example');
  });

  it('answers preflights for origins some key allows, and refuses others', async () => {
    const preflight = (origin: string) => call(hub.base, 'OPTIONS', '/v1/holds', {
      headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type, x-api-key, idempotency-key' },
    });
    const ok = await preflight('https://shop.example');
    expect(ok.status).toBe(204);
    expect(ok.headers.get('access-control-allow-origin')).toBe('https://shop.example');
    expect(ok.headers.get('access-control-allow-methods')).toMatch(/POST/);
    const allowed = (ok.headers.get('access-control-allow-headers') ?? '').toLowerCase();
    for (const h of ['content-type', 'x-api-key', 'idempotency-key', 'x-reservation-token']) expect(allowed).toContain(h);
    expect((await preflight('https://other.example')).status).toBe(204);

    const evil = await preflight('https://evil.example');
    expectProblem(evil, 403, 'origin-not-allowed');
    expect(evil.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('caps open holds per client address (429 too-many-holds) and frees a slot on release', async () => {
    const holds = [];
    for (const day of ['2027-03-01', '2027-03-02']) {
      const res = await call(hub.base, 'POST', '/v1/holds', { headers: SHOP, body: stay('alpha', day, '2027-03-03') });
      expect(res.status).toBe(201);
      holds.push(res.body.id as string);
    }
    const third = await call(hub.base, 'POST', '/v1/holds', { headers: SHOP, body: stay('alpha', '2027-03-05', '2027-03-06') });
    expectProblem(third, 429, 'too-many-holds');
    expect(third.headers.get('retry-after')).not.toBeNull();
    expect((await call(hub.base, 'DELETE', `/v1/holds/${holds[0]}`, { headers: SHOP })).status).toBe(204);
    expect((await call(hub.base, 'POST', '/v1/holds', { headers: SHOP, body: stay('alpha', '2027-03-05', '2027-03-06') })).status).toBe(201);
  });
});

describe('admin endpoints', () => {
  it('GET /v1/sites needs the admin token: none is 401, a wrong one 403, a widget key 401', async () => {
    expectProblem(await call(hub.base, 'GET', '/v1/sites'), 401, 'unauthorized');
    expectProblem(await call(hub.base, 'GET', '/v1/sites', { headers: bearer('not-the-admin-token-at-all') }), 403, 'forbidden');
    expectProblem(await call(hub.base, 'GET', '/v1/sites', { headers: SHOP }), 401, 'unauthorized');
    expectProblem(await call(hub.base, 'GET', '/v1/sites?key=widget-key-shop'), 401, 'unauthorized');
    // A widget key as a bearer token is not the admin token.
    expectProblem(await call(hub.base, 'GET', '/v1/sites/alpha', { headers: bearer('widget-key-shop') }), 403, 'forbidden');
  });

  it('lists sites with their health, and never shows adapter settings', async () => {
    const res = await call(hub.base, 'GET', '/v1/sites', { headers: ADMIN });
    expect(res.status).toBe(200);
    expect(res.body.sites.map((s: { id: string }) => s.id)).toEqual(['alpha', 'beta', 'gamma']);
    const gamma = res.body.sites[2];
    expect(gamma).toMatchObject({ id: 'gamma', adapter: 'caldav', health: 'healthy', timezone: 'Europe/Berlin' });
    expect(gamma.resources).toEqual([{ id: 'hall', kind: 'unit', capacity: 1, group: 'hybrid', bookedBy: 'time' }]);

    const one = await call(hub.base, 'GET', '/v1/sites/gamma', { headers: ADMIN });
    expect(one.status).toBe(200);
    expect(one.body.adapter).toBe('caldav');
    for (const text of [JSON.stringify(res.body), JSON.stringify(one.body)]) {
      expect(text).not.toContain(SECRET);
      expect(text).not.toContain('dav.gamma.example');
      expect(text).not.toContain('gamma-hub');
    }
    expectProblem(await call(hub.base, 'GET', '/v1/sites/nope', { headers: ADMIN }), 404, 'not-found');
  });
});
