import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { restAdapter, type RestSettings } from '../../adapters/rest/index.js';
import { startRestPmsSimulator, type RestPmsSimulator } from '../../adapters/rest/simulator/index.js';
import { datesCovering } from '../../src/domain/index.js';
import {
  AdapterAuthError, AdapterRateLimitedError, AdapterUnavailableError, CursorRejectedError,
} from '../../src/core/adapter/errors.js';
import type { PullRequest, SourceAdapter, SourceSite, WriteRequest } from '../../src/core/adapter/port.js';

/** The README's example, read from the same fixture, pointed at a simulator. */
const EXAMPLE = parse(readFileSync(new URL('../../adapters/rest/fixtures/example-site.yaml', import.meta.url), 'utf8')) as {
  adapter: Record<string, unknown>;
};
const TOKEN = 'pms-secret-token';

function settingsFor(sim: RestPmsSimulator, patch: Record<string, unknown> = {}, token = TOKEN): RestSettings {
  const { kind: _kind, ...raw } = structuredClone(EXAMPLE.adapter);
  // The config loader resolves ${...} from the environment; here the test does.
  const auth = { header: 'Authorization', value: `Bearer ${token}` };
  return restAdapter.settings.parse({ ...raw, baseUrl: sim.url, auth, ...patch });
}

function adapterFor(settings: RestSettings): SourceAdapter {
  return restAdapter.create({ siteId: 'lakeside', timezone: SITE.timezone, settings, log: { warn() {}, info() {} } });
}

const SITE: SourceSite = {
  id: 'lakeside',
  timezone: 'Europe/Berlin',
  resources: [
    { id: 'double', kind: 'pool', bookedBy: 'night', capacity: 12, mapping: { id: 'DBL' } },
    { id: 'single', kind: 'pool', bookedBy: 'night', capacity: 8, mapping: { id: 'SGL' } },
  ],
};
const WINDOW = { start: Date.UTC(2027, 2, 1), end: Date.UTC(2027, 4, 1) };
const DATES = datesCovering(WINDOW.start, WINDOW.end, SITE.timezone);

let throttles = 0;
function pullReq(cursor: string | null): PullRequest {
  return { site: SITE, window: WINDOW, cursor, signal: new AbortController().signal, throttle: async () => { throttles += 1; } };
}

function writeReq(key: string, nights: string[], quantity = 1, reservationId = 'r_test1'): WriteRequest {
  return {
    site: SITE, resource: SITE.resources[0]!, idempotencyKey: key, reservationId,
    span: { by: 'night', nights }, quantity, customer: { name: 'Ada Lovelace' },
    signal: new AbortController().signal, throttle: async () => { throttles += 1; },
  };
}

describe('rest adapter against the simulated PMS (README example config)', () => {
  let sim: RestPmsSimulator;
  let adapter: SourceAdapter;
  let cursor: string | null = null;

  beforeAll(async () => {
    sim = await startRestPmsSimulator({
      token: TOKEN,
      seed: {
        bookings: [
          { id: 'B1', roomType: 'DBL', arrival: '2027-03-10', departure: '2027-03-13', rooms: 2, guest: 'Grace' },
          { id: 'B2', roomType: 'SGL', arrival: '2027-03-20', departure: '2027-03-21', state: 'OPTION' },
          { id: 'B3', roomType: 'DBL', arrival: '2027-03-15', departure: '2027-03-16', externalRef: 'avhub-r_seed1' },
          { id: 'B4', roomType: 'STE', arrival: '2027-03-15', departure: '2027-03-16' },
          { id: 'B5', roomType: 'DBL', arrival: '2026-12-01', departure: '2026-12-03' },
        ],
      },
    });
    sim.admin.setStopSell('SGL', '2027-04-02');
    adapter = adapterFor(settingsFor(sim));
  });
  afterAll(async () => { await sim?.stop(); });

  it('full pull: per-night counts for every resource and night, and the bookings in the window', async () => {
    const before = sim.requestCount();
    throttles = 0;
    const result = await adapter.pull(pullReq(null));
    cursor = result.cursor;
    expect(result.mode).toBe('full');
    // 62 nights in ≤ 31-night chunks: 2 requests per room type, then one page of bookings.
    expect(DATES.length).toBe(62);
    expect(sim.requestCount() - before).toBe(2 * 2 + 1);
    expect(throttles).toBe(5);

    expect(result.counts).toHaveLength(2 * DATES.length);
    const count = (resource: string, date: string) => result.counts.find((c) => c.resource === resource && c.date === date);
    expect(count('double', '2027-03-10')).toEqual({ resource: 'double', date: '2027-03-10', available: 10 });
    expect(count('double', '2027-03-15')?.available).toBe(11);
    expect(count('double', '2027-03-13')?.available).toBe(12);
    expect(count('single', '2027-03-20')?.available).toBe(7);
    expect(count('single', '2027-04-02')).toEqual({ resource: 'single', date: '2027-04-02', available: 0, closed: true });
    expect(count('double', DATES.at(-1)!)?.available).toBe(12);

    const byId = new Map(result.bookings.map((b) => [b.externalId, b]));
    expect([...byId.keys()].sort()).toEqual(['B1', 'B2', 'B3']);
    expect(byId.get('B1')).toMatchObject({
      resource: 'double', quantity: 2, status: 'confirmed', busy: true,
      span: { by: 'night', nights: ['2027-03-10', '2027-03-11', '2027-03-12'] },
    });
    expect(byId.get('B1')?.createdAt).toBeTypeOf('number');
    expect(byId.get('B1')?.updatedAt).toBeTypeOf('number');
    expect(byId.get('B1')?.hubReference).toBeUndefined();
    expect(byId.get('B2')?.status).toBe('tentative');
    expect(byId.get('B3')?.hubReference).toBe('r_seed1');
    expect(result.skipped).toEqual([{ externalId: 'B4', reason: expect.stringContaining('unknown resource id "STE"') }]);
  });

  it('an unchanged PMS answers an incremental pull with no bookings', async () => {
    const result = await adapter.pull(pullReq(cursor));
    expect(result.mode).toBe('delta');
    expect(result.bookings).toEqual([]);
    expect(result.removed).toEqual([]);
    expect(result.counts).toHaveLength(2 * DATES.length);
    cursor = result.cursor;
  });

  it('incremental pull sees a front-desk booking, and its counts', async () => {
    const walkIn = sim.admin.createBooking({ roomType: 'SGL', arrival: '2027-03-05', departure: '2027-03-07', rooms: 3 });
    const result = await adapter.pull(pullReq(cursor));
    cursor = result.cursor;
    expect(result.mode).toBe('delta');
    expect(result.bookings).toEqual([expect.objectContaining({
      externalId: walkIn.id, resource: 'single', quantity: 3, status: 'confirmed',
      span: { by: 'night', nights: ['2027-03-05', '2027-03-06'] },
    })]);
    expect(result.counts.find((c) => c.resource === 'single' && c.date === '2027-03-06')?.available).toBe(5);
  });

  it('cancellations come through the statusMap (CANCELLED and VOID)', async () => {
    sim.admin.cancelBooking('B1');
    sim.admin.updateBooking('B2', { state: 'VOID' });
    const result = await adapter.pull(pullReq(cursor));
    cursor = result.cursor;
    expect(result.bookings.map((b) => [b.externalId, b.status]).sort()).toEqual([['B1', 'cancelled'], ['B2', 'cancelled']]);
  });

  it('a booking moved out of the window is removed in a delta', async () => {
    sim.admin.updateBooking('B3', { arrival: '2027-08-01', departure: '2027-08-02' });
    const result = await adapter.pull(pullReq(cursor));
    cursor = result.cursor;
    expect(result.bookings).toEqual([]);
    expect(result.removed).toEqual(['B3']);
  });

  it('a malformed item is skipped with a reason; the rest of the pull goes on', async () => {
    sim.admin.insertRaw({ roomType: 'DBL', arrival: '2027-03-05', departure: '2027-03-06' });
    sim.admin.insertRaw({ id: 'X1', roomType: 'DBL', arrival: 'soon', departure: '2027-03-06' });
    sim.admin.insertRaw({ id: 'X2', roomType: 'DBL', arrival: '2027-03-08', departure: '2027-03-06' });
    const ok = sim.admin.createBooking({ roomType: 'DBL', arrival: '2027-03-22', departure: '2027-03-23' });
    const result = await adapter.pull(pullReq(cursor));
    cursor = result.cursor;
    expect(result.bookings.map((b) => b.externalId)).toEqual([ok.id]);
    expect(result.skipped).toEqual([
      { externalId: expect.stringMatching(/^#/), reason: 'no id at "id"' },
      { externalId: 'X1', reason: 'checkIn "soon" is not a date or date-time' },
      { externalId: 'X2', reason: 'checkOut is not after checkIn' },
    ]);
    // The cursor moved past them: they are not reported again.
    const again = await adapter.pull(pullReq(cursor));
    expect(again.skipped).toEqual([]);
    cursor = again.cursor;
  });

  it('reserve twice with one idempotency key makes one booking; the pull recognises it as the hub\'s', async () => {
    const nights = ['2027-04-10', '2027-04-11'];
    throttles = 0;
    const first = await adapter.reserve(writeReq('r_test1', nights, 2));
    expect(throttles).toBe(2); // lookup, create
    const second = await adapter.reserve(writeReq('r_test1', nights, 2));
    expect(throttles).toBe(3); // lookup only
    expect(second).toEqual(first);
    const mine = sim.admin.bookings().filter((b) => b.externalRef === 'avhub-r_test1');
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({
      id: first.externalId, roomType: 'DBL', arrival: '2027-04-10', departure: '2027-04-12', rooms: 2, guest: 'Ada Lovelace', state: 'CONFIRMED',
    });
    const result = await adapter.pull(pullReq(cursor));
    cursor = result.cursor;
    expect(result.bookings).toEqual([expect.objectContaining({ externalId: first.externalId, hubReference: 'r_test1', quantity: 2 })]);
  });

  it('another write for the same reservation (a new key) is a new booking with the same hub reference', async () => {
    const moved = await adapter.reserve(writeReq('r_test1#2', ['2027-04-20'], 1));
    const ref = sim.admin.bookings().find((b) => b.id === moved.externalId)?.externalRef;
    expect(ref).toMatch(/^avhub-r_test1\.[0-9a-f]{12}$/);
    const result = await adapter.pull(pullReq(cursor));
    cursor = result.cursor;
    expect(result.bookings).toEqual([expect.objectContaining({ externalId: moved.externalId, hubReference: 'r_test1' })]);
    expect(await adapter.reserve(writeReq('r_test1#2', ['2027-04-20'], 1))).toEqual(moved);
  });

  it('cancel cancels at the PMS; a second cancel and an unknown id are fine', async () => {
    const { externalId } = await adapter.reserve(writeReq('r_cancel', ['2027-04-15'], 1, 'r_cancel'));
    await adapter.cancel({ ...writeReq('r_cancel', ['2027-04-15'], 1, 'r_cancel'), externalId });
    expect(sim.admin.bookings().find((b) => b.id === externalId)?.state).toBe('CANCELLED');
    await adapter.cancel({ ...writeReq('r_cancel', ['2027-04-15'], 1, 'r_cancel'), externalId });
    await adapter.cancel({ ...writeReq('r_cancel', ['2027-04-15'], 1, 'r_cancel'), externalId: 'B-nope' });
    // Reserving again after the cancel makes a new booking (the cancelled one does not count).
    const again = await adapter.reserve(writeReq('r_cancel', ['2027-04-15'], 1, 'r_cancel'));
    expect(again.externalId).not.toBe(externalId);
  });

  it('a sold-out night fails the write-back with the PMS\'s reason', async () => {
    await expect(adapter.reserve(writeReq('r_big', ['2027-04-25'], 99, 'r_big'))).rejects.toThrow(/409.*sold out on 2027-04-25/);
  });

  it('401 is an AdapterAuthError that does not leak the token', async () => {
    const wrong = adapterFor(settingsFor(sim, {}, 'not-the-token'));
    const err = await wrong.pull(pullReq(null)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AdapterAuthError);
    expect(String((err as Error).message)).not.toContain('not-the-token');
    await expect(wrong.reserve(writeReq('r_x', ['2027-04-01']))).rejects.toBeInstanceOf(AdapterAuthError);
  });

  it('429 is an AdapterRateLimitedError carrying Retry-After (seconds or an HTTP date)', async () => {
    sim.admin.rateLimitNext(7);
    const err = await adapter.pull(pullReq(cursor)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AdapterRateLimitedError);
    expect((err as AdapterRateLimitedError).retryAfterMs).toBe(7000);
    sim.admin.rateLimitNext(new Date(Date.now() + 30_000).toUTCString());
    const dated = await adapter.pull(pullReq(cursor)).catch((e: unknown) => e) as AdapterRateLimitedError;
    expect(dated).toBeInstanceOf(AdapterRateLimitedError);
    expect(dated.retryAfterMs).toBeGreaterThan(25_000);
    expect(dated.retryAfterMs).toBeLessThanOrEqual(30_000);
  });

  it('an outage, a 5xx and a timeout are AdapterUnavailableErrors; the adapter works again afterwards', async () => {
    sim.admin.goDown();
    try {
      await expect(adapter.pull(pullReq(cursor))).rejects.toBeInstanceOf(AdapterUnavailableError);
      await expect(adapter.reserve(writeReq('r_down', ['2027-04-03']))).rejects.toBeInstanceOf(AdapterUnavailableError);
    } finally {
      sim.admin.comeBack();
    }
    sim.admin.failNext(503);
    await expect(adapter.pull(pullReq(cursor))).rejects.toBeInstanceOf(AdapterUnavailableError);
    sim.admin.delayNext(1_000);
    const impatient = adapterFor(settingsFor(sim, { timeoutMs: 200 }));
    await expect(impatient.pull(pullReq(cursor))).rejects.toBeInstanceOf(AdapterUnavailableError);
    const aborted = { ...pullReq(cursor), signal: AbortSignal.abort() };
    await expect(adapter.pull(aborted)).rejects.toBeInstanceOf(AdapterUnavailableError);
    const result = await adapter.pull(pullReq(cursor));
    expect(result.mode).toBe('delta');
  });

  it('a cursor it did not write is rejected, so the core pulls in full', async () => {
    await expect(adapter.pull(pullReq('sync-token-from-elsewhere'))).rejects.toBeInstanceOf(CursorRejectedError);
  });

  it('without a create endpoint, reserve says so', async () => {
    const readOnly = adapterFor(settingsFor(sim, { create: undefined, lookup: undefined, cancel: undefined }));
    expect(readOnly.writable).toBe(false);
    await expect(readOnly.reserve(writeReq('r_ro', ['2027-04-01']))).rejects.toThrow(/no create endpoint/);
  });
});

describe('rest adapter: pagination', () => {
  let sim: RestPmsSimulator;
  beforeAll(async () => {
    sim = await startRestPmsSimulator({ token: TOKEN, pageSize: 2 });
    for (let i = 0; i < 5; i++) sim.admin.createBooking({ roomType: 'DBL', arrival: `2027-03-0${i + 1}`, departure: `2027-03-0${i + 2}` });
  });
  afterAll(async () => { await sim?.stop(); });

  it('follows nextPage until it is null, and pages the incremental feed too', async () => {
    const adapter = adapterFor(settingsFor(sim, { availability: undefined }));
    const before = sim.requestCount();
    const full = await adapter.pull(pullReq(null));
    expect(sim.requestCount() - before).toBe(3);
    expect(full.bookings.map((b) => b.span.by === 'night' && b.span.nights[0])).toEqual(
      ['2027-03-01', '2027-03-02', '2027-03-03', '2027-03-04', '2027-03-05']);
    expect(full.counts).toEqual([]);

    for (let i = 0; i < 3; i++) sim.admin.createBooking({ roomType: 'SGL', arrival: `2027-04-0${i + 1}`, departure: `2027-04-0${i + 2}` });
    const mid = sim.requestCount();
    const delta = await adapter.pull(pullReq(full.cursor));
    expect(sim.requestCount() - mid).toBe(2);
    expect(delta.bookings.map((b) => b.resource)).toEqual(['single', 'single', 'single']);
  });
});
