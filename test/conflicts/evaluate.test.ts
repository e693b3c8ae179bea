import { describe, expect, it } from 'vitest';
import { nightDays, nightRuns, timeRuns, type Party } from '../../src/conflicts/evaluate.js';
import { decide, type PolicyContext } from '../../src/conflicts/policy.js';
import type { NightFigures } from '../../src/store/conflicts/index.js';

const none: NightFigures = { claimed: {}, sourceFree: {}, reported: {}, inventory: {}, unreported: {} };
const base = { capacity: 2, holds: [], sourceClaims: [], counted: [] };
/** A night ledger's figures: units claimed, free at a count-only source, reported in its count, its last inventory. */
const figures = (f: Partial<NightFigures>) => ({ figures: { ...none, ...f } });
const D1 = '2027-01-10';
const D2 = '2027-01-11';
const D3 = '2027-01-12';

describe('nightDays: what counts against what', () => {
  it('booking-listing sources: hub reservations and source claims are in n; holds are not bookings', () => {
    const { over } = nightDays({
      ...base, dates: [D1, D2], ...figures({ claimed: { [D1]: 3, [D2]: 3 } }),
      holds: [{ quantity: 1, nights: [D2] }],
      sourceClaims: [{ quantity: 1, nights: [D1, D2] }],
    });
    // D1: 2 hub + 1 source = 3 > 2; D2: 1 hub + 1 hold (left out) + 1 source = 2.
    expect(over).toEqual([{ date: D1, total: 3, limit: 2, hub: 2, unlisted: 0 }]);
  });

  it('count-only source: the rule used − reported > min(capacity, free) holds, and the sale is unlisted', () => {
    // 12 rooms configured, the PMS says 0 free; one hub reservation not yet in its count.
    const { over } = nightDays({ ...base, capacity: 12, dates: [D1], ...figures({ claimed: { [D1]: 1 }, sourceFree: { [D1]: 0 }, inventory: { [D1]: 3 } }) });
    expect(over).toEqual([{ date: D1, total: 4, limit: 3, hub: 1, unlisted: 3 }]);
    // Once the count includes it (reported), nothing is over.
    expect(nightDays({ ...base, capacity: 12, dates: [D1], ...figures({ claimed: { [D1]: 1 }, sourceFree: { [D1]: 0 }, reported: { [D1]: 1 }, inventory: { [D1]: 3 } }) }).over).toEqual([]);
    // Free rooms left: the hub's unreported one fits.
    expect(nightDays({ ...base, capacity: 12, dates: [D1], ...figures({ claimed: { [D1]: 1 }, sourceFree: { [D1]: 1 } }) }).over).toEqual([]);
  });

  it('a PMS that lists its bookings: the front desk overbooking the last room is seen, the inventory remembered', () => {
    const first = nightDays({ ...base, capacity: 12, dates: [D1], ...figures({ sourceFree: { [D1]: 1 } }) });
    expect(first).toEqual({ over: [], inventory: { [D1]: 1 } });
    const walkIn = { quantity: 1, nights: [D1] };
    const { over } = nightDays({ ...base, capacity: 12, dates: [D1], ...figures({ claimed: { [D1]: 1 }, sourceFree: { [D1]: 0 }, reported: { [D1]: 1 }, inventory: { [D1]: 1 } }), counted: [walkIn] });
    expect(over).toEqual([{ date: D1, total: 2, limit: 1, hub: 1, unlisted: 0 }]);
  });

  it('a count-only source\'s inventory is the limit: the configured capacity only caps the hub\'s sales', () => {
    // 2 rooms at the PMS, capacity 1 in config: one hub reservation plus one front-desk booking fill it, no more.
    const walkIn = { quantity: 1, nights: [D1] };
    const first = nightDays({ ...base, capacity: 1, dates: [D1], ...figures({ sourceFree: { [D1]: 2 } }) });
    expect(first.inventory).toEqual({ [D1]: 2 });
    expect(nightDays({ ...base, capacity: 1, dates: [D1], ...figures({ claimed: { [D1]: 1 }, sourceFree: { [D1]: 0 }, reported: { [D1]: 1 }, inventory: { [D1]: 2 } }), counted: [walkIn] }).over).toEqual([]);
    expect(nightDays({ ...base, capacity: 1, dates: [D1], ...figures({ claimed: { [D1]: 1 }, sourceFree: { [D1]: 0 }, reported: { [D1]: 1 }, inventory: { [D1]: 2 } }), counted: [walkIn, { ...walkIn }] }).over)
      .toEqual([{ date: D1, total: 3, limit: 2, hub: 1, unlisted: 0 }]);
  });

  it('consecutive nights make one run', () => {
    const { over } = nightDays({ ...base, capacity: 1, dates: [D1, D2, D3], ...figures({ claimed: { [D1]: 2, [D2]: 3, [D3]: 1 } }) });
    const runs = nightRuns(over);
    expect(runs.map((r) => [r.dates, r.excess])).toEqual([[[D1, D2], 2]]);
  });
});

describe('timeRuns', () => {
  it('finds maximal intervals over capacity; touching spans do not overlap', () => {
    const spans = [{ start: 0, end: 10, q: 1 }, { start: 5, end: 15, q: 1 }, { start: 15, end: 20, q: 1 }, { start: 12, end: 16, q: 1 }];
    expect(timeRuns(spans, 1, 0, 100).map((r) => [r.start, r.end, r.excess])).toEqual([[5, 10, 1], [12, 16, 1]]);
    expect(timeRuns(spans, 2, 0, 100)).toEqual([]);
    expect(timeRuns(spans, 1, 13, 100).map((r) => [r.start, r.end])).toEqual([[13, 16]]);
  });
});

describe('policies', () => {
  const run = nightRuns(nightDays({ ...base, capacity: 1, dates: [D1, D2], ...figures({ claimed: { [D1]: 2, [D2]: 2 } }) }).over)[0]!;
  const nights = new Map([[D1, 1], [D2, 1]]);
  const hub: Party = { ref: 'hub:r_1', origin: 'hub', site: 'mitte', resource: 'double', nights, createdAt: 1_000, updatedAt: 5_000, firstSeen: 1_000 };
  const desk: Party = { ref: 'site:north:B1', origin: 'site', site: 'north', resource: 'double', nights, createdAt: 2_000, updatedAt: 3_000, firstSeen: 9_000 };
  const ctx = (policy: PolicyContext['policy'], origins = ['hub', 'site']): PolicyContext => ({ policy, origins, sitePriority: (s) => (s === 'north' ? 1 : 5) });
  const stands = (p: PolicyContext, keep?: string) => decide(run, [desk, hub], p, keep).stands.map((x) => x.ref);

  it('first-come: the earliest creation stands (the source\'s time, else when first seen)', () => {
    expect(stands(ctx('first-come'))).toEqual(['hub:r_1']);
    expect(decide(run, [{ ...desk, createdAt: null, firstSeen: 500 }, hub], ctx('first-come')).stands.map((x) => x.ref)).toEqual(['site:north:B1']);
  });

  it('last-write-wins: the latest modification stands', () => {
    expect(stands(ctx('last-write-wins'))).toEqual(['hub:r_1']);
    expect(decide(run, [{ ...desk, updatedAt: 6_000 }, hub], ctx('last-write-wins')).stands.map((x) => x.ref)).toEqual(['site:north:B1']);
  });

  it('priority: by origin in the group\'s order, then by site priority', () => {
    expect(stands(ctx('priority'))).toEqual(['hub:r_1']);
    expect(stands(ctx('priority', ['site', 'hub']))).toEqual(['site:north:B1']);
    const other: Party = { ...desk, ref: 'site:south:B9', site: 'south', createdAt: 1 };
    expect(decide(run, [other, desk], ctx('priority')).stands.map((x) => x.ref)).toEqual(['site:north:B1']);
  });

  it('a staff keep goes first; the rest in the policy\'s order while they fit', () => {
    expect(stands(ctx('first-come'), 'site:north:B1')).toEqual(['site:north:B1']);
    const d = decide(run, [desk, hub], ctx('manual'), 'hub:r_1');
    expect(d.losers.map((x) => x.ref)).toEqual(['site:north:B1']);
    expect(d.reason).toMatch(/^staff keep hub:r_1, then first-come order/);
  });

  it('a booking fits where capacity allows: two rooms, three bookings, one gives way', () => {
    const two = nightRuns(nightDays({ ...base, capacity: 2, dates: [D1], ...figures({ claimed: { [D1]: 3 } }) }).over)[0]!;
    const one = (ref: string, createdAt: number): Party => ({ ref, origin: 'site', site: 's', resource: 'r', nights: new Map([[D1, 1]]), createdAt, updatedAt: createdAt, firstSeen: createdAt });
    const d = decide(two, [one('site:s:c', 3), one('site:s:a', 1), one('site:s:b', 2)], ctx('first-come'));
    expect(d.stands.map((x) => x.ref)).toEqual(['site:s:a', 'site:s:b']);
    expect(d.losers.map((x) => x.ref)).toEqual(['site:s:c']);
  });
});
