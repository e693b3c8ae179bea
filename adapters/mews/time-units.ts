import { addDays, daysBetween, localDateOf, localMidnight, nightsOf } from '../../src/domain/index.js';
import type { Interval, LocalDate } from '../../src/domain/types.js';

/**
 * Mews "Day" time units are the property's local calendar days: each starts at local midnight,
 * given to the API as that instant in UTC (`FirstTimeUnitStartUtc`, `TimeUnitStartsUtc`). The hub's
 * nights are the same local dates in the site's zone, so the site's zone must be the property's.
 */

/** The local dates a UTC window covers, in order (the nights of DESIGN §4). */
export function windowNights(window: Interval, tz: string): LocalDate[] {
  if (!(window.end > window.start)) return [];
  const first = localDateOf(window.start, tz);
  const last = localDateOf(window.end - 1, tz);
  return Array.from({ length: daysBetween(first, last) + 1 }, (_, i) => addDays(first, i));
}

/** Splits a list into runs of at most `size`. */
export function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** The UTC instant a Day time unit starts, as the API wants it. */
export function timeUnitStartUtc(date: LocalDate, tz: string): string {
  return new Date(localMidnight(date, tz)).toISOString();
}

/**
 * The nights a stay occupies: local dates from arrival to departure (exclusive) in `tz`; a stay
 * that starts and ends on one date (day use) occupies that date.
 */
export function stayNights(startUtc: number, endUtc: number, tz: string): LocalDate[] {
  const first = localDateOf(startUtc, tz);
  const nights = nightsOf(first, localDateOf(endUtc, tz));
  return nights.length > 0 ? nights : [first];
}

/** Cuts `[start, end)` into consecutive pieces of at most `maxMs`. */
export function splitInterval(i: Interval, maxMs: number): Interval[] {
  const out: Interval[] = [];
  for (let s = i.start; s < i.end; s += maxMs) out.push({ start: s, end: Math.min(i.end, s + maxMs) });
  return out;
}
