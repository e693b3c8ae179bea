import { createHash } from 'node:crypto';

/**
 * Busy blocks the hub mirrors into opted-in members' calendars (decentralized groups) carry a
 * reference of their own, `m_<hex>`, where reservations carry `r_...`: a poll of the member must
 * not count the hub's own block as a booking of the site.
 */
const MIRROR_PREFIX = 'm_';

export function isMirrorReference(ref: string): boolean {
  return ref.startsWith(MIRROR_PREFIX) && /^m_[0-9a-f]{24}$/.test(ref);
}

/** Deterministic per original booking and target member: a retried write finds the first block. */
export function mirrorReference(sharedId: string, fromSite: string, externalId: string, toSite: string): string {
  return `${MIRROR_PREFIX}${createHash('sha256').update(`${sharedId}|${fromSite}|${externalId}|${toSite}`).digest('hex').slice(0, 24)}`;
}
