import { addDays, datesCovering } from '../../src/domain/index.js';
import type { LocalDate } from '../../src/domain/index.js';

/** A contract interval as a PMS stay: check-in on the first local date it touches, check-out the day after the last. */
export function stayOf(start: number, end: number, tz: string): { checkIn: LocalDate; checkOut: LocalDate } {
  const dates = datesCovering(start, end, tz);
  return { checkIn: dates[0]!, checkOut: addDays(dates[dates.length - 1]!, 1) };
}

/** The same stay as `{ arrival, departure }`, the names apaleo and the REST example PMS use. */
export function arrivalOf(start: number, end: number, tz: string): { arrival: LocalDate; departure: LocalDate } {
  const s = stayOf(start, end, tz);
  return { arrival: s.checkIn, departure: s.checkOut };
}
