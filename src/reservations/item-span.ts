import { DateTime } from 'luxon';
import { isLocalDate, nightsOf } from '../domain/index.js';
import type { ItemSpan } from '../domain/types.js';
import type { CatalogEntry } from '../core/catalog.js';
import { HubError, invalid } from '../core/errors.js';

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
  if (!HAS_OFFSET.test(value)) {
    // A local time the clocks skip (a DST gap) does not exist; luxon would move it an hour on.
    const wall = DateTime.fromISO(value, { zone: 'utc' });
    if (wall.hour !== dt.hour || wall.minute !== dt.minute || wall.day !== dt.day) {
      throw new HubError(422, 'nonexistent-local-time', 'Local time does not exist',
        `${field}: ${wall.toFormat("yyyy-MM-dd'T'HH:mm")} does not exist in ${tz} (the clocks skip it for daylight saving time); `
        + `use ${dt.toFormat("HH:mm")} or give an offset`, { field });
    }
  }
  return dt.toMillis();
}

/** An ISO date-time that names its offset (`Z`, `+02:00`, `+0200`, `+02`). */
const HAS_OFFSET = /T.*(?:[zZ]|[+-]\d\d(?::?\d\d)?)$/;

const DAY = 86_400_000;

function refuseLongSpan(entry: CatalogEntry, length: number, field: string): void {
  if (length <= entry.maxHoldSpan) return;
  const days = Math.floor(entry.maxHoldSpan / DAY);
  throw new HubError(422, 'max-span', 'Span too long',
    `${field}: one hold item may cover at most ${days >= 1 ? `${days} days` : `${entry.maxHoldSpan / 3_600_000} hours`} (defaults.maxHoldSpan)`,
    { field, site: entry.site.id, resource: entry.resource.id });
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
    refuseLongSpan(entry, nights.length * DAY, at('checkOut'));
    return { by: 'night', checkIn: input.checkIn, checkOut: input.checkOut, nights };
  }
  if (input.start === undefined || input.end === undefined) {
    throw invalid(field || 'body', `resource "${entry.resource.id}" is booked by time: send start and end as ISO date-times`);
  }
  const start = parseInstant(input.start, tz, at('start'));
  const end = parseInstant(input.end, tz, at('end'));
  if (end <= start) throw invalid(at('end'), 'must be after start');
  refuseLongSpan(entry, end - start, at('end'));
  return { by: 'time', start, end };
}
