import { addDays, nightsOf } from '../../src/domain/index.js';
import type { LocalDate } from '../../src/domain/index.js';
import type { SourceBooking, SourceCount, SourceResource } from '../../src/core/adapter/port.js';
import { readField, type Located } from './dot-path.js';
import type { RestSettings } from './settings.js';
import { readFlag, readId, readInstant, readNumber, readWhen, whenToDate, whenToInstant, type When } from './values.js';

/**
 * Mappers from one PMS JSON item to the hub's terms. They never throw: an item they cannot read is
 * a `skip` with a reason the poller logs with the site and the item's id.
 */

type Skip = { skip: { externalId: string; reason: string } };
type Fields<K extends 'availability' | 'bookings'> = NonNullable<RestSettings[K]>['fields'];
export type StatusMap = NonNullable<RestSettings['bookings']>['statusMap'];

/** The hub status of a PMS status value: listed in statusMap (case-insensitive), else confirmed. */
export function mapStatus(value: unknown, statusMap: StatusMap): SourceBooking['status'] {
  return statusOf(value, statusMap)?.status ?? 'confirmed';
}

/** The listed status of a value; null when statusMap lists values but not this one. */
function statusOf(value: unknown, statusMap: StatusMap): { status: SourceBooking['status'] } | null {
  if (value === undefined || value === null) return { status: 'confirmed' };
  const v = String(value).trim().toLowerCase();
  const listed = (list: readonly string[] | undefined) => list?.some((s) => s.trim().toLowerCase() === v) ?? false;
  if (listed(statusMap.cancelled)) return { status: 'cancelled' };
  if (listed(statusMap.tentative)) return { status: 'tentative' };
  if (listed(statusMap.confirmed)) return { status: 'confirmed' };
  const mapsAny = [statusMap.cancelled, statusMap.tentative, statusMap.confirmed].some((l) => (l?.length ?? 0) > 0);
  return mapsAny ? null : { status: 'confirmed' };
}

/** The hub's reservation id carried by a reference `<prefix><reservationId>[.<key hash>]`. */
export function hubReferenceOf(reference: unknown, prefix: string): string | undefined {
  if (typeof reference !== 'string' || !reference.startsWith(prefix)) return undefined;
  const rest = reference.slice(prefix.length).split('.')[0]!;
  return rest === '' ? undefined : rest;
}

export interface CountContext {
  fields: Fields<'availability'>;
  /** The resource the request asked for; undefined when items say their own (fields.resource). */
  resource?: SourceResource;
  bySourceId: ReadonlyMap<string, SourceResource>;
  /** Only these dates are kept (the request's nights). */
  dates: ReadonlySet<LocalDate>;
}

/**
 * One availability item → a count, nothing (a date outside the request, an unmapped room type), or
 * a skip. `parents` are the elements an items walk (`roomTypes[].nights`) found it in, for `^.` fields.
 */
export function mapCount(item: unknown, ctx: CountContext, parents?: readonly unknown[]): SourceCount | Skip | null {
  const getPath = (value: unknown, path: string) => readField(value, parents ?? [], path);
  let resource = ctx.resource;
  if (resource === undefined) {
    const sourceId = readId(getPath(item, ctx.fields.resource ?? ''));
    if (sourceId === undefined) return { skip: { externalId: 'availability', reason: 'an availability item without a resource id' } };
    resource = ctx.bySourceId.get(sourceId);
    if (resource === undefined) return { skip: { externalId: `availability:${sourceId}`, reason: `unknown resource id "${sourceId}" (no resource has source.id "${sourceId}")` } };
  }
  const rawDate = getPath(item, ctx.fields.date);
  const dateText = typeof rawDate === 'string' ? rawDate.trim().slice(0, 10) : undefined;
  const where = `availability:${resource.id}@${dateText ?? '?'}`;
  const when = typeof rawDate === 'string' ? readWhen(dateText, 'UTC') : undefined;
  if (when === undefined || !('date' in when)) return { skip: { externalId: where, reason: `date ${JSON.stringify(rawDate)} is not YYYY-MM-DD` } };
  if (!ctx.dates.has(when.date)) return null;
  const available = readNumber(getPath(item, ctx.fields.available));
  if (available === undefined) return { skip: { externalId: where, reason: `available ${JSON.stringify(getPath(item, ctx.fields.available))} is not a number` } };
  const count: SourceCount = { resource: resource.id, date: when.date, available: Math.max(0, available) };
  if (ctx.fields.closed !== undefined && readFlag(getPath(item, ctx.fields.closed))) count.closed = true;
  return count;
}

export interface BookingContext {
  fields: Fields<'bookings'>;
  statusMap: StatusMap;
  /** What a status statusMap does not list counts as (bookings.unknownStatus). */
  unknownStatus: 'busy' | 'free';
  /** Told about every status value statusMap does not list. */
  onUnknownStatus?(value: string, externalId: string): void;
  referencePrefix: string;
  timezone: string;
  bySourceId: ReadonlyMap<string, SourceResource>;
}

/**
 * One booking item → a booking in the hub's terms, or a skip saying what is wrong with it. `at`
 * says where an items walk found it: its enclosing elements (for `^.` fields) and its position
 * in the innermost array; an id read from an enclosing element (`^.id`: a booking's rooms) is
 * `<id>` for the first room and `<id>/<position>` for the others: one booking per room.
 */
export function mapBooking(item: unknown, index: number, ctx: BookingContext, at?: Omit<Located, 'value'>): { booking: SourceBooking } | Skip {
  const f = ctx.fields;
  const tz = ctx.timezone;
  const parents = at?.parents ?? [];
  const getPath = (value: unknown, path: string) => readField(value, parents, path);
  const ownId = readId(getPath(item, f.id));
  // The first room keeps the booking's own id, so a one-room booking (every one the hub writes)
  // has the id its lookup and create answer with; further rooms are <id>/1, <id>/2, ….
  const position = f.id.startsWith('^.') ? at?.index ?? 0 : 0;
  const externalId = ownId !== undefined && position > 0 ? `${ownId}/${position}` : ownId;
  if (externalId === undefined) return { skip: { externalId: `#${index}`, reason: `no id at "${f.id}"` } };
  const skip = (reason: string): Skip => ({ skip: { externalId, reason } });

  const sourceId = readId(getPath(item, f.resource));
  if (sourceId === undefined) return skip(`no resource id at "${f.resource}"`);
  const resource = ctx.bySourceId.get(sourceId);
  if (resource === undefined) return skip(`unknown resource id "${sourceId}" (no resource has source.id "${sourceId}")`);

  const checkIn = readWhen(getPath(item, f.checkIn), tz);
  if (checkIn === undefined) return skip(`checkIn ${JSON.stringify(getPath(item, f.checkIn))} is not a date or date-time`);
  let checkOut: When | undefined;
  if (f.checkOut !== undefined) {
    checkOut = readWhen(getPath(item, f.checkOut), tz);
    if (checkOut === undefined) return skip(`checkOut ${JSON.stringify(getPath(item, f.checkOut))} is not a date or date-time`);
  } else if (f.nights !== undefined) {
    // A length of stay: the departure is the local date that many nights after the arrival.
    const raw = getPath(item, f.nights);
    const n = readNumber(raw);
    if (n === undefined || n < 1 || n > 3660) return skip(`nights ${JSON.stringify(raw)} is not a whole number of 1 or more`);
    checkOut = { date: addDays(whenToDate(checkIn, tz), n) };
  } else {
    return skip('no checkOut or nights field');
  }

  let span: SourceBooking['span'];
  if (resource.bookedBy === 'night') {
    const nights = nightsOf(whenToDate(checkIn, tz), whenToDate(checkOut, tz));
    if (nights.length === 0) return skip('checkOut is not after checkIn');
    span = { by: 'night', nights };
  } else {
    const start = whenToInstant(checkIn, tz);
    const end = whenToInstant(checkOut, tz);
    if (!(end > start)) return skip('checkOut is not after checkIn');
    span = { by: 'time', start, end };
  }

  let quantity = 1;
  if (f.quantity !== undefined) {
    const raw = getPath(item, f.quantity);
    if (raw !== undefined && raw !== null) {
      const q = readNumber(raw);
      if (q === undefined || q < 1) return skip(`quantity ${JSON.stringify(raw)} is not a whole number of 1 or more`);
      quantity = q;
    }
  }

  const rawStatus = f.status === undefined ? undefined : getPath(item, f.status);
  const known = statusOf(rawStatus, ctx.statusMap);
  if (known === null) ctx.onUnknownStatus?.(String(rawStatus), externalId);
  const free = known === null && ctx.unknownStatus === 'free';
  const booking: SourceBooking = {
    externalId,
    resource: resource.id,
    span,
    quantity,
    status: known?.status ?? (free ? 'tentative' : 'confirmed'),
    busy: !free,
  };
  const createdAt = f.createdAt === undefined ? undefined : readInstant(getPath(item, f.createdAt), tz);
  const updatedAt = f.updatedAt === undefined ? undefined : readInstant(getPath(item, f.updatedAt), tz);
  if (createdAt !== undefined) booking.createdAt = createdAt;
  if (updatedAt !== undefined) booking.updatedAt = updatedAt;
  const hubReference = f.reference === undefined ? undefined : hubReferenceOf(getPath(item, f.reference), ctx.referencePrefix);
  if (hubReference !== undefined) booking.hubReference = hubReference;
  return { booking };
}

/** True when a booking touches the window (its nights `[first, last]`, or `[start, end)` in UTC). */
export function inWindow(b: SourceBooking, nights: { first: LocalDate; last: LocalDate }, window: { start: number; end: number }): boolean {
  if (b.span.by === 'night') {
    const first = b.span.nights[0]!;
    const last = b.span.nights[b.span.nights.length - 1]!;
    return first <= nights.last && last >= nights.first;
  }
  return b.span.start < window.end && b.span.end > window.start;
}

/** Splits nights into consecutive chunks of at most `size` (inclusive `[from, to]` per chunk). */
export function chunkNights(first: LocalDate, last: LocalDate, size: number): Array<{ from: LocalDate; to: LocalDate }> {
  const chunks: Array<{ from: LocalDate; to: LocalDate }> = [];
  for (let from = first; from <= last; from = addDays(from, size)) {
    const end = addDays(from, size - 1);
    chunks.push({ from, to: end < last ? end : last });
  }
  return chunks;
}
