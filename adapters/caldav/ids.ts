import { createHash } from 'node:crypto';

/**
 * Names and ids. An external id is `${calendarPath}${objectName}#${UID}` (or `...#${UID}@${instance}`
 * for a recurrence instance, as the shared normalizer forms it). Paths are canonical (each segment
 * decoded and re-encoded), so `/north/main%2Dhall/` and `/north/main-hall/` give the same ids, and
 * the object's path can be read back from an id to cancel it.
 */

function canonicalSegment(segment: string): string {
  try {
    return encodeURIComponent(decodeURIComponent(segment));
  } catch {
    return encodeURIComponent(segment);
  }
}

/** A URL path with every segment in one encoding; keeps the leading and trailing slash. */
export function canonicalPath(path: string): string {
  return path.split('/').map(canonicalSegment).join('/');
}

/** The canonical path of a calendar collection URL, always ending in `/`. */
export function calendarPathOf(calendarUrl: string): string {
  const path = canonicalPath(new URL(calendarUrl).pathname);
  return path.endsWith('/') ? path : `${path}/`;
}

/** The canonical last segment of an object href (absolute or a path). */
export function objectNameOf(href: string, base: string): string {
  const path = new URL(href, base).pathname;
  const segments = path.split('/').filter((s) => s !== '');
  return canonicalSegment(segments[segments.length - 1] ?? '');
}

/** What every external id of one calendar object starts with. */
export function idPrefixOf(calendarPath: string, objectName: string): string {
  return `${calendarPath}${objectName}#`;
}

/** The object path (`/north/main-hall/x.ics`) an external id came from, or null if it is not ours. */
export function objectPathOfExternalId(externalId: string): string | null {
  const hash = externalId.indexOf('#');
  if (hash <= 0) return null;
  const path = externalId.slice(0, hash);
  return path.startsWith('/') && !path.endsWith('/') ? path : null;
}

const SAFE_KEY = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,150}$/;

/**
 * The resource name a write-back is PUT to: `avhub-${key}.ics`, derived from the idempotency key
 * alone so a retried write hits the same name (DESIGN §6). A key with characters some servers
 * refuse in names (`/`, `:`, spaces) or an overlong one is replaced by its SHA-256, still derived.
 */
export function reservationObjectName(idempotencyKey: string): string {
  const key = SAFE_KEY.test(idempotencyKey)
    ? idempotencyKey
    : `h${createHash('sha256').update(idempotencyKey, 'utf8').digest('hex').slice(0, 40)}`;
  return `avhub-${key}.ics`;
}

/** The UID the hub gives the event it writes for an idempotency key. */
export function reservationUid(objectName: string): string {
  return `${objectName.replace(/\.ics$/, '')}@availability-hub`;
}
