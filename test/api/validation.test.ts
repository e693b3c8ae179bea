import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, ADMIN_TOKEN, call, startTestHub, type Answer, type TestHub } from '../helpers/hub.js';

const YAML = `
auth:
  adminToken: ${ADMIN_TOKEN}
  widgetKeys:
    - { key: widget-key-valid, origins: ["*"], sites: [alpha], maxOpenHolds: 100 }
groups:
  rooms: { workflow: centralized }
  halls: { workflow: hybrid }
sites:
  - id: alpha
    timezone: Europe/Berlin
    adapter: { kind: none }
    resources:
      - { id: double, kind: pool, capacity: 4, group: rooms, bookedBy: night, rules: { minStay: 2 } }
      - id: hall
        kind: unit
        group: halls
        rules: { openingHours: { daily: "08:00-22:00" }, minNotice: 48h }
`;
const KEY = { 'x-api-key': 'widget-key-valid' };
const STAY = { site: 'alpha', resource: 'double', checkIn: '2027-02-10', checkOut: '2027-02-12' };

let hub: TestHub;
beforeAll(async () => { hub = await startTestHub({ yaml: YAML }); });
afterAll(async () => { await hub?.stop(); });

const hold = (body: unknown) => call(hub.base, 'POST', '/v1/holds', { headers: KEY, body });
const availability = (query: string) => call(hub.base, 'GET', `/v1/availability?${query}`, { headers: KEY });

function expect400(res: Answer, field: string) {
  expect(res.status).toBe(400);
  expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(res.body).toMatchObject({ type: 'invalid-request', status: 400, field });
  expect(res.body.detail).toContain(field);
}

describe('400 naming the field', () => {
  it('an unknown body key', async () => {
    const res = await hold({ ...STAY, nights: 2 });
    expect400(res, 'nights');
    expect(res.body.detail).toMatch(/unknown key/);
    expect400(await hold({ items: [{ ...STAY, room: 'x' }] }), 'items[0].room');
  });

  it('a bad date in the second item: items[1].checkIn', async () => {
    const items = (checkIn: string) => ({ items: [STAY, { ...STAY, checkIn }] });
    expect400(await hold(items('2027-02-30')), 'items[1].checkIn'); // no such day
    expect400(await hold(items('soon')), 'items[1].checkIn');
    expect400(await hold(items('10.02.2027')), 'items[1].checkIn');
  });

  it('a missing site, resource, or span', async () => {
    const { site: _s, ...noSite } = STAY;
    expect400(await hold(noSite), 'site');
    const { resource: _r, ...noResource } = STAY;
    expect400(await hold(noResource), 'resource');
    const res = await hold({ site: 'alpha', resource: 'hall', start: '2027-02-10T10:00:00Z' });
    expect(res.status).toBe(400);
    expect(res.body.detail).toMatch(/start and end/);
    expect400(await hold({ site: 'alpha', resource: 'hall', start: '2027-02-10T10:00:00Z', end: '2027-02-10T09:00:00Z' }), 'end');
    expect400(await hold({ items: [] }), 'items');
    expect400(await hold({ ...STAY, quantity: 0 }), 'quantity');
    expect400(await hold({ ...STAY, quantity: 5 }), 'quantity'); // above the capacity of 4
  });

  it('malformed JSON is a 400 problem without internals', async () => {
    const res = await call(hub.base, 'POST', '/v1/holds', { headers: KEY, body: '{"site": ' });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ type: 'invalid-request', status: 400 });
    expect(JSON.stringify(res.body)).not.toMatch(/\n\s+at /);
  });

  it('a bad availability query: from missing, to before from, unknown parameter, window too wide', async () => {
    expect400(await availability('site=alpha&to=2027-02-12'), 'from');
    expect400(await availability('site=alpha&from=2027-02-12&to=2027-02-10'), 'to');
    expect400(await availability('site=alpha&from=2027-02-12&to=2027-02-12'), 'to');
    expect400(await availability('site=alpha&from=2027-02-30&to=2027-03-02'), 'from');
    expect400(await availability('site=alpha&from=2027-02-10&to=2027-02-12&colour=red'), 'colour');
    expect400(await availability('site=alpha&from=2027-01-01&to=2028-06-01'), 'to');
    expect400(await availability('site=&from=2027-02-10&to=2027-02-12'), 'site');
  });

  it('unknown sites, resources and groups are 404', async () => {
    expect((await call(hub.base, 'POST', '/v1/holds', { headers: ADMIN, body: { ...STAY, site: 'nowhere' } })).body)
      .toMatchObject({ status: 404, type: 'not-found' });
    expect((await hold({ ...STAY, resource: 'attic' })).body).toMatchObject({ status: 404, type: 'not-found' });
    expect((await availability('site=alpha&group=nope&from=2027-02-10&to=2027-02-12')).status).toBe(404);
  });
});

describe('422 for availability rules, with the rule as the problem type', () => {
  it('minStay', async () => {
    const res = await hold({ ...STAY, checkOut: '2027-02-11' });
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({ type: 'min-stay', status: 422, site: 'alpha', resource: 'double' });
    expect((await hold(STAY)).status).toBe(201);
  });

  it('opening hours (local time at the site)', async () => {
    // 07:00–09:00 in Berlin starts before the 08:00 opening.
    const early = await hold({ site: 'alpha', resource: 'hall', start: '2027-02-10T07:00:00', end: '2027-02-10T09:00:00' });
    expect(early.status).toBe(422);
    expect(early.body.type).toBe('outside-opening-hours');
    const late = await hold({ site: 'alpha', resource: 'hall', start: '2027-02-10T21:00:00Z', end: '2027-02-10T22:00:00Z' });
    expect(late.body.type).toBe('outside-opening-hours'); // 22:00–23:00 Berlin
    const open = await hold({ site: 'alpha', resource: 'hall', start: '2027-02-10T08:00:00', end: '2027-02-10T10:00:00' });
    expect(open.status).toBe(201);
  });

  it('minimum notice, for times and for nights in the past', async () => {
    const soon = Date.now() + 3_600_000;
    const res = await hold({ site: 'alpha', resource: 'hall',
      start: new Date(soon).toISOString(), end: new Date(soon + 3_600_000).toISOString() });
    expect(res.status).toBe(422);
    expect(res.body.type).toBe('min-notice');

    const past = await hold({ ...STAY, checkIn: '2026-01-10', checkOut: '2026-01-12' });
    expect(past.status).toBe(422);
    expect(past.body.type).toBe('min-notice');
  });

  it('a rule broken by the second item names that item', async () => {
    const res = await hold({ items: [STAY, { ...STAY, checkIn: '2027-03-10', checkOut: '2027-03-11' }] });
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({ type: 'min-stay', item: 1 });
  });
});
