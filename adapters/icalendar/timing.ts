import ICAL from 'ical.js';
import { addDays, daysBetween, localMidnight } from '../../src/domain/index.js';
import type { LocalDate } from '../../src/domain/index.js';
import { instantOf, localDateOfTime } from './time.js';

/**
 * When an event (or one instance of it) happens, read from DTSTART, DTEND and DURATION per
 * RFC 5545 §3.6.1 and §3.8.5.3: a DTEND fixes an exact duration for every instance, a DURATION a
 * nominal one (days and weeks follow the wall clock across DST, hours are exact).
 */

type Component = InstanceType<typeof ICAL.Component>;
type Time = InstanceType<typeof ICAL.Time>;
type Property = InstanceType<typeof ICAL.Property>;

/** An instance: local dates (all-day, end exclusive) or UTC milliseconds `[start, end)`. */
export type Instance =
  | { kind: 'date'; start: LocalDate; end: LocalDate }
  | { kind: 'time'; start: number; end: number };

/** How long every instance of an event lasts. */
export type Length =
  | { kind: 'date'; days: number }
  | { kind: 'time'; nominalDays: number; exactMs: number };

/** An event's first start, the TZID it was written in, and its length. */
export interface Timing {
  start: Time;
  tzid: string | null;
  length: Length;
}

/** A readable reason an event cannot be used; the normalizer reports it as skipped. */
export class EventError extends Error {}

function tzidOf(prop: Property): string | null {
  const p = prop.getParameter('tzid');
  return typeof p === 'string' && p !== '' ? p : null;
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const leap = (y: number) => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;

/**
 * Why a raw jCal date or date-time string names no real time (`2024-02-30`, `25:00`), or null.
 * ical.js would roll such a value over (30 February becomes 1 March) and invent a booking.
 */
function impossibleDate(raw: string): string | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2}):(\d{2}))?/.exec(raw);
  if (!m) return null;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (mo < 1 || mo > 12) return `month ${mo} does not exist`;
  const max = mo === 2 && leap(y) ? 29 : DAYS_IN_MONTH[mo - 1]!;
  if (d < 1 || d > max) return `${y}-${m[2]} has no day ${d}`;
  if (m[4] !== undefined && (Number(m[4]) > 23 || Number(m[5]) > 59 || Number(m[6]) > 60)) return `${m[4]}:${m[5]}:${m[6]} is not a time of day`;
  return null;
}

/** The raw strings of a property's values (periods give both ends), as ical.js parsed them. */
export function rawValues(prop: Property): string[] {
  const out: string[] = [];
  for (const v of prop.jCal.slice(3) as unknown[]) {
    if (typeof v === 'string') out.push(v);
    else if (Array.isArray(v)) out.push(...v.filter((x): x is string => typeof x === 'string'));
  }
  return out;
}

/** Throws EventError when a value of the property is an impossible date. */
export function checkRealDates(prop: Property): void {
  for (const raw of rawValues(prop)) {
    const why = impossibleDate(raw);
    if (why !== null) throw new EventError(`${prop.name.toUpperCase()} ${raw.replace(/[-:]/g, '')} is not a real date (${why})`);
  }
}

/** The value of a date or date-time property, or null when absent; throws EventError when unreadable. */
export function timeProperty(comp: Component, name: string): { time: Time; tzid: string | null } | null {
  const prop = comp.getFirstProperty(name);
  if (!prop) return null;
  checkRealDates(prop);
  const raw: unknown = prop.jCal[3];
  // `RECURRENCE-ID:20200914` (a date without VALUE=DATE, as real exporters write it): ical.js
  // reads it as the broken date-time "2020-09-14T::"; it is the date.
  if (typeof raw === 'string' && /^\d{4}-\d{2}-\d{2}T::$/.test(raw)) {
    return { time: ICAL.Time.fromDateString(raw.slice(0, 10)), tzid: null };
  }
  let value: unknown;
  try {
    value = prop.getFirstValue();
  } catch (e) {
    throw new EventError(`unreadable ${name.toUpperCase()}: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (!(value instanceof ICAL.Time)) throw new EventError(`${name.toUpperCase()} is not a date or date-time`);
  // Touch the fields: ical.js parses lazily and throws on garbage such as "2027XX10".
  try {
    value.toUnixTime();
  } catch (e) {
    throw new EventError(`unreadable ${name.toUpperCase()}: ${e instanceof Error ? e.message : String(e)}`);
  }
  if ([value.year, value.month, value.day].some((n) => !Number.isFinite(n))) {
    throw new EventError(`unreadable ${name.toUpperCase()}`);
  }
  return { time: value, tzid: tzidOf(prop) };
}

function durationProperty(comp: Component): InstanceType<typeof ICAL.Duration> | null {
  const prop = comp.getFirstProperty('duration');
  if (!prop) return null;
  const value: unknown = prop.getFirstValue();
  if (!(value instanceof ICAL.Duration)) throw new EventError('DURATION is not a duration');
  return value;
}

/**
 * Reads DTSTART and the length of a VEVENT. Without DTEND and DURATION an all-day event lasts one
 * day and a timed one is an instant (which the caller skips). `fallback` is used when the
 * component has neither (an override inheriting the length of its master).
 * @throws EventError
 */
export function readTiming(comp: Component, zone: string, fallback?: Length): Timing {
  const start = timeProperty(comp, 'dtstart');
  if (!start) throw new EventError('missing DTSTART');
  return { start: start.time, tzid: start.tzid, length: readLength(comp, start, zone, fallback) };
}

function readLength(comp: Component, start: { time: Time; tzid: string | null }, zone: string, fallback?: Length): Length {
  const end = timeProperty(comp, 'dtend');
  const duration = durationProperty(comp);
  if (start.time.isDate) {
    if (end) {
      if (!end.time.isDate) throw new EventError('DTSTART is a DATE but DTEND is a DATE-TIME');
      return { kind: 'date', days: daysBetween(localDateOfTime(start.time), localDateOfTime(end.time)) };
    }
    if (duration) {
      const days = duration.weeks * 7 + duration.days;
      return { kind: 'date', days: duration.isNegative ? -days : days };
    }
    return fallback?.kind === 'date' ? fallback : { kind: 'date', days: 1 };
  }
  if (end) {
    if (end.time.isDate) throw new EventError('DTSTART is a DATE-TIME but DTEND is a DATE');
    const exactMs = instantOf(end.time, end.tzid, zone) - instantOf(start.time, start.tzid, zone);
    return { kind: 'time', nominalDays: 0, exactMs };
  }
  if (duration) {
    const sign = duration.isNegative ? -1 : 1;
    return {
      kind: 'time',
      nominalDays: sign * (duration.weeks * 7 + duration.days),
      exactMs: sign * ((duration.hours * 60 + duration.minutes) * 60 + duration.seconds) * 1000,
    };
  }
  return fallback?.kind === 'time' ? fallback : { kind: 'time', nominalDays: 0, exactMs: 0 };
}

/** The instance starting at `start` (DTSTART or one recurrence of it). */
export function instanceAt(start: Time, tzid: string | null, length: Length, zone: string): Instance {
  if (length.kind === 'date' || start.isDate) {
    const first = localDateOfTime(start);
    const days = length.kind === 'date' ? length.days : 1;
    return { kind: 'date', start: first, end: addDays(first, days) };
  }
  const startMs = instantOf(start, tzid, zone);
  let endBase = startMs;
  if (length.nominalDays !== 0) {
    const wall = start.clone();
    wall.adjust(length.nominalDays, 0, 0, 0);
    endBase = instantOf(wall, tzid, zone);
  }
  return { kind: 'time', start: startMs, end: endBase + length.exactMs };
}

/** The UTC interval an instance covers; all-day dates are local to `zone`. */
export function intervalOf(inst: Instance, zone: string): { start: number; end: number } {
  if (inst.kind === 'time') return { start: inst.start, end: inst.end };
  return { start: localMidnight(inst.start, zone), end: localMidnight(inst.end, zone) };
}
