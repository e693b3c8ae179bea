import type { LocalDate } from './types.js';
import { offsetAt } from './zone.js';

/**
 * Calendar arithmetic on local dates (`YYYY-MM-DD`) and their relation to UTC instants in an IANA
 * zone. A local date's day is the half-open UTC interval `[localMidnight(d), localMidnight(d+1))`;
 * it lasts 23 or 25 hours on DST change days.
 */

const DAY_MS = 86_400_000;
const LOCAL_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** UTC milliseconds of `date` at 00:00 as if it were a UTC date, or NaN when it is not a date. */
function calendarMs(date: string): number {
  const m = LOCAL_DATE.exec(date);
  if (m === null) return Number.NaN;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const d = new Date(0);
  d.setUTCFullYear(year, month - 1, day);
  if (d.getUTCFullYear() !== year || d.getUTCMonth() !== month - 1 || d.getUTCDate() !== day) {
    return Number.NaN;
  }
  return d.getTime();
}

/** The calendar date of a UTC-as-wall-clock millisecond value. */
function formatCalendar(ms: number): LocalDate {
  const d = new Date(ms);
  const y = String(d.getUTCFullYear()).padStart(4, '0');
  const m = String(d.getUTCMonth() + 1).padStart(2, '0');
  const day = String(d.getUTCDate()).padStart(2, '0');
  return `${y}-${m}-${day}`;
}

/** Like {@link calendarMs} but throws on a malformed date. */
export function dateToCalendarMs(date: LocalDate): number {
  const ms = calendarMs(date);
  if (Number.isNaN(ms)) throw new RangeError(`not a local date (YYYY-MM-DD): ${JSON.stringify(date)}`);
  return ms;
}

/** True for a strict `YYYY-MM-DD` string naming a real calendar date (`2027-02-29` is false). */
export function isLocalDate(s: unknown): s is LocalDate {
  return typeof s === 'string' && !Number.isNaN(calendarMs(s));
}

/**
 * `date` plus `n` calendar days (`n` may be negative).
 * @throws RangeError when `date` is not a valid local date or `n` is not an integer.
 */
export function addDays(date: LocalDate, n: number): LocalDate {
  if (!Number.isInteger(n)) throw new RangeError(`addDays: n must be an integer, got ${n}`);
  return formatCalendar(dateToCalendarMs(date) + n * DAY_MS);
}

/** `b - a` in calendar days (negative when `b` is before `a`). */
export function daysBetween(a: LocalDate, b: LocalDate): number {
  return Math.round((dateToCalendarMs(b) - dateToCalendarMs(a)) / DAY_MS);
}

/**
 * The nights of a stay: every date from `checkIn` (inclusive) to `checkOut` (exclusive), in order.
 * Empty when `checkOut <= checkIn`.
 */
export function nightsOf(checkIn: LocalDate, checkOut: LocalDate): LocalDate[] {
  const first = dateToCalendarMs(checkIn);
  const end = dateToCalendarMs(checkOut);
  const nights: LocalDate[] = [];
  for (let ms = first; ms < end; ms += DAY_MS) nights.push(formatCalendar(ms));
  return nights;
}

/** The local date in `tz` at UTC instant `instant` (epoch ms). */
export function localDateOf(instant: number, tz: string): LocalDate {
  return formatCalendar(instant + offsetAt(tz, instant));
}

/** Memo for {@link localMidnight}: it is pure, and closedIntervals asks for the same days often. */
const midnights = new Map<string, number>();
const MIDNIGHT_CACHE_LIMIT = 20_000;

/**
 * The UTC instant (epoch ms) at which `date` starts in `tz`: local midnight, or, where midnight does
 * not exist because of a DST gap (America/Havana 2027-03-14), the first instant of that day. A date
 * a zone skipped entirely (Pacific/Apia 2011-12-30) starts and ends where the next day starts.
 * @throws RangeError on an invalid date or zone.
 */
export function localMidnight(date: LocalDate, tz: string): number {
  const key = `${tz}|${date}`;
  const cached = midnights.get(key);
  if (cached !== undefined) return cached;
  const result = computeMidnight(date, tz);
  if (midnights.size >= MIDNIGHT_CACHE_LIMIT) midnights.clear();
  midnights.set(key, result);
  return result;
}

function computeMidnight(date: LocalDate, tz: string): number {
  const naive = dateToCalendarMs(date);
  // Usual case: midnight exists; a two-step fixed point finds it even across a transition.
  const first = offsetAt(tz, naive);
  let guess = naive - first;
  const second = offsetAt(tz, guess);
  if (second !== first && offsetAt(tz, naive - second) === second) guess = naive - second;
  if (isDayStart(guess, date, tz)) return guess;
  // Rare cases (gap or repeated hour at midnight, skipped days): the first instant whose local
  // date is >= `date`. Local dates never run backwards across a real zone's transitions.
  let lo = naive - 36 * 3_600_000; // local date surely before `date`
  let hi = naive + 36 * 3_600_000; // local date surely on or after `date`
  while (hi - lo > 1) {
    const mid = lo + Math.floor((hi - lo) / 2);
    if (localDateOf(mid, tz) >= date) hi = mid;
    else lo = mid;
  }
  return hi;
}

function isDayStart(instant: number, date: LocalDate, tz: string): boolean {
  return localDateOf(instant, tz) === date && localDateOf(instant - 1, tz) < date;
}

/**
 * The local dates in `tz` whose day overlaps the UTC interval `[from, to)`, in order.
 * Empty when `to <= from`.
 */
export function datesCovering(from: number, to: number, tz: string): LocalDate[] {
  if (!(to > from)) return [];
  const last = localDateOf(to - 1, tz);
  const dates: LocalDate[] = [];
  for (let d = localDateOf(from, tz); d <= last; d = addDays(d, 1)) {
    // A day the zone skipped entirely is empty and overlaps nothing.
    if (localMidnight(addDays(d, 1), tz) > localMidnight(d, tz)) dates.push(d);
  }
  return dates;
}

/** The UTC interval `[start, end)` of local date `date` in `tz`. */
export function dayInterval(date: LocalDate, tz: string): { start: number; end: number } {
  return { start: localMidnight(date, tz), end: localMidnight(addDays(date, 1), tz) };
}
