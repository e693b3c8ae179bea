import ICAL from 'ical.js';
import { addDays, isLocalDate, isTimeZone, nightsOf } from '../../src/domain/index.js';
import type { SourceBooking } from '../../src/core/adapter/port.js';

/** What the hub writes back to a calendar for one of its reservations. */
export interface BuildEventInput {
  /** The event UID (derived from the reservation so a retried write targets the same event). */
  uid: string;
  summary: string;
  /** Time spans are written as UTC DTSTART/DTEND; nights as all-day VALUE=DATE check-in/check-out. */
  span: SourceBooking['span'];
  /** The site's IANA zone (validated; the values written are UTC or plain dates and need none). */
  timezone: string;
  /** Written as X-AVHUB-RESERVATION: how the hub recognises its own bookings when it reads them back. */
  reservationId: string;
  /** Epoch ms: CREATED and DTSTAMP, so the same reservation always produces the same text. */
  createdAt: number;
}

export const PRODID = '-//Availability Hub//avhub//EN';

const utc = (ms: number) => ICAL.Time.fromJSDate(new Date(ms), true);

/**
 * A complete VCALENDAR (PRODID, VERSION, one VEVENT with DTSTAMP and X-AVHUB-RESERVATION) for a
 * write-back, serialized by ical.js (escaping and line folding per RFC 5545 §3.1).
 * @throws RangeError on an unknown zone, an empty or empty-length span, or nights with a gap.
 */
export function buildEventIcs(input: BuildEventInput): string {
  if (!isTimeZone(input.timezone)) throw new RangeError(`unknown IANA time zone: ${input.timezone}`);
  if (!Number.isFinite(input.createdAt)) throw new RangeError('createdAt must be epoch milliseconds');
  const cal = new ICAL.Component('vcalendar');
  cal.addPropertyWithValue('prodid', PRODID);
  cal.addPropertyWithValue('version', '2.0');
  cal.addPropertyWithValue('calscale', 'GREGORIAN');
  const ev = new ICAL.Component('vevent');
  ev.addPropertyWithValue('uid', input.uid);
  ev.addPropertyWithValue('dtstamp', utc(input.createdAt));
  ev.addPropertyWithValue('created', utc(input.createdAt));
  const span = input.span;
  if (span.by === 'time') {
    if (!(Number.isFinite(span.start) && span.end > span.start)) throw new RangeError('a time span needs start < end');
    ev.addPropertyWithValue('dtstart', utc(span.start));
    ev.addPropertyWithValue('dtend', utc(span.end));
  } else {
    const nights = [...span.nights].sort();
    const checkIn = nights[0];
    if (checkIn === undefined || !nights.every(isLocalDate)) throw new RangeError('a night span needs at least one valid night');
    const checkOut = addDays(nights[nights.length - 1]!, 1);
    if (nightsOf(checkIn, checkOut).join() !== nights.join()) throw new RangeError('nights must be consecutive to form one stay');
    ev.addPropertyWithValue('dtstart', ICAL.Time.fromDateString(checkIn));
    ev.addPropertyWithValue('dtend', ICAL.Time.fromDateString(checkOut));
  }
  ev.addPropertyWithValue('summary', input.summary);
  ev.addPropertyWithValue('status', 'CONFIRMED');
  ev.addPropertyWithValue('transp', 'OPAQUE');
  ev.addPropertyWithValue('x-avhub-reservation', input.reservationId);
  cal.addSubcomponent(ev);
  return `${cal.toString()}\r\n`;
}
