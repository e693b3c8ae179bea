/**
 * Key names of one hub. Every key carries the hub's hash tag `{hubId}` so a script's keys share
 * one Redis Cluster slot; the Lua scripts build the same names from `prefix`.
 */
export class HubKeys {
  readonly prefix: string;

  constructor(keyPrefix: string, hubId: string) {
    this.prefix = `${keyPrefix}:{${hubId}}:`;
  }

  holdsByExpiry(): string { return `${this.prefix}holds:exp`; }
  hold(id: string): string { return `${this.prefix}hold:${id}`; }
  idempotency(scope: string, key: string): string { return `${this.prefix}idem:${scope}:${key}`; }
  clientHolds(client: string): string { return `${this.prefix}client:${client}`; }
  reservation(id: string): string { return `${this.prefix}resv:${id}`; }
  /** zset: reservation id -> created at (ms), written by hold-confirm.lua; the admin's list reads it newest first. */
  reservationsByCreation(): string { return `${this.prefix}resvs:created`; }
  /** Set once `reservationsByCreation` covers reservations made before it existed (AvailabilityStore.indexReservationsOnce). */
  reservationIndexBuilt(): string { return `${this.prefix}resvs:created:v1`; }
  outbox(): string { return `${this.prefix}outbox`; }
  health(site: string): string { return `${this.prefix}health:${site}`; }
  nights(ledger: string): string { return `${this.prefix}n:${ledger}`; }
  times(ledger: string): string { return `${this.prefix}t:${ledger}`; }
  workers(): string { return `${this.prefix}workers`; }
  sourceBookings(site: string): string { return `${this.prefix}src:${site}`; }
  syncState(site: string): string { return `${this.prefix}sync:${site}`; }
  healthLog(site: string): string { return `${this.prefix}health-log:${site}`; }
  quota(credential: string): string { return `${this.prefix}quota:${credential}`; }
  velocity(site: string): string { return `${this.prefix}velocity:${site}`; }
  pollStats(site: string): string { return `${this.prefix}poll-stats:${site}`; }
  /** External ids of the site's count-only bookings already counted for velocity (hash, 30 days). */
  velocitySeen(site: string): string { return `${this.prefix}seen:${site}`; }
  /** hash: resource id -> its latest poll outcome (failure, skipped entries), src/store/resource-status.ts. */
  resourceStatus(site: string): string { return `${this.prefix}resources:${site}`; }
  /** Rate-limit window of one widget key scope and client address (src/store/rate-limits.ts). */
  rateLimit(scope: string, client: string): string { return `${this.prefix}rl:${scope}:${client}`; }
  // Keys only the Lua scripts touch (built in src/store/lua/includes/common.lua from `prefix`);
  // named here so every key of a hub has one documented name:
  /** Per-night source counts of a count-only ledger (hash date → count). */
  sourceNights(ledger: string): string { return `${this.prefix}sn:${ledger}`; }
  /** Per-night hub reservations the count-only source has already reported (hash date → quantity). */
  reportedNights(ledger: string): string { return `${this.prefix}rep:${ledger}`; }
  /** Hub reservation items a count-only source has not reported yet (zset, by write-back time). */
  unreported(ledger: string): string { return `${this.prefix}unrep:${ledger}`; }
  /** Live holds with an item on the ledger (zset holdId → expiresAt): conflict detection's index. */
  ledgerHolds(ledger: string): string { return `${this.prefix}lh:${ledger}`; }
  /** Live (pending or confirmed) reservations with an item on the ledger (set of ids). */
  ledgerReservations(ledger: string): string { return `${this.prefix}lr:${ledger}`; }
  /**
   * Version per ledger (hash ledger → n, bumped by every change to its claims; field '~e' the epoch):
   * availability-read skips a ledger still at the version the API holds. Only Lua touches it.
   */
  ledgerVersions(): string { return `${this.prefix}ver`; }
  /** Set once the per-ledger indexes cover data written before they existed (ConflictStore.indexOnce). */
  ledgerIndexBuilt(): string { return `${this.prefix}lidx:v1`; }
  /** Longest interval per time ledger (hash ledger → ms), which bounds an overlap scan. */
  timeLengths(): string { return `${this.prefix}tlen`; }
  // --- Alerts (src/store/alert-store.ts). Added by the alerts move; keep this block together. ---
  /** One alert incident (hash, see lua/alert-incident.lua); `incident` is the event's key. */
  alertIncident(incident: string): string { return `${this.prefix}alert:${incident}`; }
  // --- end of alerts ---

  /** hash {etag, at}: when a feed's content last changed (src/store/feed-store.ts); `feed` names the feed, never its token. */
  feedStamp(feed: string): string { return `${this.prefix}feed:${feed}`; }

  // ---- conflicts, mirrors and leases (src/store/conflicts, src/store/lease.ts) ----------------
  /** hash: status, ledger, data (the conflict record as JSON). */
  conflict(id: string): string { return `${this.prefix}conflict:${id}`; }
  /** zset: open conflict id -> opened at (ms). */
  conflictsOpen(): string { return `${this.prefix}conflicts:open`; }
  /** zset: conflict id -> last change (ms), open and resolved. */
  conflictsAll(): string { return `${this.prefix}conflicts:all`; }
  /** set: ids still overbooked on the ledger (open, or accepted by staff). */
  conflictsOfLedger(ledger: string): string { return `${this.prefix}conflicts:ledger:${ledger}`; }
  /** set: ids of conflicts the reservation took part in while they were open or accepted (may be stale). */
  conflictsOfReservation(reservationId: string): string { return `${this.prefix}conflicts:resv:${reservationId}`; }
  /** hash: externalId -> what the polls saw of a source booking (first seen, times, count-only bookings). */
  seenBookings(site: string): string { return `${this.prefix}cf:meta:${site}`; }
  /** hash: local date -> last inventory seen at a count-only source (conflict-read.lua builds it too). */
  sourceInventory(ledger: string): string { return `${this.prefix}cf:inv:${ledger}`; }
  /** hash: reservationId -> last modification through the API (ms), for last-write-wins. */
  reservationModified(): string { return `${this.prefix}cf:mod`; }
  /** string lease: one detection or resolution per ledger at a time. */
  conflictLock(ledger: string): string { return `${this.prefix}cf:lock:${ledger}`; }
  /** hash: "<fromSite>|<externalId>" -> mirrored busy block {ref, key, x} in `target`'s calendar. */
  mirrorBlocks(shared: string, target: string): string { return `${this.prefix}cf:mirror:${shared}:${target}`; }
  /** string lease: one poll of the site at a time. */
  pollLease(site: string): string { return `${this.syncState(site)}:polling`; }
  /** SCAN pattern of every reservation hash (glob characters in the prefix escaped); only the one-time index build uses it. */
  reservationPattern(): string { return `${globEscape(this.reservation(''))}*`; }
  // ---- end of conflicts, mirrors and leases ----------------------------------------------------

  // ---- push notifications (src/store/push-store.ts) -------------------------------------------
  /** hash: the site's push state (last notification, first unserved one, last measured lag). */
  pushState(site: string): string { return `${this.prefix}push:${site}`; }
  /** string: one notification's signature or id, remembered for the replay window. */
  pushNonce(site: string, nonce: string): string { return `${this.prefix}push-seen:${site}:${nonce}`; }
  /** hash: channel or subscription id -> JSON of a live subscription at the site's source. */
  pushChannels(site: string): string { return `${this.prefix}push-ch:${site}`; }
  /** set: ids of sites with subscriptions, so those of sites removed from the config can be stopped. */
  pushSites(): string { return `${this.prefix}push-sites`; }
  // ---- end of push notifications ---------------------------------------------------------------

  /** BullMQ's prefix: the queues get a hash tag of their own, apart from the booking state. */
  queuePrefix(): string { return `${this.prefix.replace(/\{([^}]*)\}:$/, '{$1-q}:')}bull`; }
}

function globEscape(s: string): string {
  return s.replace(/[*?[\]\\]/g, (c) => `\\${c}`);
}
