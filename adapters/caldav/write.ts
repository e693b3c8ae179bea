import { createObject, deleteObject } from 'tsdav';
import type { WriteRequest } from '../../src/core/adapter/port.js';
import { buildEventIcs, normalizeCalendar } from '../icalendar/index.js';
import { idPrefixOf, objectNameOf, calendarPathOf, reservationObjectName, reservationUid } from './ids.js';
import type { Fetch } from './transport.js';

/**
 * Write-back (DESIGN §6): the event is PUT under a name derived from the idempotency key with
 * `If-None-Match: *` (RFC 9110 §13.1.2), so a retried write can never create a second event:
 * 412 means an earlier attempt already created it.
 */

const DAY = 86_400_000;
/** Longer than any event the hub writes (about 600 characters). */
const MAX_OWN_EVENT_CHARS = 64 * 1024;

/** A window that holds the whole span, for reading our own event back through the normalizer. */
function windowOf(span: WriteRequest['span']): { start: number; end: number } {
  if (span.by === 'time') return { start: span.start - DAY, end: span.end + DAY };
  const nights = [...span.nights].sort();
  return { start: Date.parse(`${nights[0]}T00:00:00Z`) - 2 * DAY, end: Date.parse(`${nights[nights.length - 1]}T00:00:00Z`) + 3 * DAY };
}

const unfold = (ics: string) => ics.replace(/\r?\n[ \t]/g, '');

/** Whether an iCalendar text carries our reservation id (X-AVHUB-RESERVATION). */
function isOurs(ics: string, reservationId: string): boolean {
  return unfold(ics).split(/\r?\n/).some((line) => {
    const m = /^X-AVHUB-RESERVATION(?:;[^:]*)?:(.*)$/i.exec(line);
    return m !== null && m[1]!.trim() === reservationId;
  });
}

function summaryOf(req: WriteRequest): string {
  const name = req.customer?.name;
  return typeof name === 'string' && name.trim() !== '' ? `Reserved via Availability Hub: ${name.trim()}` : 'Reserved via Availability Hub';
}

/** The external id a pull reports for this object's event (the normalizer's own id). */
function externalIdOf(ics: string, req: WriteRequest, calendarUrl: string, objectUrl: string, timezone: string, uid: string): string {
  const prefix = idPrefixOf(calendarPathOf(calendarUrl), objectNameOf(objectUrl, calendarUrl));
  try {
    const { bookings } = normalizeCalendar(ics, {
      resource: { id: req.resource.id, bookedBy: req.resource.bookedBy }, timezone, window: windowOf(req.span), idPrefix: prefix,
    });
    if (bookings[0]) return bookings[0].externalId;
  } catch {
    // fall through: the id of a plain event is prefix + UID
  }
  return `${prefix}${uid}`;
}

export async function reserveAt(
  fetch: Fetch, calendarUrl: string, timezone: string, req: WriteRequest,
): Promise<{ externalId: string }> {
  const name = reservationObjectName(req.idempotencyKey);
  const objectUrl = new URL(name, calendarUrl).href;
  const uid = reservationUid(name);
  const ics = buildEventIcs({
    uid, summary: summaryOf(req), span: req.span, timezone, reservationId: req.reservationId, createdAt: Date.now(),
  });
  const put = await createObject({
    url: objectUrl, data: ics, fetch,
    headers: { 'content-type': 'text/calendar; charset=utf-8', 'if-none-match': '*' },
  });
  await put.body?.cancel().catch(() => undefined);
  if (put.status === 201 || put.status === 204 || put.status === 200) {
    return { externalId: externalIdOf(ics, req, calendarUrl, objectUrl, timezone, uid) };
  }
  if (put.status !== 412) {
    throw new Error(`PUT ${new URL(objectUrl).pathname} answered ${put.status} ${put.statusText}`.trim());
  }
  // 412: the name exists, from an earlier attempt of this write. Make sure it is ours.
  const got = await fetch(objectUrl, { method: 'GET' });
  const existing = await got.text();
  if (!got.ok) throw new Error(`PUT ${new URL(objectUrl).pathname} found an existing event but GET answered ${got.status}`);
  // Read on the event loop: an event the hub wrote is a few hundred bytes, not megabytes.
  if (existing.length > MAX_OWN_EVENT_CHARS) {
    throw new Error(`${new URL(objectUrl).pathname} exists at the source but is ${existing.length} characters long: not an event the hub wrote`);
  }
  if (!isOurs(existing, req.reservationId)) {
    throw new Error(`${new URL(objectUrl).pathname} exists at the source but belongs to another reservation than ${req.reservationId}`);
  }
  return { externalId: externalIdOf(existing, req, calendarUrl, objectUrl, timezone, uid) };
}

/** DELETE of the object; 404 and 410 mean an earlier attempt (or staff) removed it already. */
export async function cancelAt(fetch: Fetch, objectUrl: string): Promise<void> {
  const res = await deleteObject({ url: objectUrl, fetch });
  await res.body?.cancel().catch(() => undefined);
  if (res.ok || res.status === 404 || res.status === 410) return;
  throw new Error(`DELETE ${new URL(objectUrl).pathname} answered ${res.status} ${res.statusText}`.trim());
}
