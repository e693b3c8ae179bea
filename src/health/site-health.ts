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
}

/** Sites whose freshness the hub watches: polled ones, and ones that push heartbeats. */
export function healthTracked(site: SiteConfig): boolean {
  return site.adapter.kind !== 'none' || site.heartbeatToken !== undefined;
}
