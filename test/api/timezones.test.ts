import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, ADMIN_TOKEN, call, startTestHub, type TestHub } from '../helpers/hub.js';

/**
 * In 2027 Berlin moves its clocks forward on Sunday 28 March (a 23-hour day, +01:00 → +02:00) and
 * New York on Sunday 14 March (-05:00 → -04:00).
 */
const YAML = `
auth: { adminToken: ${ADMIN_TOKEN} }
groups:
  rooms: { workflow: centralized }
  halls: { workflow: hybrid }
sites:
  - id: berlin
    timezone: Europe/Berlin
    adapter: { kind: none }
    resources:
      - { id: room, kind: pool, capacity: 2, group: rooms, bookedBy: night }
      - { id: hall, kind: unit, group: halls }
  - id: nyc
    timezone: America/New_York
    adapter: { kind: none }
    resources:
      - { id: room, kind: pool, capacity: 2, group: rooms, bookedBy: night }
      - { id: hall, kind: unit, group: halls }
`;

let hub: TestHub;
beforeAll(async () => { hub = await startTestHub({ yaml: YAML }); });
afterAll(async () => { await hub?.stop(); });

type Site = { id: string; timezone: string; resources: Array<{ id: string; nights?: Array<{ date: string; available: number }>; intervals?: Array<{ start: string; end: string; available: number }> }> };

async function read(query: string): Promise<Record<string, Site>> {
  const res = await call(hub.base, 'GET', `/v1/availability?${query}`, { headers: ADMIN });
  expect(res.status).toBe(200);
  return Object.fromEntries((res.body.sites as Site[]).map((s) => [s.id, s]));
}
const resource = (site: Site, id: string) => site.resources.find((r) => r.id === id)!;

const hold = async (body: unknown) => {
  const res = await call(hub.base, 'POST', '/v1/holds', { headers: ADMIN, body });
  expect(res.status).toBe(201);
};

describe('time zones', () => {
  it('answers nights as local dates and intervals from local midnight, across DST changes', async () => {
    // A whole local day of each hall on its DST change day, given as local times without offset.
    await hold({ site: 'berlin', resource: 'hall', start: '2027-03-28T00:00:00', end: '2027-03-29T00:00:00' });
    await hold({ site: 'nyc', resource: 'hall', start: '2027-03-14T00:00', end: '2027-03-15T00:00' });
    await hold({ site: 'berlin', resource: 'room', checkIn: '2027-03-28', checkOut: '2027-03-29' });
    await hold({ site: 'nyc', resource: 'room', checkIn: '2027-03-13', checkOut: '2027-03-15', quantity: 2 });

    const sites = await read('site=berlin,nyc&from=2027-03-13&to=2027-03-30');
    expect(sites.berlin!.timezone).toBe('Europe/Berlin');
    expect(sites.nyc!.timezone).toBe('America/New_York');

    const dates = Array.from({ length: 17 }, (_, i) => `2027-03-${String(13 + i).padStart(2, '0')}`);
    expect(resource(sites.berlin!, 'room').nights).toEqual(dates.map((date) => ({ date, available: date === '2027-03-28' ? 1 : 2 })));
    expect(resource(sites.nyc!, 'room').nights).toEqual(
      dates.map((date) => ({ date, available: date === '2027-03-13' || date === '2027-03-14' ? 0 : 2 })));

    // The window runs from local midnight of `from` to local midnight of `to` at each site.
    expect(resource(sites.berlin!, 'hall').intervals).toEqual([
      { start: '2027-03-12T23:00:00.000Z', end: '2027-03-27T23:00:00.000Z', available: 1 },
      { start: '2027-03-27T23:00:00.000Z', end: '2027-03-28T22:00:00.000Z', available: 0 }, // 23 hours
      { start: '2027-03-28T22:00:00.000Z', end: '2027-03-29T22:00:00.000Z', available: 1 },
    ]);
    expect(resource(sites.nyc!, 'hall').intervals).toEqual([
      { start: '2027-03-13T05:00:00.000Z', end: '2027-03-14T05:00:00.000Z', available: 1 },
      { start: '2027-03-14T05:00:00.000Z', end: '2027-03-15T04:00:00.000Z', available: 0 }, // 23 hours
      { start: '2027-03-15T04:00:00.000Z', end: '2027-03-30T04:00:00.000Z', available: 1 },
    ]);
  });

  it('a one-day window on the Berlin DST day is 23 hours long', async () => {
    const sites = await read('site=berlin&resource=hall&from=2027-03-28&to=2027-03-29');
    const pieces = resource(sites.berlin!, 'hall').intervals!;
    const start = Date.parse(pieces[0]!.start);
    const end = Date.parse(pieces[pieces.length - 1]!.end);
    expect(new Date(start).toISOString()).toBe('2027-03-27T23:00:00.000Z');
    expect((end - start) / 3_600_000).toBe(23);
  });

  it('takes ISO instants as they are', async () => {
    // 2027-03-28T22:30Z is already 29 March in Berlin (00:30 CEST) but still 28 March in New York.
    const sites = await read('site=berlin,nyc&resource=room&from=2027-03-28T22:30:00Z&to=2027-03-29T03:00:00Z');
    expect(resource(sites.berlin!, 'room').nights!.map((n) => n.date)).toEqual(['2027-03-29']);
    expect(resource(sites.nyc!, 'room').nights!.map((n) => n.date)).toEqual(['2027-03-28']);
  });
});
