import type { ConflictPolicy, Workflow } from '../domain/types.js';

/** Where a booking was made: through the hub (its own reservations) or at the site's own system. */
export type Origin = 'hub' | 'site';

/**
 * One booking involved in a conflict. `ref` is how staff name it in POST /v1/conflicts/{id}/resolve:
 * - `hub:<reservationId>` a hub reservation;
 * - `site:<siteId>:<externalId>` a booking the site's system holds;
 * - `site:<siteId>:unlisted` units a count-only source (a PMS that reports only free counts) sold
 *   that the hub cannot name one by one.
 */
export interface ConflictBooking {
  ref: string;
  origin: Origin;
  site: string;
  resource: string;
  quantity: number;
  /** Nights it takes inside the conflict (resources booked by night). */
  nights?: string[];
  /** Its interval (resources booked by time), ISO instants. */
  start?: string;
  end?: string;
  reservationId?: string;
  externalId?: string;
  /** Hub reservations: pending | confirmed (| cancelled, failed once gone). */
  status?: string;
  /** Site bookings: the source's title (an event's summary) and a link to it, when the adapter knows them. */
  title?: string;
  link?: string;
  /** The source's creation time, or for hub reservations when the hub made it. */
  createdAt: string | null;
  /** Last modification (the source's, or for hub reservations the last change through the API). */
  updatedAt: string | null;
  /** When the hub first saw it in a poll (site bookings). */
  firstSeenAt: string | null;
}

export interface AuditEntry {
  at: string;
  actor: 'hub' | 'staff';
  action: string;
  detail: string;
}

export interface ConflictOutcome {
  /** `policy`: the group's rule decided; `staff`: a person did; `none`: waits for staff (manual). */
  decidedBy: 'policy' | 'staff' | 'none';
  summary: string;
  /** Bookings that stand. */
  stands: string[];
  /** Bookings that give way, and what happened or must happen to each. */
  losers: Array<{ ref: string; action: 'cancelled' | 'cancel-at-site' | 'kept-failed' }>;
  /** Staff accepted the overbooking as it is. */
  accepted?: boolean;
}

export interface ConflictRecord {
  id: string;
  status: 'open' | 'resolved';
  /** Capacity ledger: `r:<site>/<resource>`, or `s:<sharedId>` for a shared resource. */
  ledger: string;
  shared?: string;
  bookedBy: 'night' | 'time';
  group: string;
  workflow: Workflow;
  policy: ConflictPolicy;
  /** What the bookings were measured against (for a PMS, its count caps the configured capacity). */
  capacity: number;
  /** Nights (local dates) or the interval where capacity is exceeded. */
  when: { nights: string[] } | { start: string; end: string };
  /** Units booked beyond capacity at the worst night or instant. */
  excess: number;
  sites: string[];
  resources: Array<{ site: string; resource: string }>;
  bookings: ConflictBooking[];
  outcome: ConflictOutcome | null;
  /** How a resolved conflict ended: the excess went away, staff accepted it, or its time passed. */
  resolution?: 'cleared' | 'accepted' | 'past' | 'merged';
  openedAt: string;
  updatedAt: string;
  resolvedAt?: string;
  audit: AuditEntry[];
  /** Bookings the last automatic or staff decision covered; a new booking joining re-decides. */
  decidedFor?: string[];
  /** Bookings staff accepted together; the same overbooking seen again stays resolved. */
  acceptedRefs?: string[];
  /** Staff asked for these site bookings to be cancelled at their sites. */
  atSite?: string[];
}

/** A staff decision on one conflict (POST /v1/conflicts/{id}/resolve). */
export type StaffDecision =
  | { action: 'keep'; keep: string }
  | { action: 'cancel'; cancel: string[] }
  | { action: 'accept'; note?: string };
