import type { Logger } from 'pino';
import type { HubMetrics } from '../core/metrics.js';
import type { HubConfig, SiteConfig } from '../config/types.js';
import type { Catalog } from '../core/catalog.js';
import type { SyncState, SyncStore } from '../store/sync-store.js';
import type { PushStore } from '../store/push-store.js';
import {
  AdapterAuthError, AdapterError, AdapterRateLimitedError, AdapterUnavailableError, CursorRejectedError,
} from '../core/adapter/errors.js';
import type { AlertSink } from '../core/alerts.js';
import { healthThresholds } from '../core/health-thresholds.js';
import type { AdapterPool } from './adapter-pool.js';
import type { AdapterDefinition, PullResult } from '../core/adapter/port.js';
import { adapterDefinition } from './registry.js';
import { toClaims, type ClaimPlan } from '../core/claims.js';
import type { PollObserver } from '../core/poll-observer.js';
import { isMirrorReference } from '../core/mirror-ids.js';
import { withTimeLimit } from './time-limit.js';

export type PollOutcome =
  | { kind: 'ok'; mode: 'full' | 'delta'; added: number; removed: number; skipped: number }
  | { kind: 'stale' | 'not-due' | 'not-polled' | 'busy' }
  | { kind: 'failed'; code: string; message: string; retryable: boolean };

const MAX_BACKOFF_MS = 5 * 60_000;
/** Short and renewed while the poll runs: a worker killed mid-poll blocks its site briefly. */
const LEASE_MS = 10_000;

/** A pull turned into claims, once, for the apply and the poll's observers alike. */
interface Planned {
  claims: ClaimPlan;
  hubReferences: Set<string>;
  /** Resources whose source reports counts: their bookings are inside the counts, not claims. */
  counted: Set<string>;
  resourceOf: Map<string, string>;
}

/**
 * One poll of one site: cursor in, changes out, applied atomically; the outcome moves the site's
 * health. Failures are values, so the caller (a BullMQ job) decides what to rethrow.
 */
export class Poller {
  /** Polls of failing sites running in this process (see `poll`). */
  private failingRunning = 0;

  constructor(private readonly deps: {
    config: HubConfig; catalog: Catalog; sync: SyncStore;
    logger: Logger; metrics: HubMetrics; adapters: AdapterPool; alerts: AlertSink; conflicts: PollObserver;
    /** Where notifications wait for the poll that serves them (absent: lag is not measured). */
    push?: PushStore;
  }) {}

  async poll(siteId: string, opts: { full?: boolean; ignoreBackoff?: boolean } = {}): Promise<PollOutcome> {
    const site = this.deps.catalog.site(siteId);
    if (!site || site.adapter.kind === 'none') return { kind: 'not-polled' };
    const def = adapterDefinition(site.adapter.kind);
    const log = this.deps.logger.child({ site: siteId, adapter: def.kind });
    const state = await this.deps.sync.state(siteId);
    const now = Date.now();
    if (!opts.ignoreBackoff && state.notBefore > now) {
      this.deps.metrics.polls.inc({ site: siteId, outcome: 'not-due' });
      return { kind: 'not-due' };
    }
    // Fair slots (issue 14): a failing source may hang until its time limit, so failing sites
    // share at most half of this process's poll slots; a healthy site always finds one free. A
    // failing site over the budget is skipped like a busy one (the next tick tries again); a
    // poll staff asked for (`poll-now`) is not held back.
    const failing = opts.ignoreBackoff !== true && (await this.deps.sync.consecutiveFailures(siteId)) > 0;
    if (failing && this.failingRunning >= this.failingBudget()) {
      this.deps.metrics.polls.inc({ site: siteId, outcome: 'deferred' });
      return { kind: 'busy' };
    }
    if (failing) this.failingRunning += 1;
    try {
      return await this.pollLeased(siteId, site, def, log, state, now, opts);
    } finally {
      if (failing) this.failingRunning -= 1;
    }
  }

  /** Poll slots of this process that failing sites may hold at once. */
  private failingBudget(): number {
    return Math.max(1, Math.floor(this.deps.config.worker.pollConcurrency / 2));
  }

  private async pollLeased(
    siteId: string, site: SiteConfig, def: AdapterDefinition, log: Logger, state: SyncState, now: number, opts: { full?: boolean },
  ): Promise<PollOutcome> {
    const full = opts.full === true || state.cursor === null
      || now - state.lastFullAt >= this.deps.config.defaults.fullResyncEvery;
    // One poll per site at a time: a lease that lapses by itself if this process dies. A poll
    // that finds it taken is skipped; the next tick comes soon enough.
    const lease = await this.deps.sync.pollLease(siteId, LEASE_MS);
    if (!lease) {
      this.deps.metrics.polls.inc({ site: siteId, outcome: 'busy' });
      return { kind: 'busy' };
    }
    const timer = this.deps.metrics.pollSeconds.startTimer({ site: siteId, adapter: def.kind });
    try {
      const pollStartedAt = await this.deps.sync.now();
      let result: PullResult;
      let fullPull = full;
      try {
        result = await this.pull(site, def, full ? null : state.cursor);
      } catch (err) {
        if (!(err instanceof CursorRejectedError)) throw err;
        log.info({ reason: err.message }, 'cursor rejected by the source: full resync of the window');
        fullPull = true;
        result = await this.pull(site, def, null);
      }
      for (const s of result.skipped) log.warn({ externalId: s.externalId, resource: s.resource, reason: s.reason }, 'skipped a source event');
      for (const f of result.resourceErrors ?? []) {
        log.warn({ resource: f.resource, origin: f.origin, code: f.code }, `resource not read, its last data kept: ${f.message}`);
      }
      const planned = await this.plan(site, result);
      const applied = await this.apply(site, result, planned, state.generation, fullPull, pollStartedAt);
      timer({ mode: result.mode });
      if (applied.kind === 'stale') {
        this.deps.metrics.polls.inc({ site: siteId, outcome: 'stale' });
        return { kind: 'stale' };
      }
      await this.servedNotifications(siteId, pollStartedAt, log);
      // Before health is recorded: a site coming back is reconciled while its write-backs still wait.
      await this.deps.conflicts.afterPoll({
        site, result, claims: planned.claims, hubReferences: planned.hubReferences, adapters: this.deps.adapters,
      }).catch((err: unknown) =>
        log.warn({ err: (err as Error).message }, 'conflict detection failed; the next poll tries again'));
      const health = await this.deps.sync.recordHealth(siteId, { kind: 'success' }, this.thresholds());
      if (health.previous !== 'healthy' && health.state === 'healthy') await this.recovered(site);
      if (state.notBefore > 0) await this.deps.sync.setNotBefore(siteId, 0);
      this.deps.metrics.polls.inc({ site: siteId, outcome: 'ok' });
      await this.deps.sync.countPoll(siteId, true);
      this.deps.metrics.skippedEvents.inc({ site: siteId }, applied.skipped);
      for (const s of result.skipped) this.deps.metrics.skippedEntries.inc({ site: siteId, resource: s.resource ?? '' });
      await this.deps.sync.resources.record(siteId, {
        resources: site.resources.map((r) => r.id), failures: result.resourceErrors ?? [], skipped: result.skipped,
        full: result.mode === 'full', now: Date.now(),
      });
      return { kind: 'ok', mode: result.mode, added: applied.added, removed: applied.removed, skipped: applied.skipped };
    } catch (err) {
      timer({ mode: full ? 'full' : 'delta' });
      return await this.failed(site, err, log);
    } finally {
      // Only our own lease is released (it may have lapsed and been taken by another poll).
      await lease.release();
    }
  }

  /** A poll that started after a pending notification serves it: its lag is measured here. */
  private async servedNotifications(siteId: string, pollStartedAt: number, log: Logger): Promise<void> {
    if (!this.deps.push) return;
    const lag = await this.deps.push.served(siteId, pollStartedAt, await this.deps.sync.now()).catch((err: unknown) => {
      log.warn({ err: (err as Error).message }, 'could not record the notification lag');
      return null;
    });
    if (lag !== null) this.deps.metrics.pushLagSeconds.observe({ site: siteId }, lag / 1000);
  }

  private pollTimeout(site: SiteConfig): number {
    return Math.max(30_000, site.pollEvery * 4);
  }

  private pull(site: SiteConfig, def: AdapterDefinition, cursor: string | null): Promise<PullResult> {
    const { past, future } = this.deps.config.defaults.syncWindow;
    const now = Date.now();
    return withTimeLimit(this.pollTimeout(site), `the poll of site ${site.id}`, (signal) => this.deps.adapters.get(site).pull({
      site: this.deps.adapters.sourceSite(site), window: { start: now - past, end: now + future }, cursor,
      signal, throttle: this.deps.adapters.throttle(site),
      // A resource whose feed or calendar fails keeps its last good data (apply keeps its ledger).
      partialResults: true,
    }));
  }

  /** The pulled bookings as claims, with the hub's own (its write-backs, mirrored blocks) left out. */
  private async plan(site: SiteConfig, result: PullResult): Promise<Planned> {
    const refs = [...new Set(result.bookings.map((b) => b.hubReference).filter((r): r is string => !!r))];
    // The hub's own busy blocks mirrored into this calendar are not the site's bookings.
    const hubReferences = await this.deps.sync.existingReservations(refs.filter((r) => !isMirrorReference(r)));
    for (const r of refs) if (isMirrorReference(r)) hubReferences.add(r);
    return {
      claims: toClaims(site.id, result.bookings, this.deps.catalog, hubReferences), hubReferences,
      counted: new Set(result.counts.map((c) => c.resource)),
      resourceOf: new Map(result.bookings.map((b) => [b.externalId, b.resource] as const)),
    };
  }

  private async apply(site: SiteConfig, result: PullResult, planned: Planned, generation: number, fullPull: boolean, pollStartedAt: number) {
    // Where the source reports counts, its bookings are already inside them.
    const { counted, resourceOf } = planned;
    const listed = (externalId: string) => !counted.has(resourceOf.get(externalId) ?? '');
    const plan = {
      upserts: planned.claims.upserts.filter((u) => listed(u.id)),
      removed: planned.claims.removed.filter(listed),
      skipped: planned.claims.skipped.filter((s) => listed(s.externalId)),
    };
    const counts = result.counts.flatMap((c) => {
      const entry = this.deps.catalog.entry(site.id, c.resource);
      return entry ? [{ ledger: entry.ledger, date: c.date, count: c.closed ? 0 : Math.max(0, Math.floor(c.available)) }] : [];
    });
    for (const s of plan.skipped) {
      this.deps.logger.warn({ site: site.id, externalId: s.externalId, reason: s.reason }, 'skipped a source event');
    }
    const applied = await this.deps.sync.apply({
      site: site.id, mode: result.mode, expectedGeneration: generation, cursor: result.cursor,
      upserts: plan.upserts, removed: [...result.removed, ...plan.removed], fullPull, counts, pollStartedAt,
      keepLedgers: (result.resourceErrors ?? []).flatMap((f) => this.deps.catalog.entry(site.id, f.resource)?.ledger ?? []),
      seen: result.bookings.filter((b) => counted.has(b.resource) && b.status !== 'cancelled' && !b.hubReference)
        .map((b) => ({ id: b.externalId, ...(b.createdAt ? { createdAt: b.createdAt } : {}) })),
    });
    return applied.kind === 'ok'
      ? { ...applied, skipped: plan.skipped.length + result.skipped.length }
      : applied;
  }

  private async failed(site: SiteConfig, err: unknown, log: Logger): Promise<PollOutcome> {
    const known = err instanceof AdapterError;
    const code = known ? err.code : 'ADAPTER.ERROR';
    const message = err instanceof Error ? err.message : String(err);
    if (err instanceof AdapterRateLimitedError) {
      // The source asked for a pause: honour it without calling the site unhealthy.
      await this.deps.sync.setNotBefore(site.id, Date.now() + err.retryAfterMs);
      log.warn({ retryAfterMs: err.retryAfterMs }, 'rate limited by the source');
      this.deps.metrics.polls.inc({ site: site.id, outcome: 'rate-limited' });
      return { kind: 'failed', code, message, retryable: true };
    }
    const health = await this.deps.sync.recordHealth(site.id, { kind: 'failure', code, message }, this.thresholds());
    await this.deps.sync.countPoll(site.id, false);
    if (health.state === 'limited') {
      await this.deps.alerts.emit({
        event: 'site.limited', site: site.id, incident: `site:${site.id}:health`,
        summary: `${site.name} is not answering: limited availability (${message})`, details: { code },
      });
    }
    if (err instanceof AdapterAuthError) {
      await this.deps.alerts.emit({
        event: 'credential.invalid', site: site.id, incident: `site:${site.id}:credential`,
        summary: `${site.name}: the ${site.adapter.kind} credential was refused and needs attention`, details: { code },
      });
      log.error({ code }, `the source refused the credential: ${message}`);
      this.deps.metrics.polls.inc({ site: site.id, outcome: 'auth' });
      return { kind: 'failed', code, message, retryable: false };
    }
    // Back off with full jitter so a dark site is not hammered, capped to a few minutes. Not once
    // the site is limited: then its source is probed at the poll interval, so a source that comes
    // back is healthy again within `recoverAfter` polls instead of minutes later (issue 14).
    // Quota answers (above) still wait as long as the source asked.
    const failures = (await this.deps.sync.consecutiveFailures(site.id)) || 1;
    const ceiling = Math.min(MAX_BACKOFF_MS, site.pollEvery * 2 ** Math.min(failures - 1, 10));
    const delay = failures > 1 && health.state !== 'limited' ? Math.floor(Math.random() * ceiling) : 0;
    if (delay > site.pollEvery) await this.deps.sync.setNotBefore(site.id, Date.now() + delay);
    if (err instanceof AdapterUnavailableError) log.warn({ code, state: health.state }, `poll failed: ${message}`);
    else log.error({ err, state: health.state }, 'poll failed unexpectedly');
    this.deps.metrics.polls.inc({ site: site.id, outcome: known ? 'unavailable' : 'error' });
    return { kind: 'failed', code, message, retryable: true };
  }

  private async recovered(site: SiteConfig): Promise<void> {
    for (const incident of [`site:${site.id}:health`, `site:${site.id}:credential`]) {
      await this.deps.alerts.emit({
        event: 'site.recovered', site: site.id, incident, closes: true,
        summary: `${site.name} answers again: availability is current`,
      });
    }
  }

  private thresholds() {
    return healthThresholds(this.deps.config);
  }
}
