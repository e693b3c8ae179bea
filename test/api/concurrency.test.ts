import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ADMIN, ADMIN_TOKEN, all, call, countByStatus, startTestHub, trackInFlight, type TestHub } from '../helpers/hub.js';

/** Two sites in different zones; `hall` is one real room sold by both (a shared resource). */
const YAML = `
hubId: t
auth:
  adminToken: ${ADMIN_TOKEN}
  widgetKeys:
    - key: widget-key-many-holds
      origins: ["*"]
      sites: [alpha, beta]
      rateLimit: { max: 100000, per: 1m }
      maxOpenHolds: 1000
groups:
  rooms: { workflow: centralized }
  halls: { workflow: hybrid }
sites:
  - id: alpha
    timezone: Europe/Berlin
    adapter: { kind: none }
    resources:
      - { id: double, kind: pool, capacity: 3, group: rooms, bookedBy: night }
      - { id: twin, kind: pool, capacity: 5, group: rooms, bookedBy: night }
      - { id: studio, kind: unit, group: halls }
      - { id: hall, kind: unit, group: halls }
  - id: beta
    timezone: America/New_York
    adapter: { kind: none }
    resources:
      - { id: hall, kind: unit, group: halls }
shared:
  - { id: hall, members: [ { site: alpha, resource: hall }, { site: beta, resource: hall } ] }
`;
const KEY = { 'x-api-key': 'widget-key-many-holds' };
const N = 500;

let hub: TestHub;
beforeEach(async () => { hub = await startTestHub({ yaml: YAML }); });
afterEach(async () => { await hub.stop(); });

async function nights(site: string, resource: string, from: string, to: string) {
  const res = await call(hub.base, 'GET', `/v1/availability?site=${site}&resource=${resource}&from=${from}&to=${to}`, { headers: ADMIN });
  expect(res.status).toBe(200);
  return res.body.sites[0].resources[0].nights as Array<{ date: string; available: number }>;
}

async function intervals(site: string, resource: string, from: string, to: string) {
  const res = await call(hub.base, 'GET', `/v1/availability?site=${site}&resource=${resource}&from=${from}&to=${to}`, { headers: ADMIN });
  expect(res.status).toBe(200);
  return res.body.sites[0].resources[0].intervals as Array<{ start: string; end: string; available: number }>;
}

describe('concurrent holds over HTTP (the done-when test)', () => {
  it(`${N} concurrent POST /v1/holds against a pool of capacity 3: exactly 3 are 201, the rest 409 unavailable`, async () => {
    const load = trackInFlight(hub);
    const answers = await all(N, () => call(hub.base, 'POST', '/v1/holds', {
      headers: ADMIN, body: { site: 'alpha', resource: 'double', checkIn: '2027-02-10', checkOut: '2027-02-12' },
    }));
    load.stop();
    // Many sockets, and requests overlapping inside the server (awaiting Redis side by side).
    expect(load.connections()).toBeGreaterThan(50);
    expect(load.peak()).toBeGreaterThan(1);

    expect(countByStatus(answers)).toEqual({ 201: 3, 409: N - 3 });
    const held = answers.filter((a) => a.status === 201);
    expect(new Set(held.map((a) => a.body.id)).size).toBe(3);
    for (const a of held) expect(a.body).toMatchObject({ id: expect.stringMatching(/^h_/), status: 'held' });
    for (const a of answers.filter((x) => x.status === 409)) {
      expect(a.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(a.body).toMatchObject({ type: 'unavailable', status: 409, site: 'alpha', resource: 'double' });
    }

    expect(await nights('alpha', 'double', '2027-02-09', '2027-02-13')).toEqual([
      { date: '2027-02-09', available: 3 },
      { date: '2027-02-10', available: 0 },
      { date: '2027-02-11', available: 0 },
      { date: '2027-02-12', available: 3 },
    ]);
  });

  it(`${N} concurrent holds on a shared resource, split across both member sites: exactly one 201 in total`, async () => {
    // The same instants at both sites, though their local times differ (Berlin and New York).
    const span = { resource: 'hall', start: '2027-06-01T10:00:00Z', end: '2027-06-01T12:00:00Z' };
    const load = trackInFlight(hub);
    const answers = await all(N, (i) => call(hub.base, 'POST', '/v1/holds', {
      headers: KEY, body: { site: i % 2 === 0 ? 'alpha' : 'beta', ...span },
    }));
    load.stop();
    expect(load.peak()).toBeGreaterThan(1);

    expect(countByStatus(answers)).toEqual({ 201: 1, 409: N - 1 });
    for (const a of answers.filter((x) => x.status === 409)) expect(a.body.type).toBe('unavailable');

    const taken = { start: '2027-06-01T10:00:00.000Z', end: '2027-06-01T12:00:00.000Z', available: 0 };
    for (const site of ['alpha', 'beta']) {
      const pieces = await intervals(site, 'hall', '2027-06-01T08:00:00Z', '2027-06-01T14:00:00Z');
      expect(pieces).toEqual([
        { start: '2027-06-01T08:00:00.000Z', end: '2027-06-01T10:00:00.000Z', available: 1 },
        taken,
        { start: '2027-06-01T12:00:00.000Z', end: '2027-06-01T14:00:00.000Z', available: 1 },
      ]);
    }
  });
});

describe('multi-item holds', () => {
  it('a multi-item hold whose last item is taken claims nothing', async () => {
    const studio = { site: 'alpha', resource: 'studio', start: '2027-02-10T15:00:00Z', end: '2027-02-10T17:00:00Z' };
    const first = await call(hub.base, 'POST', '/v1/holds', { headers: KEY, body: studio });
    expect(first.status).toBe(201);

    const multi = await call(hub.base, 'POST', '/v1/holds', {
      headers: KEY,
      body: {
        items: [
          { site: 'alpha', resource: 'twin', quantity: 2, checkIn: '2027-02-10', checkOut: '2027-02-11' },
          { site: 'alpha', resource: 'double', checkIn: '2027-02-10', checkOut: '2027-02-12' },
          { ...studio, start: '2027-02-10T16:00:00Z', end: '2027-02-10T18:00:00Z' },
        ],
      },
    });
    expect(multi.status).toBe(409);
    expect(multi.body).toMatchObject({ type: 'unavailable', item: 2, site: 'alpha', resource: 'studio' });

    expect(await nights('alpha', 'twin', '2027-02-10', '2027-02-11')).toEqual([{ date: '2027-02-10', available: 5 }]);
    expect(await nights('alpha', 'double', '2027-02-10', '2027-02-12')).toEqual([
      { date: '2027-02-10', available: 3 }, { date: '2027-02-11', available: 3 },
    ]);
    // Only the first hold's span is taken.
    expect(await intervals('alpha', 'studio', '2027-02-10T14:00:00Z', '2027-02-10T19:00:00Z')).toEqual([
      { start: '2027-02-10T14:00:00.000Z', end: '2027-02-10T15:00:00.000Z', available: 1 },
      { start: '2027-02-10T15:00:00.000Z', end: '2027-02-10T17:00:00.000Z', available: 0 },
      { start: '2027-02-10T17:00:00.000Z', end: '2027-02-10T19:00:00.000Z', available: 1 },
    ]);

    // Without the taken item the same rooms can be held: nothing was left behind either way.
    const rest = await call(hub.base, 'POST', '/v1/holds', {
      headers: KEY,
      body: {
        items: [
          { site: 'alpha', resource: 'twin', quantity: 5, checkIn: '2027-02-10', checkOut: '2027-02-11' },
          { site: 'alpha', resource: 'double', quantity: 3, checkIn: '2027-02-10', checkOut: '2027-02-12' },
        ],
      },
    });
    expect(rest.status).toBe(201);
    expect(await nights('alpha', 'twin', '2027-02-10', '2027-02-11')).toEqual([{ date: '2027-02-10', available: 0 }]);
  });
});
