import type { SourceClaim } from '../../core/claims.js';

/*
 * What the conflict store hands out: typed snapshots, never the scripts' encoded members or
 * one-letter JSON fields (those are decoded in ./decode.ts and nowhere else).
 */

/** A claim's place on its ledger: night dates (booked by night) or an interval in ms (by time). */
export type ClaimSpan = Pick<SourceClaim, 'ledger' | 'by' | 'quantity' | 'nights' | 'start' | 'end'>;

/** One item of a live hold or hub reservation: its claim on one ledger. */
export interface HubItem extends ClaimSpan {
  /** The item's claim in its time ledger: matches `TimeClaim.key` of a hub claim. */
  claimKey?: string;
  site: string;
  resource: string;
  /** The booking's id in the site's system, once written back. */
  externalId?: string;
}

/** A pending or confirmed hub reservation. Times in ms (Redis clock). */
export interface LiveReservation {
  id: string;
  status: string;
  holdId: string;
  items: HubItem[];
  createdAt: number;
  updatedAt: number;
}

/**
 * What the polls recorded of one source booking: when the hub first saw it (first-come falls
 * back to it) and, for resources whose source reports counts, the booking itself (it is no claim).
 */
export interface SeenBooking extends Omit<SourceClaim, 'id'> {
  /** First seen by the hub (ms). */
  firstSeen: number;
  /** The resource's source reports counts: this booking is not a claim and is known only here. */
  counted: boolean;
  resource: string;
  /** The source's title and link for it, when the adapter knows them (SourceBooking). */
  title?: string;
  link?: string;
}

/** A booking a poll brought, to remember (`firstSeen` is kept from the first time it was seen). */
export type SeenInput = Omit<SeenBooking, 'firstSeen'> & { id: string };

/** A night ledger's figures per local date (YYYY-MM-DD). A date absent from a table is 0. */
export interface NightFigures {
  /** Units claimed: hub reservations, live holds and source claims of booking-listing sources. */
  claimed: Record<string, number>;
  /** Units free at a count-only source; a date is absent where the source does not count. */
  sourceFree: Record<string, number>;
  /** Units of live hub reservations the source's count includes. */
  reported: Record<string, number>;
  /** The last inventory detection saw at the count-only source (see `rememberInventory`). */
  inventory: Record<string, number>;
  /** Units written back to a count-only source that no polled count includes yet. */
  unreported: Record<string, number>;
}

/** One claim in a time ledger, over [start, end) in ms. */
export type TimeClaim = { start: number; end: number; quantity: number } & (
  | { origin: 'site'; site: string; externalId: string }
  /** `owner`: the hold or reservation that made the claim; `key` matches `HubItem.claimKey`. */
  | { origin: 'hub'; key: string; owner: string });

export type LedgerAsk = { ledger: string; by: 'night' } | { ledger: string; by: 'time'; from: number; to: number };

type LedgerFigures = { by: 'night'; nights: NightFigures } | { by: 'time'; claims: TimeClaim[] };

/** One consistent read of a ledger, the live holds and the member sites' source bookings. */
export interface LedgerSnapshot {
  /** Redis time of the read (ms). */
  now: number;
  /** Live holds: id -> items. */
  holds: Map<string, HubItem[]>;
  ledger: LedgerFigures;
  /** Per member site: its source claims and what the polls saw, by external id. */
  sites: Map<string, { claims: Map<string, SourceClaim>; seen: Map<string, SeenBooking> }>;
}

/** The fields the store indexes a conflict record by; the record itself is kept as JSON. */
export interface StoredConflict {
  id: string;
  status: 'open' | 'resolved';
  ledger: string;
  /** ISO instants. */
  openedAt: string;
  updatedAt: string;
  /** The bookings taking part; hub reservations among them are indexed (conflictsOfReservation). */
  bookings: ReadonlyArray<{ reservationId?: string | undefined }>;
}

/** A busy block the hub mirrored into a member's calendar. */
export interface MirroredBlock {
  /** The block's hub reference (`m_...`). */
  ref: string;
  /** Idempotency key of the write: the reference plus the span, so a move writes a new block. */
  key: string;
  /** The block's id in the target's system. */
  externalId: string;
}
