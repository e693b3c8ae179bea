import { createHash } from 'node:crypto';

/**
 * The hub's mark on a reservation it writes: the documented, API-settable `ChannelNumber` of
 * `reservations/add` ("number of the reservation within the channel"), read back by
 * `reservations/getAll/2023-06-06`. It carries the hub's reservation id (the booking's
 * `hubReference`) and a hash of the write's idempotency key (so a retry finds its own write, and a
 * later write for the same reservation, e.g. new dates, does not mistake the old one for itself).
 */

const PREFIX = 'AVHUB:';

export function hubChannelNumber(reservationId: string, idempotencyKey: string): string {
  const key = createHash('sha256').update(idempotencyKey, 'utf8').digest('hex').slice(0, 12);
  return `${PREFIX}${reservationId}#${key}`;
}

/** The hub reservation id in a ChannelNumber the hub wrote; undefined for anyone else's. */
export function hubReferenceOf(channelNumber: string | null | undefined): string | undefined {
  if (!channelNumber?.startsWith(PREFIX)) return undefined;
  const hash = channelNumber.lastIndexOf('#');
  const id = channelNumber.slice(PREFIX.length, hash > PREFIX.length ? hash : undefined);
  return id === '' ? undefined : id;
}
