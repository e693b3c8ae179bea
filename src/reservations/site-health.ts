import type { Redis } from 'ioredis';
import type { HealthState } from '../domain/types.js';
import type { HubKeys } from '../store/keys.js';
import type { Catalog } from './catalog.js';

/**
 * Reads a site's health. A site whose system of record is the hub (`adapter: none`) is always
 * healthy; others carry the state the health machine (src/health) records.
 */
export class SiteHealthReader {
  constructor(private readonly redis: Redis, private readonly keys: HubKeys, private readonly catalog: Catalog) {}

  async state(siteId: string): Promise<HealthState> {
    const site = this.catalog.site(siteId);
    if (!site || site.adapter.kind === 'none') return 'healthy';
    return fromRecord(await this.redis.hgetall(this.keys.health(siteId)));
  }
}

export function fromRecord(h: Record<string, string>): HealthState {
  return h.state === 'degraded' || h.state === 'limited' ? h.state : 'healthy';
}
