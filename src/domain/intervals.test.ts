import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { clip, isEmpty, mergeIntervals, overlaps, subtractIntervals, totalLength, widen } from './intervals.js';
import type { Interval } from './types.js';

const iv = (start: number, end: number): Interval => ({ start, end });

/** Small coordinates so that generated intervals often touch and overlap. */
const interval = fc
  .tuple(fc.integer({ min: 0, max: 100 }), fc.integer({ min: -5, max: 40 }))
  .map(([start, len]) => iv(start, start + len));
const intervals = fc.array(interval, { maxLength: 12 });

/** Whether instant t is covered by any interval of the list (the reference semantics). */
const covers = (list: readonly Interval[], t: number) => list.some((i) => i.start <= t && t < i.end);

describe('overlaps and clip', () => {
  it('treats intervals as half-open', () => {
    expect(overlaps(iv(0, 10), iv(10, 20))).toBe(false);
    expect(overlaps(iv(0, 10), iv(9, 20))).toBe(true);
    expect(overlaps(iv(0, 10), iv(2, 3))).toBe(true);
    expect(overlaps(iv(5, 5), iv(0, 10))).toBe(false);
  });

  it('clips to a window', () => {
    expect(clip(iv(0, 10), iv(5, 20))).toEqual(iv(5, 10));
    expect(clip(iv(0, 10), iv(10, 20))).toBeNull();
    expect(clip(iv(6, 7), iv(5, 20))).toEqual(iv(6, 7));
  });

  it('widens by buffers', () => {
    expect(widen(iv(100, 200), 15, 30)).toEqual(iv(85, 230));
    expect(isEmpty(widen(iv(100, 200), 0, -150))).toBe(true);
  });

  it('property: overlaps is symmetric and agrees with clip', () => {
    fc.assert(
      fc.property(interval, interval, (a, b) => {
        expect(overlaps(a, b)).toBe(overlaps(b, a));
        expect(overlaps(a, b)).toBe(clip(a, b) !== null);
      }),
    );
  });
});

describe('mergeIntervals', () => {
  it('sorts, coalesces overlapping and touching intervals, drops empty ones', () => {
    expect(mergeIntervals([iv(20, 30), iv(0, 10), iv(10, 15), iv(25, 40), iv(50, 50), iv(60, 55)])).toEqual([
      iv(0, 15),
      iv(20, 40),
    ]);
  });

  it('does not modify its input', () => {
    const input = [iv(5, 10), iv(0, 6)];
    mergeIntervals(input);
    expect(input).toEqual([iv(5, 10), iv(0, 6)]);
  });

  it('property: sorted, separated, idempotent, same instants', () => {
    fc.assert(
      fc.property(intervals, (list) => {
        const merged = mergeIntervals(list);
        merged.forEach((m, k) => {
          expect(m.end).toBeGreaterThan(m.start);
          if (k > 0) expect(m.start).toBeGreaterThan(merged[k - 1]!.end);
        });
        expect(mergeIntervals(merged)).toEqual(merged);
        for (let t = -1; t <= 142; t++) expect(covers(merged, t)).toBe(covers(list, t));
      }),
    );
  });
});

describe('subtractIntervals', () => {
  it('cuts holes', () => {
    expect(subtractIntervals(iv(0, 100), [iv(10, 20), iv(15, 30), iv(90, 120), iv(-5, 2)])).toEqual([
      iv(2, 10),
      iv(30, 90),
    ]);
    expect(subtractIntervals(iv(0, 100), [])).toEqual([iv(0, 100)]);
    expect(subtractIntervals(iv(0, 100), [iv(-1, 101)])).toEqual([]);
    expect(subtractIntervals(iv(5, 5), [])).toEqual([]);
  });

  it('property: the result and the cut partition the interval', () => {
    fc.assert(
      fc.property(interval, intervals, (from, cut) => {
        const rest = subtractIntervals(from, cut);
        expect(mergeIntervals(rest)).toEqual(rest);
        for (let t = -1; t <= 142; t++) {
          const inFrom = from.start <= t && t < from.end;
          expect(covers(rest, t)).toBe(inFrom && !covers(cut, t));
        }
        expect(totalLength(rest) + totalLength(cut.map((c) => clip(c, from)).filter((c) => c !== null))).toBe(
          Math.max(0, from.end - from.start),
        );
      }),
    );
  });
});
