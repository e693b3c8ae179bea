import ICAL from 'ical.js';
import { DateTime } from 'luxon';
import { isTimeZone } from '../../src/domain/index.js';
import type { LocalDate } from '../../src/domain/index.js';

/**
 * Turning ical.js times into the hub's terms: UTC epoch milliseconds for DATE-TIME values, local
 * dates (`YYYY-MM-DD`) for DATE values.
 */

type Time = InstanceType<typeof ICAL.Time>;

/** True when ical.js could not attach a real zone (floating, or a TZID without a VTIMEZONE). */
function isFloating(t: Time): boolean {
  return t.zone === undefined || t.zone === null || t.zone.tzid === 'floating' || t.zone === ICAL.Timezone.localTimezone;
}

/**
 * The UTC instant of a DATE-TIME value. ical.js converts UTC values and values whose TZID has a
 * VTIMEZONE in the calendar. What is left is wall-clock time: a TZID naming an IANA zone without a
 * VTIMEZONE is converted with luxon using that name; floating times (and TZIDs that are neither)
 * are local to `fallbackZone`, the site's zone.
 * @param tzid the TZID parameter of the property the value came from, if any
 */
export function instantOf(t: Time, tzid: string | null | undefined, fallbackZone: string): number {
  if (!isFloating(t)) {
    const ms = t.toUnixTime() * 1000;
    if (!Number.isFinite(ms)) throw new RangeError(`cannot convert ${t.toString()} to UTC`);
    return ms;
  }
  const zone = tzid && isTimeZone(tzid) ? tzid : fallbackZone;
  const dt = DateTime.fromObject(
    { year: t.year, month: t.month, day: t.day, hour: t.hour, minute: t.minute, second: t.second },
    { zone },
  );
  if (!dt.isValid) throw new RangeError(`invalid date-time ${t.toString()} in ${zone}: ${dt.invalidExplanation ?? dt.invalidReason}`);
  return dt.toMillis();
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
