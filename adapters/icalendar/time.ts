import ICAL from 'ical.js';
import { DateTime } from 'luxon';
import type { LocalDate } from '../../src/domain/index.js';
import { resolveTzid, withinReach } from './zones.js';

/**
 * Turning ical.js times into the hub's terms: UTC epoch milliseconds for DATE-TIME values, local
 * dates (`YYYY-MM-DD`) for DATE values.
 */

type Time = InstanceType<typeof ICAL.Time>;

function isUtc(t: Time): boolean {
  return t.zone === ICAL.Timezone.utcTimezone || t.zone?.tzid === 'UTC' && t.zone.component === null;
}

/** A zone ical.js attached from the calendar's own VTIMEZONE (not floating, not UTC, not "local"). */
function attachedZone(t: Time): InstanceType<typeof ICAL.Timezone> | null {
  const z = t.zone;
  if (z === undefined || z === null || z === ICAL.Timezone.localTimezone || z.tzid === 'floating' || isUtc(t)) return null;
  return z.component ? z : null;
}

function wallClockIn(t: Time, zone: string): number {
  const dt = DateTime.fromObject(
    { year: t.year, month: t.month, day: t.day, hour: t.hour, minute: t.minute, second: t.second },
    { zone },
  );
  if (!dt.isValid) throw new RangeError(`invalid date-time ${t.toString()} in ${zone}: ${dt.invalidExplanation ?? dt.invalidReason}`);
  return dt.toMillis();
}

/** A time the hub cannot place on the UTC line without guessing; the event is skipped with this. */
class ZoneError extends Error {}

/**
 * The UTC instant of a DATE-TIME value (see zones.ts for how a TZID is resolved):
 * - `Z` values are UTC;
 * - a TZID that is, or maps to, an IANA zone converts with the IANA database (luxon), whatever the
 *   file's VTIMEZONE says (exporters' VTIMEZONEs are often truncated or wrong);
 * - a custom TZID converts with the file's VTIMEZONE, only where its observances reach;
 * - a TZID that resolves to nothing throws ZoneError (never read in the site's zone);
 * - floating times (no TZID) are local to `fallbackZone`, the site's zone (RFC 5545 §3.3.5).
 * @param tzid the TZID parameter of the property the value came from, if any
 * @throws ZoneError, RangeError
 */
export function instantOf(t: Time, tzid: string | null | undefined, fallbackZone: string): number {
  if (isUtc(t)) return utcMs(t);
  if (tzid === null || tzid === undefined || tzid === '') {
    // A zone ical.js attached without a TZID parameter is not expected; the wall clock decides.
    return wallClockIn(t, fallbackZone);
  }
  const zone = resolveTzid(tzid, attachedZone(t));
  if (zone.kind === 'iana') return wallClockIn(t, zone.zone);
  if (zone.kind === 'unknown') throw new ZoneError(zone.reason);
  if (!withinReach(zone.reach, t)) {
    throw new ZoneError(`TZID "${tzid}": the file's VTIMEZONE does not reach ${t.toString()} (its observances do not say the offset then)`);
  }
  return utcMs(t);
}

function utcMs(t: Time): number {
  const ms = t.toUnixTime() * 1000;
  if (!Number.isFinite(ms)) throw new RangeError(`cannot convert ${t.toString()} to UTC`);
  return ms;
}

/** The local date of an instant in a zone luxon knows (an IANA name or a fixed `UTC+1`). */
export function localDayIn(ms: number, zone: string): LocalDate {
  return DateTime.fromMillis(ms, { zone }).toISODate() as LocalDate;
}

/** The calendar date of a DATE value (time zone free by definition). */
export function localDateOfTime(t: Time): LocalDate {
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${pad(t.year, 4)}-${pad(t.month)}-${pad(t.day)}`;
}

/** `20270310T090000Z`: the UTC ISO basic form used in recurrence-instance external ids. */
export function utcBasic(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z').replace(/[-:]/g, '');
}

/** `20270310`: the basic form of a local date. */
export function dateBasic(date: LocalDate): string {
  return date.replace(/-/g, '');
}
