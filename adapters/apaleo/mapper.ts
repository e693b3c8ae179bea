import { createHash } from 'node:crypto';
import { isLocalDate, localDateOf, nightsOf } from '../../src/domain/index.js';
import type { LocalDate } from '../../src/domain/index.js';
import type { SourceBooking, SourceCount } from '../../src/core/adapter/port.js';

/** apaleo's JSON as far as the adapter reads it (Booking and Availability APIs, v1). */
export interface ApaleoReservation {
  id: string;
  bookingId?: string;
  status: string;
  arrival: string;
  departure: string;
  created?: string;
  modified?: string;
  externalCode?: string;
  unitGroup?: { id: string };
  ratePlan?: { id: string };
}

export interface ApaleoAvailabilitySlice {
  from: string;
  to: string;
  unitGroups?: Array<{ unitGroup: { id: string }; availableCount?: number; sellableCount?: number }>;
}

export interface ApaleoRate {
  from: string;
  to: string;
  restrictions?: { closed?: boolean };
}

/** Every externalCode the hub writes starts with this, so its own reservations are recognizable. */
const HUB_PREFIX = 'avhub-';

/**
 * The externalCode of the reservation a write-back creates: the hub's reservation id (read back
 * as `hubReference`) and a digest of the idempotency key, so a retried write finds the first one.
 */
export function externalCodeFor(reservationId: string, idempotencyKey: string): string {
  const digest = createHash('sha256').update(idempotencyKey).digest('hex').slice(0, 12);
  return `${HUB_PREFIX}${reservationId}.${digest}`;
}

/** The hub's reservation id in an externalCode the hub wrote; undefined for anyone else's. */
export function hubReferenceOf(externalCode: string | undefined): string | undefined {
  if (!externalCode?.startsWith(HUB_PREFIX)) return undefined;
  const rest = externalCode.slice(HUB_PREFIX.length).replace(/-\d+$/, '');
  const dot = rest.lastIndexOf('.');
  const id = dot > 0 ? rest.slice(0, dot) : rest;
  return id === '' ? undefined : id;
}

/**
 * The local date of an apaleo date or date-time in the property's zone. apaleo sends stay times
 * with the property's offset (`2027-03-13T17:00:00-05:00`); converting the instant keeps this
 * right whatever offset a payload carries.
 */
export function localDateOfApaleo(value: string, timezone: string): LocalDate | null {
  if (isLocalDate(value)) return value;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? null : localDateOf(ms, timezone);
}

const ACTIVE = new Set(['Confirmed', 'InHouse', 'CheckedOut']);
const RELEASED = new Set(['Canceled', 'NoShow']);

/**
 * One apaleo reservation (one unit) as the hub's booking: nights from arrival (inclusive) to
 * departure (exclusive) as local dates. `Canceled` and `NoShow` release the unit.
 * @returns the booking, or a reason to skip it.
 */
export function toSourceBooking(r: ApaleoReservation, resource: string, timezone: string): SourceBooking | { skip: string } {
  const checkIn = localDateOfApaleo(r.arrival, timezone);
  const checkOut = localDateOfApaleo(r.departure, timezone);
  if (!checkIn || !checkOut) return { skip: `unreadable arrival/departure ${r.arrival} .. ${r.departure}` };
  let nights = nightsOf(checkIn, checkOut);
  // A day-use reservation (arrival and departure on one date) still holds that date.
  if (nights.length === 0) nights = [checkIn];
  let status: SourceBooking['status'];
  if (ACTIVE.has(r.status)) status = 'confirmed';
  else if (RELEASED.has(r.status)) status = 'cancelled';
  else return { skip: `unknown reservation status ${r.status}` };
  const booking: SourceBooking = {
    externalId: r.id, resource, span: { by: 'night', nights }, quantity: 1, status, busy: true,
  };
  const created = r.created ? Date.parse(r.created) : Number.NaN;
  const modified = r.modified ? Date.parse(r.modified) : Number.NaN;
  if (!Number.isNaN(created)) booking.createdAt = created;
  if (!Number.isNaN(modified)) booking.updatedAt = modified;
  const ref = hubReferenceOf(r.externalCode);
  if (ref !== undefined) booking.hubReference = ref;
  return booking;
}

/**
 * Availability time slices as per-night counts. The free count is the smaller of apaleo's
 * `availableCount` (house count minus sold and blocked) and `sellableCount` (what it will still
 * sell), never below zero: the hub does not sell apaleo's allowed overbooking.
 */
export function toSourceCounts(slices: readonly ApaleoAvailabilitySlice[], resourcesByUnitGroup: ReadonlyMap<string, readonly string[]>,
  timezone: string, nights: ReadonlySet<LocalDate>): SourceCount[] {
  const out: SourceCount[] = [];
  for (const slice of slices) {
    const date = localDateOfApaleo(slice.from, timezone);
    if (!date || !nights.has(date)) continue;
    for (const item of slice.unitGroups ?? []) {
      const resources = resourcesByUnitGroup.get(item.unitGroup?.id);
      if (!resources) continue;
      const counts = [item.availableCount, item.sellableCount].filter((n): n is number => typeof n === 'number');
      const available = Math.max(0, Math.floor(counts.length ? Math.min(...counts) : 0));
      for (const resource of resources) out.push({ resource, date, available });
    }
  }
  return out;
}

/** Nights a rate plan's rates close (the `closed` restriction: stop-sell). */
export function closedNights(rates: readonly ApaleoRate[], timezone: string): LocalDate[] {
  const out: LocalDate[] = [];
  for (const rate of rates) {
    if (rate.restrictions?.closed !== true) continue;
    const date = localDateOfApaleo(rate.from, timezone);
    if (date) out.push(date);
  }
  return out;
}
