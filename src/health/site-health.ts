import type { HealthState } from '../domain/types.js';
import type { SyncStore } from '../store/sync-store.js';
import type { SiteConfig } from '../config/types.js';
import type { Catalog } from '../core/catalog.js';

/**
 * Reads a site's health. A site whose system of record is the hub (`adapter: none`) is always
 * healthy; others carry the state the health machine (src/health) records.
 */
export class SiteHealthReader {
  constructor(private readonly sync: SyncStore, private readonly catalog: Catalog) {}

  async state(siteId: string): Promise<HealthState> {
    const site = this.catalog.site(siteId);
    if (!site || !healthTracked(site)) return 'healthy';
    return (await this.sync.healthRecord(siteId)).state;
  }

  /**
   * When the hub next asks a polled site's source (ms since the epoch): its last poll plus the
   * poll interval (a limited site is probed at that interval, src/sync/poller.ts), or later when
   * the source asked for a pause. A poll already overdue is expected within one interval. Null
   * for sites that are not polled (the hub's own, and sites that push heartbeats).
   */
  async nextProbeAt(siteId: string, now: number): Promise<number | null> {
    const site = this.catalog.site(siteId);
    if (!site || site.adapter.kind === 'none') return null;
    const [health, sync] = await Promise.all([this.sync.healthRecord(siteId), this.sync.state(siteId)]);
    const due = Math.max(sync.notBefore, health.lastPollAt > 0 ? health.lastPollAt + site.pollEvery : 0);
    return due > now ? due : now + site.pollEvery;
  }
}

/** Sites whose freshness the hub watches: polled ones, and ones that push heartbeats. */
export function healthTracked(site: SiteConfig): boolean {
  return site.adapter.kind !== 'none' || site.heartbeatToken !== undefined;
}
