import { DateTime } from 'luxon';
import { addDays, localDateOf } from '../../src/domain/index.js';
import type { LocalDate } from '../../src/domain/types.js';
import type { SourceResource } from '../../src/core/adapter/port.js';

/**
 * The bookings every demo simulator starts with (demo and development only): a handful of
 * realistic stays and events in the coming weeks, plus a few on the 2027 daylight-saving changes
 * (US 14 March and 7 November, EU 28 March and 31 October), all relative to the site's time zone.
 * Each adapter's `demo.ts` writes them into its simulator in that system's own terms.
 */

/** A stay of `rooms` rooms of a pool (or the unit) booked by night. */
export interface DemoStay {
  resource: string;
  checkIn: LocalDate;
  checkOut: LocalDate;
  rooms: number;
  guest: string;
}

/** A timed booking in local wall-clock time; `weekly` repeats it that many times in all. */
export interface DemoEvent {
  resource: string;
  date: LocalDate;
  from: string;
  to: string;
  title: string;
  weekly?: number;
}

/** Stays per resource booked by night, in the coming weeks and across the spring DST changes. */
export function demoStays(resources: readonly SourceResource[], timezone: string, now = Date.now()): DemoStay[] {
  const today = localDateOf(now, timezone);
  const stays: DemoStay[] = [];
  resources.filter((r) => r.bookedBy === 'night').forEach((r, i) => {
    const c = r.capacity;
    const add = (inDays: number, nights: number, rooms: number, guest: string) => {
      const checkIn = addDays(today, inDays);
      stays.push({ resource: r.id, checkIn, checkOut: addDays(checkIn, nights), rooms: Math.max(1, Math.min(c, rooms)), guest });
    };
    add(1 + i, 2, Math.ceil(c / 4), 'Tour group Meier');
    add(4 + i, 3, 1, 'Ada Lovelace');
    if (c >= 3) add(6 + i, 1, 2, 'Grace Hopper');
    // A trade fair sells the first room type out for one night.
    if (i === 0) add(12, 1, c, 'Trade fair block');
    add(17 + i, 4, Math.ceil(c / 3), 'Wedding party Rossi');
    for (const [checkIn, checkOut, guest] of [['2027-03-13', '2027-03-15', 'Alan Turing'], ['2027-03-27', '2027-03-29', 'Hedy Lamarr']] as const) {
      if (checkIn > today) stays.push({ resource: r.id, checkIn, checkOut, rooms: 1, guest });
    }
  });
  return stays;
}

/** Events per resource booked by time: meetings in the coming weeks, and a weekly class across DST. */
export function demoEvents(resources: readonly SourceResource[], timezone: string, now = Date.now()): DemoEvent[] {
  const today = localDateOf(now, timezone);
  const events: DemoEvent[] = [];
  resources.filter((r) => r.bookedBy === 'time').forEach((r, i) => {
    const add = (inDays: number, from: string, to: string, title: string) =>
      events.push({ resource: r.id, date: addDays(today, inDays), from, to, title });
    add(1 + i, '10:00', '12:00', 'Board meeting');
    add(2 + i, '14:00', '18:00', 'Workshop');
    add(6 + i, '09:00', '17:00', 'Conference day');
    add(9 + i, '19:00', '22:30', 'Wedding reception');
    // Weekly from early March 2027: the same local hour before and after both spring changes.
    if ('2027-03-02' > today) events.push({ resource: r.id, date: '2027-03-02', from: '18:00', to: '19:30', title: 'Evening class', weekly: 6 });
    for (const [date, title] of [['2027-03-14', 'Spring-forward brunch'], ['2027-03-28', 'Easter brunch'], ['2027-10-31', 'Halloween party'], ['2027-11-07', 'Autumn brunch']] as const) {
      if (date > today) events.push({ resource: r.id, date, from: '10:00', to: '13:00', title });
    }
  });
  return events;
}

/** `2027-03-14T10:00:00-04:00`: local wall time with the zone's offset that day. */
export function localIso(date: LocalDate, time: string, timezone: string): string {
  return DateTime.fromISO(`${date}T${time}`, { zone: timezone }).toISO({ suppressMilliseconds: true })!;
}
