import type { Logger } from 'pino';
import type { AlertSink } from '../core/alerts.js';
import type { Catalog } from '../core/catalog.js';
import type { HubConfig } from '../config/types.js';
import type { PolledSite, PollObserver } from '../core/poll-observer.js';
import type { ConflictStores } from '../store/conflicts/index.js';
import type { AvailabilityStore } from '../store/store.js';
import { clockOf, type ConflictContext } from './context.js';
import { Ledgers } from './ledgers.js';
import { checkLedger } from './lifecycle.js';
import { Mirror } from './mirror.js';
import { recordSeen } from './seen.js';
import { resolveByStaff, type StaffResult } from './staff.js';
import type { ConflictRecord, StaffDecision } from './types.js';

/** What the conflict service needs. Dependencies come in here, so a test can hand in a clock. */
export type ConflictDeps = {
  store: AvailabilityStore;
  catalog: Catalog;
  config: HubConfig;
  alerts: AlertSink;
  logger: Logger;
  /**
   * The service's clock (ms). Default: Redis' time for detection, the process' clock for
   * first-seen and modification times.
   */
  now?: () => number;
  stores: ConflictStores<ConflictRecord>;
}

/**
 * Detects and settles conflicts: capacity exceeded on some ledger and night or interval (a
 * booking made at a site during a sync window, one shared resource sold at two sites). Runs after
 * every poll, after hub cancellations and modifications, and on staff decisions; one ledger at a
 * time (a lock), so concurrent polls of two member sites cannot open the same conflict twice.
 *
 * This is the entry point; the work is done by job: ./detect.ts finds runs over capacity,
 * ./lifecycle.ts keeps the records, ./settle.ts applies the policies, ./staff.ts staff decisions,
 * ./seen.ts the poll bookkeeping, ./mirror.ts mirrored busy blocks.
 */
export class ConflictService implements PollObserver {
  private readonly ctx: ConflictContext;
  private readonly mirror: Mirror;

  constructor(deps: ConflictDeps) {
    const { stores } = deps;
    this.ctx = {
      data: stores.conflicts, mirrors: stores.mirrors, store: deps.store, catalog: deps.catalog, config: deps.config,
      alerts: deps.alerts, logger: deps.logger, ledgers: new Ledgers(deps.catalog, deps.config), clock: clockOf(deps.now),
    };
    this.mirror = new Mirror(this.ctx);
  }

  // ---- triggers -------------------------------------------------------------------------------

  /**
   * After a poll applied: remembers when bookings were first seen (and the bookings of count-only
   * resources), brings mirrored busy blocks up to date, then checks the site's ledgers.
   */
  async afterPoll(poll: PolledSite): Promise<void> {
    await recordSeen(this.ctx, poll);
    await this.mirror.afterPoll(poll.site, poll.adapters);
    await this.checkSite(poll.site.id);
  }

  async checkSite(siteId: string): Promise<void> {
    await this.checkLedgers(this.ctx.ledgers.ofSite(siteId));
  }

  /** After a hub reservation was cancelled, modified or confirmed: its ledgers and its conflicts. */
  async checkReservation(reservationId: string): Promise<void> {
    const ledgers = new Set(await this.ctx.data.reservationLedgers(reservationId));
    for (const rec of await this.ctx.data.openWithReservation(reservationId)) ledgers.add(rec.ledger);
    await this.checkLedgers([...ledgers]);
  }

  /** Every ledger with an open conflict (a periodic sweep catches what no trigger saw). */
  async recheckOpen(): Promise<void> {
    const recs = await this.ctx.data.getMany(await this.ctx.data.openIds());
    await this.checkLedgers([...new Set(recs.map((r) => r.ledger))]);
  }

  async checkLedgers(ledgers: readonly string[]): Promise<void> {
    for (const ledger of ledgers) {
      if (!this.ctx.ledgers.has(ledger)) continue;
      await this.ctx.data.withLock(ledger, () => checkLedger(this.ctx, ledger));
    }
  }

  // ---- reading --------------------------------------------------------------------------------

  /** Newest first. */
  async list(status?: 'open' | 'resolved', limit = 200): Promise<ConflictRecord[]> {
    return this.ctx.data.list(status, limit);
  }

  async get(id: string): Promise<ConflictRecord | null> {
    return this.ctx.data.get(id);
  }

  // ---- staff and the API ----------------------------------------------------------------------

  /** A staff decision on one conflict; see ./staff.ts. */
  async resolve(id: string, decision: StaffDecision): Promise<StaffResult> {
    return resolveByStaff(this.ctx, id, decision);
  }

  /** The API records modification times of hub reservations (for last-write-wins). */
  async reservationModified(reservationId: string): Promise<void> {
    await this.ctx.data.markModified(reservationId, this.ctx.clock.now());
  }
}
