import type { LocalDate } from './types.js';
import { offsetAt } from './zone.js';

/**
 * Calendar arithmetic on local dates (`YYYY-MM-DD`) and their relation to UTC instants in an IANA
 * zone. A local date's day is the half-open UTC interval `[localMidnight(d), localMidnight(d+1))`;
 * it lasts 23 or 25 hours on DST change days.
 */

const DAY_MS = 86_400_000;

/**
 * UTC milliseconds of `date` at 00:00 as if it were a UTC date, or NaN when it is not a date.
 * Integer arithmetic (days from the civil date, proleptic Gregorian like Date's own), not a Date
 * object per call: a hold's rules and nights call this a few dozen times.
 */
export function calendarMs(date: string): number {
  if (date.length !== 10 || date.charCodeAt(4) !== 45 || date.charCodeAt(7) !== 45) return Number.NaN;
  const year = digits(date, 0, 4);
  const month = digits(date, 5, 7);
  const day = digits(date, 8, 10);
  if (year < 0 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return Number.NaN;
  return daysFromCivil(year, month, day) * DAY_MS;
}

/** The decimal number in `s[from, to)`, or -1 when a character there is not a digit. */
function digits(s: string, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    n = n * 10 + c;
  }
  return n;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil). */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}

/** The calendar date of a UTC-as-wall-clock millisecond value (civil_from_days, no Date object). */
export function formatCalendar(ms: number): LocalDate {
  const z = Math.floor(ms / DAY_MS) + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  return `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}`;
}

function pad(n: number, width: number): string {
  const s = String(n);
  return s.length >= width ? s : '0'.repeat(width - s.length) + s;
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
