import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { mewsAdapter } from '../../adapters/mews/index.js';
import { startMewsSimulator, type MewsSimulator } from '../../adapters/mews/simulator/index.js';
import type { PullRequest, PullResult, SourceAdapter, SourceSite, WriteRequest } from '../../src/core/adapter/port.js';
import {
  AdapterAuthError, AdapterRateLimitedError, AdapterUnavailableError, CursorRejectedError,
} from '../../src/core/adapter/errors.js';
import { localMidnight, nightsOf } from '../../src/domain/index.js';

/** The Mews adapter against the Connector API simulator (a Berlin hotel, 12 doubles, 5 singles). */

const CLIENT_TOKEN = 'client-token-for-tests';
const ACCESS_TOKEN = 'access-token-for-tests';
const WINDOW = { start: Date.UTC(2027, 2, 1), end: Date.UTC(2027, 4, 1) };
const log = { warn: () => undefined, info: () => undefined };

let sim: MewsSimulator;
let site: SourceSite;

function adapterFor(extra: Record<string, unknown> = {}): SourceAdapter {
  const e = sim.admin.enterprise;
  return mewsAdapter.create({
    siteId: 'berlin', timezone: 'Europe/Berlin', log,
    settings: mewsAdapter.settings.parse({
      baseUrl: sim.url, clientToken: CLIENT_TOKEN, accessToken: ACCESS_TOKEN, serviceId: e.serviceId,
      rateId: e.rateId, customerId: e.customerId, ageCategoryId: e.ageCategoryId, ...extra,
    }),
  });
}

function pullReq(cursor: string | null, window = WINDOW): PullRequest & { throttles: number } {
  const req = {
    site, window, cursor, signal: new AbortController().signal, throttles: 0,
    async throttle() { req.throttles += 1; },
  };
  return req;
}

function writeReq(resource: 'double' | 'single', checkIn: string, checkOut: string, key: string, reservationId = `res_${key}`): WriteRequest {
  return {
    site, resource: site.resources.find((r) => r.id === resource)!, idempotencyKey: key, reservationId,
    span: { by: 'night', nights: nightsOf(checkIn, checkOut) }, quantity: 1, customer: { name: 'Ada Lovelace' },
    signal: new AbortController().signal, throttle: async () => undefined,
  };
}

const count = (r: PullResult, resource: string, date: string) => r.counts.find((c) => c.resource === resource && c.date === date)?.available;

beforeAll(async () => {
  sim = await startMewsSimulator({ clientToken: CLIENT_TOKEN, accessToken: ACCESS_TOKEN, seed: 7, timezone: 'Europe/Berlin' });
  site = {
    id: 'berlin', timezone: 'Europe/Berlin',
    resources: [
      { id: 'double', kind: 'pool', bookedBy: 'night', capacity: 12, mapping: { resourceCategoryId: sim.admin.categoryId('Double') } },
      { id: 'single', kind: 'pool', bookedBy: 'night', capacity: 5, mapping: { resourceCategoryId: sim.admin.categoryId('Single') } },
    ],
  };
});
afterAll(async () => { await sim?.stop(); });
beforeEach(() => {
  sim.admin.comeBack();
  sim.admin.rateLimit({ requests: 200, perMs: 30_000 });
});

describe('mews adapter: pull', () => {
  const adapter = () => adapterFor();
  let cursor: string | null = null;
  let first: string;

  it('a full pull returns counts per room type and night, and the reservations', async () => {
    first = sim.admin.createReservation({ categoryId: sim.admin.categoryId('Double'), checkIn: '2027-03-10', checkOut: '2027-03-12' }).Id;
    const req = pullReq(null);
    const before = sim.requestCount();
    const result = await adapter().pull(req);
    expect(result.mode).toBe('full');
    // 62 local dates (Berlin is ahead of UTC: 1 May 00:00Z is already 1 May) in one availability
    // call, one restrictions/getAll and one reservations CollidingUtc chunk per 89 days (one page each).
    expect(sim.requestCount() - before).toBe(3);
    expect(req.throttles).toBe(3);
    expect(result.counts).toHaveLength(62 * 2);
    expect(count(result, 'double', '2027-03-09')).toBe(12);
    expect(count(result, 'double', '2027-03-10')).toBe(11);
    expect(count(result, 'double', '2027-03-11')).toBe(11);
    expect(count(result, 'double', '2027-03-12')).toBe(12);
    expect(count(result, 'single', '2027-03-10')).toBe(5);
    expect(result.bookings).toEqual([expect.objectContaining({
      externalId: first, resource: 'double', status: 'confirmed', busy: true, quantity: 1,
      span: { by: 'night', nights: ['2027-03-10', '2027-03-11'] },
    })]);
    expect(result.bookings[0]!.createdAt).toBeTypeOf('number');
    expect(result.bookings[0]!.hubReference).toBeUndefined();
    expect(JSON.parse(result.cursor!)).toMatchObject({ v: 1, updatedSince: expect.any(String) });
    cursor = result.cursor;
  });

  it('an incremental pull after a front-desk booking shows it, and its nights drop in the counts', async () => {
    const id = sim.admin.createReservation({ categoryId: sim.admin.categoryId('Single'), checkIn: '2027-04-02', checkOut: '2027-04-05' }).Id;
    const result = await adapter().pull(pullReq(cursor));
    expect(result.mode).toBe('delta');
    const b = result.bookings.find((x) => x.externalId === id);
    expect(b).toMatchObject({ resource: 'single', status: 'confirmed', span: { by: 'night', nights: ['2027-04-02', '2027-04-03', '2027-04-04'] } });
    expect(count(result, 'single', '2027-04-02')).toBe(4);
    expect(count(result, 'single', '2027-04-05')).toBe(5);
    cursor = result.cursor;
  });

  it('a cancellation at the front desk shows as cancelled and frees the nights', async () => {
    sim.admin.cancelReservation(first);
    const result = await adapter().pull(pullReq(cursor));
    expect(result.bookings.find((b) => b.externalId === first)).toMatchObject({ status: 'cancelled', busy: false });
    expect(count(result, 'double', '2027-03-10')).toBe(12);
  });

  it('a reservation moved to an unmapped room type or out of the window is removed on an incremental pull', async () => {
    const r = sim.admin.createReservation({ categoryId: sim.admin.categoryId('Double'), checkIn: '2027-03-20', checkOut: '2027-03-21' });
    sim.admin.updateReservation(r.Id, { checkIn: '2027-06-01', checkOut: '2027-06-03' });
    const result = await adapter().pull(pullReq(cursor));
    expect(result.removed).toContain(r.Id);
    expect(result.bookings.some((b) => b.externalId === r.Id)).toBe(false);
  });

  it('pages through reservations with a small Limitation.Count', async () => {
    for (let i = 0; i < 5; i += 1) {
      sim.admin.createReservation({ categoryId: sim.admin.categoryId('Double'), checkIn: '2027-04-20', checkOut: '2027-04-22' });
    }
    const live = sim.admin.reservations().filter((r) => r.State !== 'Canceled' && r.ScheduledStartUtc < WINDOW.end && r.ScheduledEndUtc > WINDOW.start);
    const callsBefore = sim.admin.calls().length;
    const result = await adapterFor({ pageSize: 2 }).pull(pullReq(null));
    const pages = sim.admin.calls().slice(callsBefore).filter((c) => c.operation === 'reservations/getAll/2023-06-06');
    expect(pages.length).toBe(Math.floor(live.length / 2) + 1);
    expect(pages.slice(1).every((p) => typeof (p.body.Limitation as { Cursor?: string }).Cursor === 'string')).toBe(true);
    expect(result.bookings.map((b) => b.externalId).sort()).toEqual(live.map((r) => r.Id).sort());
    expect(count(result, 'double', '2027-04-20')).toBe(7);
  });

  it('splits a long window into getAvailability calls of at most 367 time units', async () => {
    const long = { start: Date.UTC(2027, 0, 1), end: Date.UTC(2028, 1, 1) };
    const callsBefore = sim.admin.calls().length;
    const result = await adapter().pull(pullReq(null, long));
    const calls = sim.admin.calls().slice(callsBefore).filter((c) => c.operation === 'services/getAvailability');
    expect(calls.map((c) => [c.body.FirstTimeUnitStartUtc, c.body.LastTimeUnitStartUtc])).toEqual([
      ['2026-12-31T23:00:00.000Z', '2028-01-01T23:00:00.000Z'],
      ['2028-01-02T23:00:00.000Z', '2028-01-31T23:00:00.000Z'],
    ]);
    expect(result.counts.filter((c) => c.resource === 'double')).toHaveLength(397);
  });

  it('an unreadable or too old cursor is rejected, so the core runs a full pull', async () => {
    await expect(adapter().pull(pullReq('nonsense'))).rejects.toBeInstanceOf(CursorRejectedError);
    const old = JSON.stringify({ v: 1, updatedSince: new Date(Date.now() - 120 * 86_400_000).toISOString() });
    await expect(adapter().pull(pullReq(old))).rejects.toBeInstanceOf(CursorRejectedError);
  });
});

describe('mews adapter: nights in the property time zone across DST (Europe/Berlin, 2027-03-28)', () => {
  it('time units start at local midnight (23:00Z before, 22:00Z after) and stays keep their nights', async () => {
    const r = sim.admin.createReservation({ categoryId: sim.admin.categoryId('Single'), checkIn: '2027-03-27', checkOut: '2027-03-30' });
    const callsBefore = sim.admin.calls().length;
    const window = { start: Date.UTC(2027, 2, 26, 23), end: Date.UTC(2027, 2, 30, 22) }; // 27th..30th local
    const result = await adapterFor().pull(pullReq(null, window));
    const call = sim.admin.calls().slice(callsBefore).find((c) => c.operation === 'services/getAvailability')!;
    expect(call.body).toMatchObject({ FirstTimeUnitStartUtc: '2027-03-26T23:00:00.000Z', LastTimeUnitStartUtc: '2027-03-29T22:00:00.000Z' });
    expect(result.counts.filter((c) => c.resource === 'single').map((c) => [c.date, c.available])).toEqual([
      ['2027-03-27', 4], ['2027-03-28', 4], ['2027-03-29', 4], ['2027-03-30', 5],
    ]);
    expect(result.bookings.find((b) => b.externalId === r.Id)?.span).toEqual({ by: 'night', nights: ['2027-03-27', '2027-03-28', '2027-03-29'] });
    sim.admin.cancelReservation(r.Id);
  });

  it('a reservation written across the change starts at 15:00 local before and ends at 12:00 local after', async () => {
    const adapter = adapterFor();
    const { externalId } = await adapter.reserve(writeReq('double', '2027-03-27', '2027-03-29', 'dst-1'));
    const r = sim.admin.reservations().find((x) => x.Id === externalId)!;
    expect(new Date(r.ScheduledStartUtc).toISOString()).toBe('2027-03-27T14:00:00.000Z'); // 15:00 CET
    expect(new Date(r.ScheduledEndUtc).toISOString()).toBe('2027-03-29T10:00:00.000Z'); // 12:00 CEST
    await adapter.cancel({ ...writeReq('double', '2027-03-27', '2027-03-29', 'dst-1'), externalId });
  });
});

describe('mews adapter: stop-sell from restrictions (restrictions/getAll)', () => {
  it('a Stay restriction without exceptions closes its nights (inclusive interval, Days, category); Start/End, exceptions and other rates do not', async () => {
    const double = sim.admin.categoryId('Double');
    const single = sim.admin.categoryId('Single');
    const tu = (date: string) => new Date(localMidnight(date, 'Europe/Berlin')).toISOString();
    // 2027-04-05 .. 04-07 inclusive, Double only: the last night (EndUtc) is closed too.
    sim.admin.addRestriction({ ResourceCategoryId: double, StartUtc: tu('2027-04-05'), EndUtc: tu('2027-04-07') });
    // Saturdays of April (3, 10, ...) for every category.
    sim.admin.addRestriction({ StartUtc: tu('2027-04-01'), EndUtc: tu('2027-04-30'), Days: ['Saturday'] });
    // Not a stop-sell: closed to arrival, a minimum stay exception, another rate.
    sim.admin.addRestriction({ Type: 'Start', StartUtc: tu('2027-04-12'), EndUtc: tu('2027-04-12') });
    sim.admin.addRestriction({ StartUtc: tu('2027-04-13'), EndUtc: tu('2027-04-13') }, { MinLength: 'P0M2DT0H0M0S' });
    sim.admin.addRestriction({ ExactRateId: 'another-rate', StartUtc: tu('2027-04-14'), EndUtc: tu('2027-04-14') });
    const result = await adapterFor().pull(pullReq(null));
    const closed = (resource: string) => result.counts.filter((c) => c.resource === resource && c.closed).map((c) => c.date).sort();
    expect(closed('double')).toEqual(['2027-04-03', '2027-04-05', '2027-04-06', '2027-04-07', '2027-04-10', '2027-04-17', '2027-04-24']);
    expect(closed('single')).toEqual(['2027-04-03', '2027-04-10', '2027-04-17', '2027-04-24']);
    const call = sim.admin.calls().filter((c) => c.operation === 'restrictions/getAll').at(-1)!;
    expect(call.body).toMatchObject({ ServiceIds: [sim.admin.enterprise.serviceId], RateIds: [sim.admin.enterprise.rateId], Limitation: { Count: 1000 } });
    // Without a rateId (a read-only site) only restrictions without rate conditions count.
    const readOnly = await adapterFor({ rateId: undefined }).pull(pullReq(null));
    expect(readOnly.counts.filter((c) => c.resource === 'single' && c.closed)).toHaveLength(4);
    expect(single).not.toBe(double);
  });
});

describe('mews adapter: write-back', () => {
  it('modify changes the reservation in place with reservations/update (same id, group and ChannelNumber); again is a no-op', async () => {
    const adapter = adapterFor();
    const before = writeReq('double', '2027-04-18', '2027-04-20', 'mod-1', 'res_mod');
    const { externalId } = await adapter.reserve(before);
    const made = sim.admin.reservations().find((r) => r.Id === externalId)!;
    const after = { ...writeReq('single', '2027-04-21', '2027-04-24', 'mod-1-v1', 'res_mod'), externalId };
    expect(await adapter.modify!(after)).toEqual({ externalId });
    expect(await adapter.modify!(after)).toEqual({ externalId });
    const now = sim.admin.reservations().find((r) => r.Id === externalId)!;
    expect(now).toMatchObject({ GroupId: made.GroupId, ChannelNumber: made.ChannelNumber, RequestedResourceCategoryId: sim.admin.categoryId('Single'), State: 'Confirmed' });
    const pulled = await adapter.pull(pullReq(null));
    expect(pulled.bookings.find((b) => b.externalId === externalId)).toMatchObject({
      resource: 'single', hubReference: 'res_mod', span: { by: 'night', nights: ['2027-04-21', '2027-04-22', '2027-04-23'] },
    });
    const update = sim.admin.calls().filter((c) => c.operation === 'reservations/update').at(-1)!;
    expect(update.body).toMatchObject({ CheckOverbooking: true, ReservationUpdates: [{ ReservationId: externalId, StartUtc: { Value: '2027-04-21T13:00:00.000Z' }, EndUtc: { Value: '2027-04-24T10:00:00.000Z' } }] });
    // A different quantity cannot be changed in place: null, so the core books anew and cancels.
    expect(await adapter.modify!({ ...after, quantity: 2 })).toBeNull();
    await adapter.cancel(after);
  });


  it('reserve twice with one idempotency key makes one reservation, marked with the hub reference', async () => {
    const adapter = adapterFor();
    const req = writeReq('double', '2027-04-10', '2027-04-13', 'idem-1', 'res_42');
    const before = sim.admin.reservations().length;
    const a = await adapter.reserve(req);
    const b = await adapterFor().reserve(req); // a fresh adapter, as after a crash
    expect(b.externalId).toBe(a.externalId);
    expect(sim.admin.reservations().length).toBe(before + 1);
    const made = sim.admin.reservations().find((r) => r.Id === a.externalId)!;
    expect(made).toMatchObject({ Origin: 'Connector', State: 'Confirmed', RequestedResourceCategoryId: sim.admin.categoryId('Double') });
    expect(made.ChannelNumber).toMatch(/^AVHUB:res_42#[0-9a-f]{12}$/);
    expect(made.Notes).toContain('Ada Lovelace');

    const pulled = await adapter.pull(pullReq(null));
    expect(pulled.bookings.find((x) => x.externalId === a.externalId)).toMatchObject({
      hubReference: 'res_42', span: { by: 'night', nights: ['2027-04-10', '2027-04-11', '2027-04-12'] },
    });
    expect(count(pulled, 'double', '2027-04-10')).toBe(11);
  });

  it('a lost answer is found on the retry by ChannelNumbers, even after the front desk moved the dates', async () => {
    // getAll 2023-06-06 filters by ChannelNumbers (Connector API changelog, 2 April 2025).
    const req = writeReq('double', '2027-04-01', '2027-04-03', 'moved-1', 'res_moved');
    const first = await adapterFor().reserve(req); // its answer "never arrives": the core retries
    sim.admin.updateReservation(first.externalId, { checkIn: '2027-04-20', checkOut: '2027-04-22' });
    const before = sim.admin.reservations().length;
    const again = await adapterFor().reserve(req);
    expect(again.externalId).toBe(first.externalId);
    expect(sim.admin.reservations().length).toBe(before);
    const lookup = sim.admin.calls().filter((c) => c.operation === 'reservations/getAll/2023-06-06').at(-1)!;
    expect(lookup.body.ChannelNumbers).toEqual([sim.admin.reservations().find((r) => r.Id === first.externalId)!.ChannelNumber]);
  });

  it('a new write for the same reservation (new key) is not mistaken for the old one', async () => {
    const adapter = adapterFor();
    const a = await adapter.reserve(writeReq('single', '2027-04-15', '2027-04-16', 'v1', 'res_77'));
    const b = await adapter.reserve(writeReq('single', '2027-04-15', '2027-04-16', 'v2', 'res_77'));
    expect(b.externalId).not.toBe(a.externalId);
  });

  it('cancel cancels, and cancelling again is a success', async () => {
    const adapter = adapterFor();
    const req = writeReq('single', '2027-04-24', '2027-04-26', 'cancel-1');
    const { externalId } = await adapter.reserve(req);
    expect(sim.admin.availability(sim.admin.categoryId('Single'), '2027-04-24')).toBe(4);
    await adapter.cancel({ ...req, externalId });
    expect(sim.admin.reservations().find((r) => r.Id === externalId)?.State).toBe('Canceled');
    expect(sim.admin.availability(sim.admin.categoryId('Single'), '2027-04-24')).toBe(5);
    await expect(adapter.cancel({ ...req, externalId })).resolves.toBeUndefined();
  });

  it('quantity 2 makes two reservations in one call and cancels both', async () => {
    const adapter = adapterFor();
    const req = { ...writeReq('double', '2027-04-27', '2027-04-28', 'q2'), quantity: 2 };
    const { externalId } = await adapter.reserve(req);
    expect(externalId.split(',')).toHaveLength(2);
    expect((await adapter.reserve(req)).externalId).toBe(externalId);
    expect(sim.admin.availability(sim.admin.categoryId('Double'), '2027-04-27')).toBe(10);
    await adapter.cancel({ ...req, externalId });
    expect(sim.admin.availability(sim.admin.categoryId('Double'), '2027-04-27')).toBe(12);
  });

  it('a sold-out night is refused by Mews (403) as a plain error, not an outage', async () => {
    const single = sim.admin.categoryId('Single');
    for (let i = 0; i < 5; i += 1) sim.admin.createReservation({ categoryId: single, checkIn: '2027-04-29', checkOut: '2027-04-30' });
    const err = await adapterFor().reserve(writeReq('single', '2027-04-29', '2027-04-30', 'full')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect(err).not.toBeInstanceOf(AdapterUnavailableError);
    expect((err as Error).message).toMatch(/403.*Insufficient availability/);
  });

  it('without rateId/customerId/ageCategoryId the adapter cannot write', async () => {
    const e = sim.admin.enterprise;
    const adapter = mewsAdapter.create({
      siteId: 'berlin', timezone: 'Europe/Berlin', log,
      settings: mewsAdapter.settings.parse({ baseUrl: sim.url, clientToken: CLIENT_TOKEN, accessToken: ACCESS_TOKEN, serviceId: e.serviceId }),
    });
    await expect(adapter.reserve(writeReq('double', '2027-04-01', '2027-04-02', 'nocfg'))).rejects.toThrow(/rateId, customerId and ageCategoryId/);
  });
});

describe('mews adapter: errors', () => {
  it('401 is an AdapterAuthError, and the token is not in the message', async () => {
    const err = await adapterFor({ accessToken: 'wrong-access-token' }).pull(pullReq(null)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AdapterAuthError);
    expect((err as Error).message).not.toContain('wrong-access-token');
  });

  it('429 is an AdapterRateLimitedError carrying Retry-After', async () => {
    sim.admin.failNext(1, 429, { retryAfterSeconds: 7 });
    const err = await adapterFor().pull(pullReq(null)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AdapterRateLimitedError);
    expect((err as AdapterRateLimitedError).retryAfterMs).toBe(7000);
  });

  it('the request limit per AccessToken answers 429 with the wait until the window frees', async () => {
    sim.admin.rateLimit({ requests: 1, perMs: 30_000 });
    const err = await adapterFor().pull(pullReq(null)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AdapterRateLimitedError);
    expect((err as AdapterRateLimitedError).retryAfterMs).toBeGreaterThan(25_000);
    expect((err as AdapterRateLimitedError).retryAfterMs).toBeLessThanOrEqual(30_000);
  });

  it('500 and 408 are AdapterUnavailableError', async () => {
    sim.admin.failNext(1, 500);
    await expect(adapterFor().pull(pullReq(null))).rejects.toBeInstanceOf(AdapterUnavailableError);
    sim.admin.failNext(1, 408);
    await expect(adapterFor().pull(pullReq(null))).rejects.toBeInstanceOf(AdapterUnavailableError);
  });

  it('a 408 (too heavy) is retried with smaller pages; still 408 at the smallest is an outage', async () => {
    sim.admin.timeoutAbove(200);
    try {
      const r = await adapterFor().pull(pullReq(null));
      expect(r.mode).toBe('full');
      const sizes = sim.admin.calls().filter((c) => c.operation === 'reservations/getAll/2023-06-06')
        .map((c) => (c.body.Limitation as { Count: number }).Count);
      expect(sizes.slice(-4)).toEqual([1000, 500, 250, 125]); // halved on each 408 ("smaller batches")
      sim.admin.timeoutAbove(10);
      await expect(adapterFor().pull(pullReq(null))).rejects.toBeInstanceOf(AdapterUnavailableError);
    } finally {
      sim.admin.timeoutAbove(null);
    }
  });

  it('a source that is down is an AdapterUnavailableError, and the adapter works again afterwards', async () => {
    const adapter = adapterFor();
    sim.admin.goDown();
    await expect(adapter.pull(pullReq(null))).rejects.toBeInstanceOf(AdapterUnavailableError);
    sim.admin.comeBack();
    await expect(adapter.pull(pullReq(null))).resolves.toMatchObject({ mode: 'full' });
  });

  it('a 400 (our request is wrong) is a plain error with Mews\'s message', async () => {
    const err = await adapterFor({ serviceId: 'not-a-service' }).pull(pullReq(null)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect(err).not.toBeInstanceOf(AdapterUnavailableError);
    expect((err as Error).message).toMatch(/400: Invalid ServiceId/);
  });
});

describe('mews adapter: definition', () => {
  it('settings are strict, secrets hashed into the credential id, quota within 200 per 30 s', () => {
    const base = { baseUrl: 'https://api.mews-demo.com', clientToken: 'c', accessToken: 'secret-token', serviceId: 's' };
    expect(mewsAdapter.settings.parse(base)).toMatchObject({ client: 'AvailabilityHub 0.1', pageSize: 1000 });
    expect(mewsAdapter.settings.safeParse({ ...base, extra: 1 }).success).toBe(false);
    expect(mewsAdapter.source.safeParse({ resourceCategoryId: 'x' }).success).toBe(true);
    expect(mewsAdapter.source.safeParse({ resourceCategoryId: 'x', other: 1 }).success).toBe(false);
    const id = mewsAdapter.credentialId(mewsAdapter.settings.parse(base));
    expect(id).toMatch(/^[0-9a-f]{16}$/);
    expect(id).not.toContain('secret');
    const { perSecond, burst } = mewsAdapter.quota;
    expect(burst + perSecond * 30).toBeLessThanOrEqual(200);
  });
});
