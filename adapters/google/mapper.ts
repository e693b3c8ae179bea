import { DateTime } from 'luxon';
import { isLocalDate, isTimeZone, localDateOf, localMidnight, nightsOf } from '../../src/domain/index.js';
import type { SourceBooking } from '../../src/core/adapter/port.js';
import { externalIdOf } from './ids.js';

/**
 * Google Calendar v3 events (https://developers.google.com/calendar/api/v3/reference/events) in
 * the hub's terms. Decides busy/free, all-day and time zone here and nowhere else:
 * - `dateTime` start/end → a UTC span (offset-less times are read in their `timeZone`, else the site's);
 * - all-day `{date}` start/end (end exclusive) → those local dates as nights, or the span from local
 *   midnight to local midnight in the SITE's zone for resources booked by time;
 * - `transparency: "transparent"` → busy false; `status: "tentative"` → tentative;
 * - `status: "cancelled"` → a removal of that external id (Google sends deleted events as stubs);
 * - `extendedProperties.private.avhubReservation` → hubReference (the hub wrote it);
 *   `avhubQuantity` → quantity (default 1).
 * Anything it cannot read is skipped with a reason; the mapper never throws.
 */

/** The Event fields the mapper reads (structurally compatible with the client's Schema$Event). */
export interface GoogleEvent {
  id?: string | null;
  status?: string | null;
  start?: GoogleEventDateTime | null;
  end?: GoogleEventDateTime | null;
  transparency?: string | null;
  created?: string | null;
  updated?: string | null;
  recurringEventId?: string | null;
  extendedProperties?: { private?: Record<string, string> | null } | null;
  /** Shown to staff in conflicts (it may name a guest). */
  summary?: string | null;
  /** The event's page in Google Calendar. */
  htmlLink?: string | null;
}

interface GoogleEventDateTime {
  date?: string | null;
  dateTime?: string | null;
  timeZone?: string | null;
}

export interface MapContext {
  calendarId: string;
  resource: { id: string; bookedBy: 'night' | 'time' };
  /** The site's IANA zone: all-day dates are local dates there. */
  timezone: string;
}

export type Mapped =
  /** `start`/`end`: the UTC range the booking covers, for the caller's window check. */
  | { kind: 'booking'; booking: SourceBooking; start: number; end: number }
  | { kind: 'removed'; externalId: string }
  | { kind: 'skipped'; externalId: string; reason: string };

/** Property names the hub writes into `extendedProperties.private`. */
export const HUB_RESERVATION = 'avhubReservation';
export const HUB_QUANTITY = 'avhubQuantity';

const OFFSET = /([zZ]|[+-]\d{2}:?\d{2})$/;

/** Epoch ms of a Google `dateTime`, or NaN. */
function instantOf(dt: GoogleEventDateTime, fallbackZone: string): number {
  const s = dt.dateTime ?? '';
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(s)) return Number.NaN;
  if (OFFSET.test(s)) return Date.parse(s);
  const zone = dt.timeZone && isTimeZone(dt.timeZone) ? dt.timeZone : fallbackZone;
  const parsed = DateTime.fromISO(s, { zone });
  return parsed.isValid ? parsed.toMillis() : Number.NaN;
}

const timeOf = (s: string | null | undefined): number | undefined => {
  const ms = typeof s === 'string' ? Date.parse(s) : Number.NaN;
  return Number.isNaN(ms) ? undefined : ms;
};

export function mapEvent(event: GoogleEvent, ctx: MapContext): Mapped {
  const id = typeof event.id === 'string' && event.id !== '' ? event.id : null;
  const externalId = externalIdOf(ctx.calendarId, id ?? '?');
  const skip = (reason: string): Mapped => ({ kind: 'skipped', externalId, reason });
  if (id === null) return skip('event without an id');
  const status = event.status ?? 'confirmed';
  if (status === 'cancelled') return { kind: 'removed', externalId };
  if (status !== 'confirmed' && status !== 'tentative') return skip(`unknown status ${JSON.stringify(status)}`);
  const { start, end } = event;
  if (!start || !end) return skip('event without start or end');

  let span: SourceBooking['span'];
  let range: { start: number; end: number };
  if (typeof start.date === 'string' || typeof end.date === 'string') {
    if (!isLocalDate(start.date) || !isLocalDate(end.date)) return skip('all-day event with a missing or invalid date');
    if (end.date <= start.date) return skip('all-day event that ends before it starts');
    range = { start: localMidnight(start.date, ctx.timezone), end: localMidnight(end.date, ctx.timezone) };
    span = ctx.resource.bookedBy === 'night' ? { by: 'night', nights: nightsOf(start.date, end.date) } : { by: 'time', ...range };
  } else {
    const s = instantOf(start, ctx.timezone);
    const e = instantOf(end, ctx.timezone);
    if (Number.isNaN(s) || Number.isNaN(e)) return skip('event with an unreadable start or end time');
    if (e < s) return skip('event that ends before it starts');
    if (e === s) return skip('zero-length event');
    range = { start: s, end: e };
    if (ctx.resource.bookedBy === 'night') {
      // A stay occupies the nights from its local check-in date to its check-out date; a day-use
      // booking inside one date still takes that night (never sell what may be occupied).
      const first = localDateOf(s, ctx.timezone);
      const nights = nightsOf(first, localDateOf(e, ctx.timezone));
      span = { by: 'night', nights: nights.length > 0 ? nights : [first] };
    } else {
      span = { by: 'time', start: s, end: e };
    }
  }

  const props = event.extendedProperties?.private ?? undefined;
  const hubReference = typeof props?.[HUB_RESERVATION] === 'string' && props[HUB_RESERVATION] !== '' ? props[HUB_RESERVATION] : undefined;
  const quantityText = props?.[HUB_QUANTITY];
  const quantity = typeof quantityText === 'string' && /^[1-9]\d{0,5}$/.test(quantityText) ? Number(quantityText) : 1;
  const createdAt = timeOf(event.created);
  const updatedAt = timeOf(event.updated);
  const booking: SourceBooking = {
    externalId,
    resource: ctx.resource.id,
    span,
    quantity,
    status: status === 'tentative' ? 'tentative' : 'confirmed',
    busy: event.transparency !== 'transparent',
    ...(createdAt !== undefined ? { createdAt } : {}),
    ...(updatedAt !== undefined ? { updatedAt } : {}),
    ...(hubReference !== undefined ? { hubReference } : {}),
    ...(event.summary ? { title: event.summary.trim().slice(0, 200) } : {}),
    ...(event.htmlLink && /^https?:\/\//i.test(event.htmlLink) ? { link: event.htmlLink } : {}),
  };
  return { kind: 'booking', booking, ...range };
}
