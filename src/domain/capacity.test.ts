import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { availabilityPieces, maxConcurrent, nightAvailability, usageByNight, type Claim } from './capacity.js';

const H = 3_600_000;
/** Berlin local midnight on the 23-hour day 2027-03-28, and the DST change at 01:00 UTC. */
const BERLIN_SPRING = Date.UTC(2027, 2, 27, 23);

const claim = (start: number, end: number, quantity = 1): Claim => ({ start, end, quantity });

describe('maxConcurrent', () => {
  it('counts overlapping quantities, half-open', () => {
    const claims = [claim(0, 10, 2), claim(5, 15, 3), claim(10, 20, 1), claim(15, 30, 4)];
    expect(maxConcurrent(claims, { start: 0, end: 30 })).toBe(5);
    expect(maxConcurrent(claims, { start: 10, end: 15 })).toBe(4);
    expect(maxConcurrent(claims, { start: 20, end: 30 })).toBe(4);
    expect(maxConcurrent(claims, { start: 30, end: 40 })).toBe(0);
    expect(maxConcurrent([claim(0, 10, 1), claim(10, 20, 1)], { start: 0, end: 20 })).toBe(1);
  });

  it('ignores empty claims and non-positive quantities', () => {
    expect(maxConcurrent([claim(5, 5, 3), claim(0, 10, 0), claim(0, 10, -2)], { start: 0, end: 10 })).toBe(0);
  });
});

describe('availabilityPieces', () => {
  it('cuts a window into maximal constant pieces', () => {
    const pieces = availabilityPieces({ start: 0, end: 100 }, 3, [claim(10, 30), claim(20, 40, 2), claim(40, 50)], [
      { start: 60, end: 70 },
      { start: 65, end: 80 },
    ]);
    expect(pieces).toEqual([
      { start: 0, end: 10, available: 3 },
      { start: 10, end: 20, available: 2 },
      { start: 20, end: 30, available: 0 },
      { start: 30, end: 40, available: 1 },
      { start: 40, end: 50, available: 2 },
      { start: 50, end: 60, available: 3 },
      { start: 60, end: 80, available: 0 },
      { start: 80, end: 100, available: 3 },
    ]);
  });

  it('merges equal neighbours: back-to-back bookings of a unit', () => {
    expect(availabilityPieces({ start: 0, end: 30 }, 1, [claim(0, 10), claim(10, 20)], [{ start: 20, end: 30 }])).toEqual([
      { start: 0, end: 30, available: 0 },
    ]);
  });

  it('never goes below zero when a pool is overbooked', () => {
    expect(availabilityPieces({ start: 0, end: 10 }, 2, [claim(0, 10, 5)], [])).toEqual([
      { start: 0, end: 10, available: 0 },
    ]);
  });

  it('is empty for an empty window', () => {
    expect(availabilityPieces({ start: 5, end: 5 }, 2, [], [])).toEqual([]);
  });

  it('counts real hours across the Berlin spring-forward night', () => {
    // A class 22:00-04:00 local on 2027-03-27/28 lasts 5 real hours (21:00Z-02:00Z).
    const window = { start: BERLIN_SPRING, end: BERLIN_SPRING + 23 * H };
    const pieces = availabilityPieces(window, 1, [claim(BERLIN_SPRING - 2 * H, BERLIN_SPRING + 3 * H)], []);
    expect(pieces).toEqual([
      { start: BERLIN_SPRING, end: BERLIN_SPRING + 3 * H, available: 0 },
      { start: BERLIN_SPRING + 3 * H, end: BERLIN_SPRING + 23 * H, available: 1 },
    ]);
  });

  /** Claims and blocks around the Berlin and New York DST instants, in whole minutes. */
  const around = (anchor: number) =>
    fc
      .tuple(fc.integer({ min: -36 * 60, max: 36 * 60 }), fc.integer({ min: 0, max: 12 * 60 }))
      .map(([s, len]) => ({ start: anchor + s * 60_000, end: anchor + (s + len) * 60_000 }));
  const scenario = fc
    .constantFrom(Date.UTC(2027, 2, 28, 1), Date.UTC(2027, 9, 31, 1), Date.UTC(2027, 2, 14, 7), Date.UTC(2027, 10, 7, 6))
    .chain((anchor) =>
      fc.record({
        window: around(anchor),
        capacity: fc.integer({ min: 0, max: 5 }),
        claims: fc.array(
          fc.tuple(around(anchor), fc.integer({ min: 1, max: 3 })).map(([i, q]) => ({ ...i, quantity: q })),
          { maxLength: 10 },
        ),
        blocked: fc.array(around(anchor), { maxLength: 3 }),
      }),
    );

  it('property: pieces tile the window, neighbours differ, values match capacity - maxConcurrent', () => {
    fc.assert(
      fc.property(scenario, ({ window, capacity, claims, blocked }) => {
        const pieces = availabilityPieces(window, capacity, claims, blocked);
        if (window.end <= window.start) {
          expect(pieces).toEqual([]);
          return;
        }
        expect(pieces[0]!.start).toBe(window.start);
        expect(pieces[pieces.length - 1]!.end).toBe(window.end);
        pieces.forEach((p, k) => {
          expect(p.end).toBeGreaterThan(p.start);
          if (k > 0) {
            expect(p.start).toBe(pieces[k - 1]!.end);
            expect(p.available).not.toBe(pieces[k - 1]!.available);
          }
          // An empty blocked interval blocks no instant.
          const isBlocked = blocked.some((b) => b.end > b.start && b.start < p.end && p.start < b.end);
          const expected = isBlocked ? 0 : Math.max(0, capacity - maxConcurrent(claims, p));
          expect(p.available).toBe(expected);
        });
      }),
    );
  });

  it('property: the minimum piece equals capacity - maxConcurrent over the whole window when unblocked', () => {
    fc.assert(
      fc.property(scenario, ({ window, capacity, claims }) => {
        const pieces = availabilityPieces(window, capacity, claims, []);
        if (pieces.length === 0) return;
        const min = Math.min(...pieces.map((p) => p.available));
        expect(min).toBe(nightAvailability(capacity, maxConcurrent(claims, window)));
      }),
    );
  });
});

describe('night helpers', () => {
  it('computes availability per night', () => {
    expect(nightAvailability(12, 5)).toBe(7);
    expect(nightAvailability(12, 15)).toBe(0);
    const usage = usageByNight([
      { nights: ['2027-10-30', '2027-10-31'], quantity: 2 },
      { nights: ['2027-10-31'], quantity: 1 },
      { nights: ['2027-11-01'], quantity: 0 },
    ]);
    expect(Object.fromEntries(usage)).toEqual({ '2027-10-30': 2, '2027-10-31': 3 });
  });
});
