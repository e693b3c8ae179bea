import type { Interval } from './types.js';

/**
 * Arithmetic on half-open UTC intervals `[start, end)` in epoch milliseconds. An interval with
 * `end <= start` is empty: it overlaps nothing and is dropped from every list result.
 */

/** True when `i` contains no instant (`end <= start`). */
export function isEmpty(i: Interval): boolean {
  return !(i.end > i.start);
}

/** True when `a` and `b` share at least one instant. Touching intervals (`a.end === b.start`) do not. */
export function overlaps(a: Interval, b: Interval): boolean {
  return !isEmpty(a) && !isEmpty(b) && a.start < b.end && b.start < a.end;
}

/** The part of `i` inside `window`, or `null` when they do not overlap. */
export function clip(i: Interval, window: Interval): Interval | null {
  const start = Math.max(i.start, window.start);
  const end = Math.min(i.end, window.end);
  return end > start ? { start, end } : null;
}

/**
 * Sorted, disjoint, non-touching intervals covering exactly the instants of `list`: empty
 * intervals are dropped, overlapping or touching ones coalesced. Does not modify `list`.
 */
export function mergeIntervals(list: readonly Interval[]): Interval[] {
  const sorted = list.filter((i) => !isEmpty(i)).sort((a, b) => a.start - b.start);
  const merged: Interval[] = [];
  for (const i of sorted) {
    const last = merged[merged.length - 1];
    if (last !== undefined && i.start <= last.end) last.end = Math.max(last.end, i.end);
    else merged.push({ start: i.start, end: i.end });
  }
  return merged;
}

/** The parts of `from` not covered by any interval in `cut`: sorted, disjoint, non-empty. */
export function subtractIntervals(from: Interval, cut: readonly Interval[]): Interval[] {
  if (isEmpty(from)) return [];
  const pieces: Interval[] = [];
  let cursor = from.start;
  for (const c of mergeIntervals(cut)) {
    if (c.end <= cursor) continue;
    if (c.start >= from.end) break;
    if (c.start > cursor) pieces.push({ start: cursor, end: c.start });
    cursor = Math.max(cursor, c.end);
    if (cursor >= from.end) break;
  }
  if (cursor < from.end) pieces.push({ start: cursor, end: from.end });
  return pieces;
}

/**
 * `i` extended by `before` ms at the start and `after` ms at the end (buffers around a booking).
 * Negative amounts shrink it; the result may then be empty.
 */
export function widen(i: Interval, before: number, after: number): Interval {
  return { start: i.start - before, end: i.end + after };
}

/** Total length in ms of the instants covered by `list` (overlaps counted once). */
export function totalLength(list: readonly Interval[]): number {
  return mergeIntervals(list).reduce((sum, i) => sum + (i.end - i.start), 0);
}
