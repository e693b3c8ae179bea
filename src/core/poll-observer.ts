import type { SiteConfig } from '../config/types.js';
import type { ClaimPlan } from './claims.js';
import type { PullResult } from './adapter/port.js';
import type { SiteAdapters } from './adapter/site-adapters.js';

/** What one poll found, as the poller computed it once: observers do not look it up again. */
export interface PolledSite {
  site: SiteConfig;
  result: PullResult;
  /**
   * Every pulled booking as a claim, with the hub's own left out (`removed`). Bookings of
   * resources whose source reports counts are in here too, although the apply leaves them out
   * (their counts stand for them).
   */
  claims: ClaimPlan;
  /** Hub references on the pulled bookings that are the hub's own (reservations, mirrored blocks). */
  hubReferences: ReadonlySet<string>;
  /** The site adapters, for observers that write to sites (mirrored busy blocks). */
  adapters: SiteAdapters;
}

/**
 * What runs after a poll applied and before the site's health is recorded (conflict detection,
 * mirroring). Sync calls it without knowing who listens; runtime wires the conflict service in.
 */
export interface PollObserver {
  afterPoll(poll: PolledSite): Promise<void>;
}
