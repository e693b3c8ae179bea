import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { startRestPmsSimulator, type RestPmsSimulator } from '../../adapters/rest/simulator/index.js';
import { bearer, call, eventually, startTestHub, type TestHub } from '../helpers/hub.js';

const ADMIN = '0123456789abcdef';
const TOKEN = 'pms-secret-token';
const DAY = 86_400_000;
const date = (offsetDays: number) => new Date(Math.floor(Date.now() / DAY) * DAY + offsetDays * DAY).toISOString().slice(0, 10);
const IN = date(20);
const OUT = date(22);

let pms: RestPmsSimulator;
let hub: TestHub;

function hubYaml(baseUrl: string, modify = false): string {
  const site = parse(readFileSync(new URL('../../adapters/rest/fixtures/example-site.yaml', import.meta.url), 'utf8')) as Record<string, any>;
  site.adapter.baseUrl = baseUrl;
  if (modify) {
    site.adapter.modify = { method: 'PATCH', path: '/bookings/{id}', body: { arrival: '{checkIn}', departure: '{checkOut}', roomType: '{resource}', rooms: '{quantity}' } };
  }
  site.adapter.auth.value = `Bearer ${TOKEN}`;
  site.pollEvery = '1s';
  return stringify({
    auth: { adminToken: ADMIN },
    // The failing-PMS case must fail by the write-back's retries, not wait because failing polls
    // made the site limited (that pause has its own test: writeback-paused.test.ts).
    defaults: { writeback: { attempts: 3, backoff: '100ms' }, syncWindow: { past: '1d', future: '60d' }, limitedAfter: { failures: 1000, staleFor: '1h' } },
    groups: { rooms: { workflow: 'centralized' } },
    sites: [site],
  });
}

async function doubles(): Promise<number[]> {
  const r = await call(hub.base, 'GET', `/v1/availability?site=lakeside&resource=double&from=${IN}&to=${OUT}`, { headers: bearer(ADMIN) });
  expect(r.status).toBe(200);
  return r.body.sites[0].resources[0].nights.map((n: { available: number }) => n.available);
}

async function holdAndConfirm(quantity = 1) {
  const hold = await call(hub.base, 'POST', '/v1/holds', { headers: bearer(ADMIN), body: { site: 'lakeside', resource: 'double', checkIn: IN, checkOut: OUT, quantity, customer: { name: 'Ada' } } });
  expect(hold.status).toBe(201);
  const confirm = await call(hub.base, 'POST', `/v1/holds/${hold.body.id}/confirm`, { headers: bearer(ADMIN) });
  expect(confirm.status).toBe(202);
  expect(confirm.body.status).toBe('pending');
  return confirm.body.reservationId as string;
}

const reservation = async (id: string) => (await call(hub.base, 'GET', `/v1/reservations/${id}`, { headers: bearer(ADMIN) })).body;
const atPms = (id: string) => pms.admin.bookings().filter((b) => b.externalRef?.startsWith(`avhub-${id}`));

describe('write-back into a PMS (REST adapter and its simulator)', () => {
  beforeAll(async () => {
    pms = await startRestPmsSimulator({ token: TOKEN, seed: { roomTypes: { DBL: 3, SGL: 2 } } });
    hub = await startTestHub({ yaml: hubYaml(pms.url), roles: ['api', 'worker', 'scheduler'] });
    // The PMS's count (3) is authoritative; the configured capacity (12) only caps it.
    await eventually(async () => expect(await doubles()).toEqual([3, 3]), 10_000).catch(async (err) => {
      const site = await call(hub.base, 'GET', '/v1/sites/lakeside', { headers: bearer(ADMIN) });
      throw new Error(`${(err as Error).message}; site sync: ${JSON.stringify(site.body.sync)}`);
    });
  });
  afterAll(async () => {
    await hub?.stop();
    await pms?.stop();
  });

  it('confirms a reservation once it is written, exactly once, and never counts it twice', async () => {
    const id = await holdAndConfirm();
    expect(await doubles()).toEqual([2, 2]);
    const done = await eventually(async () => {
      const r = await reservation(id);
      expect(r.status).toBe('confirmed');
      return r;
    }, 10_000);
    expect(Object.values(done.externalIds)).toHaveLength(1);
    expect(atPms(id)).toHaveLength(1);
    // Polls after the write-back see the PMS count drop to 2 and must not subtract the hub's own booking again.
    const polled = Date.now();
    await eventually(async () => {
      const site = await call(hub.base, 'GET', '/v1/sites/lakeside', { headers: bearer(ADMIN) });
      expect(Date.parse(site.body.sync.lastSuccessAt)).toBeGreaterThan(polled + 1000);
    }, 10_000);
    expect(await doubles()).toEqual([2, 2]);
  });

  it('a booking taken at the front desk shows on the next poll', async () => {
    pms.admin.createBooking({ roomType: 'DBL', arrival: IN, departure: OUT });
    await eventually(async () => expect(await doubles()).toEqual([1, 1]), 10_000);
    // Sync advice counts it: one booking arrived at the source this hour.
    const site = await call(hub.base, 'GET', '/v1/sites/lakeside', { headers: bearer(ADMIN) });
    expect(site.body.advice).toMatchObject({ peakBookingsPerHour: 1, bookingsLast7Days: 1, recommendedPollEverySeconds: 1800, tooSlow: false });
    expect(site.body.advice.syncSuccessRate).toBeGreaterThan(0.5);
  });

  it('cancelling frees the capacity at once and cancels at the PMS through the outbox', async () => {
    const id = await holdAndConfirm();
    await eventually(async () => expect((await reservation(id)).status).toBe('confirmed'), 10_000);
    expect(await doubles()).toEqual([0, 0]);
    const cancel = await call(hub.base, 'DELETE', `/v1/reservations/${id}`, { headers: bearer(ADMIN) });
    expect(cancel.body.status).toBe('cancelled');
    await eventually(async () => expect(atPms(id).map((b) => b.state)).toEqual(['CANCELLED']), 10_000);
    await eventually(async () => expect(await doubles()).toEqual([1, 1]), 10_000);
  });

  it('a modification writes the new booking and cancels the old one at the PMS', async () => {
    const id = await holdAndConfirm();
    await eventually(async () => expect((await reservation(id)).status).toBe('confirmed'), 10_000);
    const later = date(30);
    const moved = await call(hub.base, 'PATCH', `/v1/reservations/${id}`, { headers: bearer(ADMIN), body: { checkIn: later, checkOut: date(31) } });
    expect(moved.status).toBe(200);
    expect(moved.body.status).toBe('pending');
    await eventually(async () => expect((await reservation(id)).status).toBe('confirmed'), 10_000);
    await eventually(async () => {
      const mine = atPms(id).map((b) => [b.arrival, b.state]).sort();
      expect(mine).toEqual([[IN, 'CANCELLED'], [later, 'CONFIRMED']].sort());
    }, 10_000);
    await eventually(async () => expect(await doubles()).toEqual([1, 1]), 10_000);
    await call(hub.base, 'DELETE', `/v1/reservations/${id}`, { headers: bearer(ADMIN) });
  });

  it('a write-back that keeps failing ends failed, releases the capacity and books nothing', async () => {
    pms.admin.failNext(500, 1000);
    try {
      const id = await holdAndConfirm();
      const failed = await eventually(async () => {
        const r = await reservation(id);
        expect(r.status).toBe('failed');
        return r;
      }, 15_000);
      expect(failed.error).toMatch(/500|unavailable/i);
      expect(atPms(id)).toHaveLength(0);
    } finally {
      pms.admin.failNext(500, 0);
    }
  });
});

describe('write-back of a modification in place (REST adapter with a modify endpoint)', () => {
  beforeAll(async () => {
    pms = await startRestPmsSimulator({ token: TOKEN, seed: { roomTypes: { DBL: 3, SGL: 2 } } });
    hub = await startTestHub({ yaml: hubYaml(pms.url, true), roles: ['api', 'worker', 'scheduler'] });
    await eventually(async () => expect(await doubles()).toEqual([3, 3]), 10_000);
  });
  afterAll(async () => {
    await hub?.stop();
    await pms?.stop();
  });

  it('changes the booking at the PMS (same id, new dates) instead of booking anew and cancelling', async () => {
    const id = await holdAndConfirm();
    const written = await eventually(async () => {
      const r = await reservation(id);
      expect(r.status).toBe('confirmed');
      return r;
    }, 10_000);
    const later = date(30);
    const moved = await call(hub.base, 'PATCH', `/v1/reservations/${id}`, { headers: bearer(ADMIN), body: { checkIn: later, checkOut: date(31) } });
    expect(moved.status).toBe(200);
    const done = await eventually(async () => {
      const r = await reservation(id);
      expect(r.status).toBe('confirmed');
      return r;
    }, 10_000);
    expect(Object.values(done.externalIds)).toEqual(Object.values(written.externalIds));
    expect(atPms(id).map((b) => [b.id, b.arrival, b.state])).toEqual([[Object.values(written.externalIds)[0], later, 'CONFIRMED']]);
    await eventually(async () => expect(await doubles()).toEqual([3, 3]), 10_000);
  });
});
