import { createHash } from 'node:crypto';

/**
 * Identifiers the adapter derives. External ids are `<calendarId>/<eventId>` (unique per site even
 * when resources share an event id space); event ids for write-back are client-chosen so a retried
 * insert finds the first one (409 `duplicate`) instead of creating a second booking.
 */

/**
 * The event id for a write-back: `avhub` + hex SHA-256 of the idempotency key (69 characters).
 * Google requires base32hex (lowercase a–v, digits) of 5–1024 characters; hex and `avhub` qualify.
 */
export function eventIdFor(idempotencyKey: string): string {
  return `avhub${createHash('sha256').update(idempotencyKey).digest('hex')}`;
}

export const externalIdOf = (calendarId: string, eventId: string): string => `${calendarId}/${eventId}`;

/** Splits an external id at its last `/` (event ids never contain one). */
export function parseExternalId(externalId: string): { calendarId: string; eventId: string } | null {
  const cut = externalId.lastIndexOf('/');
  if (cut <= 0 || cut === externalId.length - 1) return null;
  return { calendarId: externalId.slice(0, cut), eventId: externalId.slice(cut + 1) };
}
