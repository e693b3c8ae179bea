import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createApaleoAdapter } from '../../adapters/apaleo/index.js';
import type { ApaleoAdapterOptions, ApaleoSettings } from '../../adapters/apaleo/index.js';
import { startApaleoSimulator } from '../../adapters/apaleo/simulator/index.js';
import type { ApaleoSeed, ApaleoSimulator } from '../../adapters/apaleo/simulator/index.js';
import type { PullRequest, PullResult, SourceAdapter, SourceSite, WriteRequest } from '../../src/core/adapter/port.js';
import {
  AdapterAuthError, AdapterRateLimitedError, AdapterUnavailableError,
} from '../../src/core/adapter/errors.js';
import { localMidnight, nightsOf } from '../../src/domain/index.js';

const CLIENT = { clientId: 'avhub-test', clientSecret: 's3cret with spaces+&' };
const silent = { warn: () => undefined, info: () => undefined };

interface Rig {
  sim: ApaleoSimulator;
  adapter: SourceAdapter;
  site: SourceSite;
  throttled: { n: number };
  pull(cursor: string | null, window?: { start: number; end: number }): Promise<PullResult>;
  write(key: string, checkIn: string, checkOut: string, extra?: Partial<WriteRequest>): WriteRequest;
  close(): Promise<void>;
}

async function rig(opts: { seed?: ApaleoSeed; settings?: Partial<ApaleoSettings>; adapter?: ApaleoAdapterOptions; timezone?: string } = {}): Promise<Rig> {
  const sim = await startApaleoSimulator({ ...CLIENT, seed: opts.seed ?? { propertyId: 'MUC', timeZone: 'Europe/Berlin' } });
  const tz = opts.timezone ?? sim.admin.state.timeZone;
  const p = sim.admin.state.propertyId;
  const site: SourceSite = {
    id: 'mitte', timezone: tz, resources: [
      { id: 'double', kind: 'pool', bookedBy: 'night', capacity: 12, mapping: { unitGroupId: `${p}-DBL` } },
      { id: 'single', kind: 'pool', bookedBy: 'night', capacity: 5, mapping: { unitGroupId: `${p}-SGL`, ratePlanId: `${p}-FLEX-SGL` } },
    ],
  };
  const settings: ApaleoSettings = {
    baseUrl: sim.url, tokenUrl: sim.tokenUrl, ...CLIENT, propertyId: p, ratePlanId: `${p}-FLEX-DBL`, ...opts.settings,
  };
  const adapter = createApaleoAdapter({ siteId: site.id, timezone: tz, settings, log: silent }, opts.adapter);
  const throttled = { n: 0 };
  const window = { start: localMidnight('2027-03-01', tz), end: localMidnight('2027-05-01', tz) };
  return {
    sim, adapter, site, throttled,
    pull: (cursor, w = window) => adapter.pull({
      site, window: w, cursor, signal: new AbortController().signal, throttle: async () => { throttled.n++; },
    } satisfies PullRequest),
    write: (key, checkIn, checkOut, extra = {}) => ({
      site, resource: site.resources[0]!, idempotencyKey: key, reservationId: `res-${key}`,
      span: { by: 'night', nights: nightsOf(checkIn, checkOut) }, quantity: 1,
      customer: { name: 'Ada Lovelace', email: 'ada@example.com' }, signal: new AbortController().signal,
      throttle: async () => { throttled.n++; }, ...extra,
    }),
    close: async () => { await adapter.close(); await sim.stop(); },
  };
}

const countOf = (r: PullResult, resource: string, date: string) => r.counts.find((c) => c.resource === resource && c.date === date);

describe('apaleo adapter against the simulator', () => {
  let h: Rig;
  beforeAll(async () => { h = await rig(); });
  afterAll(async () => { await h.close(); });

  let cursor: string | null = null;

  it('full pull returns per-night counts and the reservations staying in the window', async () => {
    h.sim.admin.createReservation({ unitGroupId: 'MUC-DBL', arrival: '2027-03-10', departure: '2027-03-12' });
    h.sim.admin.createReservation({ unitGroupId: 'MUC-SGL', arrival: '2027-03-10', departure: '2027-03-11', externalCode: 'BDC-991' });
    h.sim.admin.createReservation({ unitGroupId: 'MUC-DBL', arrival: '2027-06-10', departure: '2027-06-12' }); // outside
    const r = await h.pull(null);
    expect(r.mode).toBe('full');
    // 2027-03-01 .. 2027-04-30: 61 nights per resource.
    expect(r.counts.filter((c) => c.resource === 'double')).toHaveLength(61);
    expect(countOf(r, 'double', '2027-03-10')).toEqual({ resource: 'double', date: '2027-03-10', available: 11 });
    expect(countOf(r, 'double', '2027-03-12')?.available).toBe(12);
    expect(countOf(r, 'single', '2027-03-10')?.available).toBe(4);
    expect(r.bookings.map((b) => [b.externalId, b.resource, b.status, b.span])).toEqual([
      ['B00001-1', 'double', 'confirmed', { by: 'night', nights: ['2027-03-10', '2027-03-11'] }],
      ['B00002-1', 'single', 'confirmed', { by: 'night', nights: ['2027-03-10'] }],
    ]);
    expect(r.bookings[0]!.createdAt).toBeTypeOf('number');
    expect(r.skipped).toEqual([]);
    expect(JSON.parse(r.cursor!)).toMatchObject({ v: 1, modifiedFrom: expect.any(String) });
    expect(h.throttled.n).toBeGreaterThan(0);
    cursor = r.cursor;
  });

  it('an unchanged source gives an incremental pull with no bookings', async () => {
    const r = await h.pull(cursor);
    expect(r.mode).toBe('delta');
    expect(r.bookings).toEqual([]);
    // The June stay was changed in the cursor's overlap second but lies outside the window.
    expect(r.removed.every((id) => id === 'B00003-1')).toBe(true);
    cursor = r.cursor;
  });

  it('incremental pull after a front-desk booking: the count drops and the booking appears', async () => {
    const walkIn = h.sim.admin.createReservation({ unitGroupId: 'MUC-DBL', arrival: '2027-03-11', departure: '2027-03-13' });
    const r = await h.pull(cursor);
    expect(r.mode).toBe('delta');
    expect(r.bookings.map((b) => b.externalId)).toEqual([walkIn.id]);
    expect(r.bookings[0]).toMatchObject({ status: 'confirmed', span: { by: 'night', nights: ['2027-03-11', '2027-03-12'] } });
    expect(countOf(r, 'double', '2027-03-11')?.available).toBe(10);
    cursor = r.cursor;

    h.sim.admin.cancelReservation(walkIn.id);
    const after = await h.pull(cursor);
    expect(after.bookings).toEqual([expect.objectContaining({ externalId: walkIn.id, status: 'cancelled' })]);
    expect(countOf(after, 'double', '2027-03-11')?.available).toBe(11);
    cursor = after.cursor;
  });

  it('reserve twice with one idempotency key makes one reservation; it comes back with the hub reference', async () => {
    const req = h.write('k1', '2027-04-01', '2027-04-04');
    const first = await h.adapter.reserve(req);
    const second = await h.adapter.reserve(req);
    expect(second).toEqual(first);
    const mine = h.sim.admin.reservations().filter((r) => r.externalCode?.startsWith('avhub-res-k1'));
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({ id: first.externalId, unitGroupId: 'MUC-DBL', ratePlanId: 'MUC-FLEX-DBL', arrivalDate: '2027-04-01', departureDate: '2027-04-04', channelCode: 'Direct' });
    const r = await h.pull(cursor);
    expect(r.bookings).toEqual([expect.objectContaining({ externalId: first.externalId, hubReference: 'res-k1', status: 'confirmed' })]);
    expect(countOf(r, 'double', '2027-04-03')?.available).toBe(11);
    cursor = r.cursor;
  });

  it('a lost answer to the create is found by the lookup on retry', async () => {
    // The first attempt created the booking but the hub never heard back.
    const req = h.write('k2', '2027-04-10', '2027-04-11', { resource: h.site.resources[1]! });
    const first = await h.adapter.reserve(req);
    const retried = await h.adapter.reserve(req);
    expect(retried).toEqual(first);
    expect(h.sim.admin.reservations().filter((r) => r.unitGroupId === 'MUC-SGL' && r.externalCode?.startsWith('avhub-res-k2'))).toHaveLength(1);
  });

  it('cancel uses the cancel action; cancelling again succeeds; the pull sees it cancelled', async () => {
    const req = h.write('k1', '2027-04-01', '2027-04-04');
    const { externalId } = await h.adapter.reserve(req);
    await h.adapter.cancel({ ...req, externalId });
    expect(h.sim.admin.state.reservations.get(externalId)?.status).toBe('Canceled');
    await h.adapter.cancel({ ...req, externalId });
    const r = await h.pull(cursor);
    expect(r.bookings).toContainEqual(expect.objectContaining({ externalId, status: 'cancelled', hubReference: 'res-k1' }));
    expect(countOf(r, 'double', '2027-04-01')?.available).toBe(12);
    cursor = r.cursor;
  });

  it('a sold-out night refuses the booking (422) as a refused request, not an outage', async () => {
    h.sim.admin.setUnitCount('MUC-SGL', 0);
    try {
      await expect(h.adapter.reserve(h.write('k3', '2027-04-20', '2027-04-21', { resource: h.site.resources[1]! })))
        .rejects.toMatchObject({ status: 422 });
    } finally {
      h.sim.admin.setUnitCount('MUC-SGL', 5);
    }
  });

  it('a stop-sell night is reported closed', async () => {
    h.sim.admin.setClosed('MUC-FLEX-DBL', '2027-03-20');
    const r = await h.pull(cursor);
    expect(countOf(r, 'double', '2027-03-20')).toEqual({ resource: 'double', date: '2027-03-20', available: 12, closed: true });
    expect(countOf(r, 'double', '2027-03-21')?.closed).toBeUndefined();
    expect(countOf(r, 'single', '2027-03-20')?.closed).toBeUndefined();
    cursor = r.cursor;
  });

  it('a stop-sell on the last night of a chunk and of the window is reported (rates `to` is exclusive)', async () => {
    // apaleo: rates `to` selects "rates whose from is earlier than" it (exclusive), unlike the
    // availability `to` (inclusive). Chunks of 10 nights put 2027-03-10 last in the first chunk.
    const r2 = await rig({ adapter: { chunkNights: 10 } });
    try {
      r2.sim.admin.setClosed('MUC-FLEX-DBL', '2027-03-10');
      r2.sim.admin.setClosed('MUC-FLEX-DBL', '2027-04-30');
      const r = await r2.pull(null);
      expect(countOf(r, 'double', '2027-03-10')?.closed).toBe(true);
      expect(countOf(r, 'double', '2027-04-30')?.closed).toBe(true);
      expect(countOf(r, 'double', '2027-03-11')?.closed).toBeUndefined();
      expect(r.counts.filter((c) => c.closed)).toHaveLength(2);
    } finally {
      await r2.close();
    }
  });

  it('reuses its token across calls and refreshes it once after a 401', async () => {
    const issued = h.sim.admin.tokensIssued();
    await h.pull(cursor);
    expect(h.sim.admin.tokensIssued()).toBe(issued);
    h.sim.admin.revokeTokens();
    const r = await h.pull(cursor);
    expect(r.mode).toBe('delta');
    expect(h.sim.admin.tokensIssued()).toBe(issued + 1);
  });

  describe('errors', () => {
    afterEach(() => { h.sim.admin.comeBack(); h.sim.admin.failNext(0, 200); });

    it('429 is AdapterRateLimitedError with Retry-After in milliseconds', async () => {
      h.sim.admin.failNext(1, 429, { retryAfterSeconds: 7 });
      const err = await h.pull(cursor).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(AdapterRateLimitedError);
      expect((err as AdapterRateLimitedError).retryAfterMs).toBe(7000);
    });

    it('5xx is AdapterUnavailableError', async () => {
      h.sim.admin.failNext(1, 503);
      await expect(h.pull(cursor)).rejects.toBeInstanceOf(AdapterUnavailableError);
      h.sim.admin.failNext(1, 500);
      await expect(h.adapter.reserve(h.write('k9', '2027-04-25', '2027-04-26'))).rejects.toBeInstanceOf(AdapterUnavailableError);
    });

    it('a source that does not answer is AdapterUnavailableError, and it works again afterwards', async () => {
      h.sim.admin.goDown();
      await expect(h.pull(cursor)).rejects.toBeInstanceOf(AdapterUnavailableError);
      h.sim.admin.comeBack();
      await expect(h.pull(cursor)).resolves.toMatchObject({ mode: 'delta' });
    });

    it('403 is AdapterAuthError; a 401 that survives a fresh token too', async () => {
      h.sim.admin.failNext(1, 403);
      await expect(h.pull(cursor)).rejects.toBeInstanceOf(AdapterAuthError);
      h.sim.admin.failNext(2, 401);
      await expect(h.pull(cursor)).rejects.toBeInstanceOf(AdapterAuthError);
    });
  });
});

describe('apaleo adapter: guarantee type', () => {
  it('sends the configured guaranteeType, which a rate plan with a minGuaranteeType demands', async () => {
    const seed: ApaleoSeed = { propertyId: 'MUC', timeZone: 'Europe/Berlin', ratePlans: [
      { id: 'MUC-NONREF-DBL', unitGroupId: 'MUC-DBL', minGuaranteeType: 'Prepayment' },
      { id: 'MUC-FLEX-SGL', unitGroupId: 'MUC-SGL' },
    ] };
    const without = await rig({ seed, settings: { ratePlanId: 'MUC-NONREF-DBL' } });
    try {
      await expect(without.adapter.reserve(without.write('g1', '2027-03-10', '2027-03-11'))).rejects.toMatchObject({ status: 422 });
    } finally { await without.close(); }
    const h = await rig({ seed, settings: { ratePlanId: 'MUC-NONREF-DBL', guaranteeType: 'Prepayment' } });
    try {
      const { externalId } = await h.adapter.reserve(h.write('g1', '2027-03-10', '2027-03-11'));
      expect(h.sim.admin.reservations().map((r) => r.id)).toEqual([externalId]);
    } finally { await h.close(); }
  });
});

describe('apaleo adapter: credentials, paging, chunks, DST', () => {
  it('a wrong client secret is AdapterAuthError (invalid_client at the token endpoint)', async () => {
    const h = await rig({ settings: { clientSecret: 'wrong' } });
    try {
      const err = await h.pull(null).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(AdapterAuthError);
      expect((err as Error).message).toMatch(/invalid_client/);
      expect((err as Error).message).not.toMatch(/wrong/);
    } finally { await h.close(); }
  });

  it('an unreachable token endpoint is AdapterUnavailableError', async () => {
    const h = await rig();
    try {
      h.sim.admin.failNext(1, 502, { token: true });
      await expect(h.pull(null)).rejects.toBeInstanceOf(AdapterUnavailableError);
    } finally { await h.close(); }
  });

  it('reads every page of reservations and every chunk of the window', async () => {
    const h = await rig({ adapter: { pageSize: 5, chunkNights: 30 } });
    try {
      for (let i = 0; i < 12; i++) h.sim.admin.createReservation({ unitGroupId: 'MUC-DBL', arrival: '2027-03-05', departure: '2027-03-07' });
      const r = await h.pull(null);
      expect(new Set(r.bookings.map((b) => b.externalId)).size).toBe(12);
      expect(countOf(r, 'double', '2027-03-06')?.available).toBe(0);
      const reqs = h.sim.admin.requests();
      const pages = reqs.filter((q) => q.path === '/booking/v1/reservations').map((q) => q.query.pageNumber);
      expect(pages).toEqual(['1', '2', '3']);
      // 61 nights in chunks of 30 (30, 30, 1), each chunk paged by 5 time slices.
      const avail = reqs.filter((q) => q.path === '/availability/v1/unit-groups');
      expect(new Set(avail.map((q) => `${q.query.from}..${q.query.to}`))).toEqual(new Set(['2027-03-01..2027-03-30', '2027-03-31..2027-04-29', '2027-04-30..2027-04-30']));
      expect(r.counts.filter((c) => c.resource === 'double')).toHaveLength(61);
      expect(avail.every((q) => Number(q.query.pageSize) === 5)).toBe(true);
      // The rates `to` is exclusive: each chunk asks up to the day after its last night.
      const rates = reqs.filter((q) => q.path === '/rateplan/v1/rate-plans/MUC-FLEX-DBL/rates');
      expect(new Set(rates.map((q) => `${q.query.from}..${q.query.to}`))).toEqual(new Set(['2027-03-01..2027-03-31', '2027-03-31..2027-04-30', '2027-04-30..2027-05-01']));
    } finally { await h.close(); }
  });

  it('a New York property across the 2027-03-14 DST change keeps local nights', async () => {
    const seed: ApaleoSeed = { propertyId: 'NYC', timeZone: 'America/New_York' };
    const h = await rig({ seed });
    try {
      const stay = h.sim.admin.createReservation({ unitGroupId: 'NYC-DBL', arrival: '2027-03-13', departure: '2027-03-15' });
      h.sim.admin.setClosed('NYC-FLEX-DBL', '2027-03-14');
      const window = { start: localMidnight('2027-03-13', 'America/New_York'), end: localMidnight('2027-03-16', 'America/New_York') };
      expect(window.end - window.start).toBe(71 * 3_600_000); // a 23-hour day inside
      const r = await h.pull(null, window);
      expect(r.counts.filter((c) => c.resource === 'double')).toEqual([
        { resource: 'double', date: '2027-03-13', available: 11 },
        { resource: 'double', date: '2027-03-14', available: 11, closed: true },
        { resource: 'double', date: '2027-03-15', available: 12 },
      ]);
      expect(r.bookings).toEqual([expect.objectContaining({ externalId: stay.id, span: { by: 'night', nights: ['2027-03-13', '2027-03-14'] } })]);
      // Booking a closed night is refused; reopened, the stay across the change is written.
      await expect(h.adapter.reserve(h.write('ny', '2027-03-13', '2027-03-15'))).rejects.toMatchObject({ status: 422 });
      h.sim.admin.setClosed('NYC-FLEX-DBL', '2027-03-14', false);
      const { externalId } = await h.adapter.reserve(h.write('ny', '2027-03-13', '2027-03-15'));
      const mine = h.sim.admin.state.reservations.get(externalId)!;
      expect(h.sim.admin.state.reservationModel(mine)).toMatchObject({ arrival: '2027-03-13T17:00:00-05:00', departure: '2027-03-15T11:00:00-04:00' });
      const again = await h.pull(r.cursor, window);
      expect(again.bookings).toEqual([expect.objectContaining({ externalId, hubReference: 'res-ny', span: { by: 'night', nights: ['2027-03-13', '2027-03-14'] } })]);
      expect(again.counts.filter((c) => c.resource === 'double').map((c) => c.available)).toEqual([10, 10, 12]);
    } finally { await h.close(); }
  });

  it('nights follow the property zone when the site zone differs (and says so)', async () => {
    const h = await rig({ seed: { propertyId: 'NYC', timeZone: 'America/New_York' }, timezone: 'Europe/Berlin' });
    try {
      h.sim.admin.createReservation({ unitGroupId: 'NYC-DBL', arrival: '2027-03-13', departure: '2027-03-14' });
      const r = await h.pull(null);
      expect(r.bookings[0]?.span).toEqual({ by: 'night', nights: ['2027-03-13'] });
    } finally { await h.close(); }
  });

  it('several units make one booking of several reservations, cancelled together', async () => {
    const h = await rig();
    try {
      const req = h.write('multi', '2027-03-20', '2027-03-22', { quantity: 3 });
      const { externalId } = await h.adapter.reserve(req);
      expect(externalId.split(',')).toHaveLength(3);
      expect(await h.adapter.reserve(req)).toEqual({ externalId });
      const r = await h.pull(null);
      expect(countOf(r, 'double', '2027-03-21')?.available).toBe(9);
      expect(r.bookings.map((b) => b.hubReference)).toEqual(['res-multi', 'res-multi', 'res-multi']);
      await h.adapter.cancel({ ...req, externalId });
      expect(h.sim.admin.reservations().every((x) => x.status === 'Canceled')).toBe(true);
    } finally { await h.close(); }
  });
});
