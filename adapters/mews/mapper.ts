import { z } from 'zod';
import { localDateOf } from '../../src/domain/index.js';
import type { SourceBooking, SourceCount } from '../../src/core/adapter/port.js';
import { hubReferenceOf } from './reference.js';
import { stayNights } from './time-units.js';

/**
 * Mews JSON → the hub's terms. Only the fields the hub reads are checked; everything else in a
 * Mews answer is ignored, so additions on their side do not break a poll.
 */

const isoInstant = z.string().refine((s) => !Number.isNaN(Date.parse(s)), { error: 'an ISO 8601 instant' });

/** `services/getAvailability` answer. */
export const availabilityResult = z.object({
  TimeUnitStartsUtc: z.array(isoInstant),
  CategoryAvailabilities: z.array(z.object({
    CategoryId: z.string(),
    Availabilities: z.array(z.number()),
  })),
});
export type AvailabilityResult = z.infer<typeof availabilityResult>;

/** One reservation of `reservations/getAll/2023-06-06`, as far as the hub reads it. */
export const mewsReservation = z.object({
  Id: z.string().min(1),
  ServiceId: z.string(),
  State: z.string(),
  RequestedResourceCategoryId: z.string(),
  ScheduledStartUtc: isoInstant.nullish(),
  ScheduledEndUtc: isoInstant.nullish(),
  StartUtc: isoInstant.nullish(),
  EndUtc: isoInstant.nullish(),
  CreatedUtc: isoInstant.nullish(),
  UpdatedUtc: isoInstant.nullish(),
  ChannelNumber: z.string().nullish(),
});
export type MewsReservation = z.infer<typeof mewsReservation>;

export const reservationsPage = z.object({
  Reservations: z.array(z.unknown()),
  Cursor: z.string().nullish(),
});

/**
 * Per resource per night: what Mews says is still free. Negative availability (overbooked) is 0.
 * `resources` maps a resource category id to the hub resource standing for it.
 */
export function toCounts(result: AvailabilityResult, resources: ReadonlyMap<string, string>, tz: string): SourceCount[] {
  const dates = result.TimeUnitStartsUtc.map((t) => localDateOf(Date.parse(t), tz));
  const counts: SourceCount[] = [];
  for (const cat of result.CategoryAvailabilities) {
    const resource = resources.get(cat.CategoryId);
    if (resource === undefined) continue;
    dates.forEach((date, i) => {
      const n = cat.Availabilities[i];
      if (n !== undefined) counts.push({ resource, date, available: Math.max(0, Math.floor(n)) });
    });
  }
  return counts;
}

/** Service order state → the hub's status; waitlisted and inquired stays hold no room. */
export function statusOf(state: string): { status: SourceBooking['status']; busy: boolean } {
  switch (state) {
    case 'Canceled': return { status: 'cancelled', busy: false };
    case 'Confirmed': case 'Started': case 'Processed': return { status: 'confirmed', busy: true };
    case 'Optional': return { status: 'tentative', busy: true };
    default: return { status: 'tentative', busy: false }; // Inquired, Enquired, Requested, new states
  }
}

/** One Mews reservation as a hub booking of `resource` (one room, by night in `tz`). */
export function toBooking(r: MewsReservation, resource: string, tz: string): SourceBooking {
  const start = r.ScheduledStartUtc ?? r.StartUtc;
  const end = r.ScheduledEndUtc ?? r.EndUtc;
  if (!start || !end) throw new Error('no scheduled start or end');
  const startMs = Date.parse(start);
  const endMs = Date.parse(end);
  if (!(endMs >= startMs)) throw new Error('ends before it starts');
  const booking: SourceBooking = {
    externalId: r.Id,
    resource,
    span: { by: 'night', nights: stayNights(startMs, endMs, tz) },
    quantity: 1,
    ...statusOf(r.State),
  };
  if (r.CreatedUtc) booking.createdAt = Date.parse(r.CreatedUtc);
  if (r.UpdatedUtc) booking.updatedAt = Date.parse(r.UpdatedUtc);
  const ref = hubReferenceOf(r.ChannelNumber);
  if (ref !== undefined) booking.hubReference = ref;
  return booking;
}

/** The reservation's scheduled interval in epoch ms, for window checks. */
export function intervalOf(r: MewsReservation): { start: number; end: number } | undefined {
  const start = r.ScheduledStartUtc ?? r.StartUtc;
  const end = r.ScheduledEndUtc ?? r.EndUtc;
  return start && end ? { start: Date.parse(start), end: Date.parse(end) } : undefined;
}
