import { DateTime } from 'luxon';
import { isLocalDate, nightsOf } from '../domain/index.js';
import type { ItemSpan } from '../domain/types.js';
import type { CatalogEntry } from '../core/catalog.js';
import { invalid } from '../core/errors.js';

/** A hold item as a client sends it. */
export interface HoldItemInput {
  site: string;
  resource: string;
  quantity?: number | undefined;
  start?: string | undefined;
  end?: string | undefined;
  checkIn?: string | undefined;
  checkOut?: string | undefined;
}

/**
 * An instant from an ISO string: with an offset or `Z` as given, without one in the site's
 * local time (what a guest picking "14:00" at a Berlin venue means).
 */
export function parseInstant(value: string, tz: string, field: string): number {
  const dt = DateTime.fromISO(value, { zone: tz });
  if (!dt.isValid || !value.includes('T')) {
    throw invalid(field, `"${value}" is not an ISO date-time such as "2027-01-10T14:00:00Z"`);
  }
  return dt.toMillis();
}

/** Resolves what an item asks for into nights or a UTC interval, by how the resource is booked. */
export function resolveSpan(input: HoldItemInput, entry: CatalogEntry, field: string): ItemSpan {
  const tz = entry.site.timezone;
  const at = (name: string) => (field ? `${field}.${name}` : name);
  if (entry.resource.bookedBy === 'night') {
    if (input.checkIn === undefined || input.checkOut === undefined) {
      throw invalid(field || 'body', `resource "${entry.resource.id}" is booked by night: send checkIn and checkOut as local dates (YYYY-MM-DD)`);
    }
    for (const [name, v] of [['checkIn', input.checkIn], ['checkOut', input.checkOut]] as const) {
      // LocalDate is a string, so the guard leaves `never` here; the value is still the caller's text.
      if (!isLocalDate(v)) throw invalid(at(name), `"${v as string}" is not a date like "2027-01-10"`);
    }
    const nights = nightsOf(input.checkIn, input.checkOut);
    if (nights.length === 0) throw invalid(at('checkOut'), 'must be after checkIn');
    return { by: 'night', checkIn: input.checkIn, checkOut: input.checkOut, nights };
  }
  if (input.start === undefined || input.end === undefined) {
    throw invalid(field || 'body', `resource "${entry.resource.id}" is booked by time: send start and end as ISO date-times`);
  }
  const start = parseInstant(input.start, tz, at('start'));
  const end = parseInstant(input.end, tz, at('end'));
  if (end <= start) throw invalid(at('end'), 'must be after start');
  return { by: 'time', start, end };
}
