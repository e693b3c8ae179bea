import type { Logger } from 'pino';
import type { SiteConfig } from '../config/types.js';
import type { SyncStore } from '../store/sync-store.js';
import type { SiteAdapters } from '../core/adapter/site-adapters.js';
import { commonAdapterKeys, splitAdapterConfig } from '../config/adapter-config.js';
import {
  DEFAULT_LIMITS, type AdapterDefinition, type AdapterLimits, type SourceAdapter, type SourceSite,
} from '../core/adapter/port.js';
import { adapterDefinition } from './registry.js';

/**
 * One adapter instance per site, shared by polls and write-backs of a process, and the quota
 * throttle for its credential (a token bucket in Redis shared by every process).
 */
export class AdapterPool implements SiteAdapters {
  private readonly adapters = new Map<string, SourceAdapter>();

  constructor(private readonly sync: SyncStore, private readonly logger: Logger) {}

  definition(site: SiteConfig): AdapterDefinition {
    return adapterDefinition(site.adapter.kind);
  }

  get(site: SiteConfig): SourceAdapter {
    let adapter = this.adapters.get(site.id);
    if (!adapter) {
      const def = this.definition(site);
      const log = this.logger.child({ site: site.id, adapter: def.kind });
      adapter = def.create({
        siteId: site.id, timezone: site.timezone, settings: def.settings.parse(splitAdapterConfig(site.adapter).settings),
        limits: this.limits(site),
        log: { warn: (o, m) => log.warn(o, m), info: (o, m) => log.info(o, m) },
      });
      this.adapters.set(site.id, adapter);
    }
    return adapter;
  }

  /** The site's `adapter.limits` over its kind's defaults over the hub's. */
  limits(site: SiteConfig): AdapterLimits {
    const split = splitAdapterConfig(site.adapter);
    const own = commonAdapterKeys.parse({ limits: split.limits }).limits ?? {};
    const base = { ...DEFAULT_LIMITS, ...this.definition(site).limits };
    return {
      maxBytes: own.maxBytes ?? base.maxBytes,
      timeoutMs: own.timeout ?? base.timeoutMs,
      maxItems: own.maxItems ?? base.maxItems,
      parseTimeoutMs: own.parseTimeout ?? base.parseTimeoutMs,
    };
  }

  /** Waits for a token of the site's credential before each request to its source. */
  throttle(site: SiteConfig): () => Promise<void> {
    const def = this.definition(site);
    const split = splitAdapterConfig(site.adapter);
    const credential = `${def.kind}:${def.credentialId(def.settings.parse(split.settings), site.id)}`;
    const quota = split.quota ?? def.quota;
    return async () => {
      for (;;) {
        const wait = await this.sync.takeQuota(credential, quota.perSecond, quota.burst);
        if (wait === 0) return;
        await new Promise((r) => setTimeout(r, wait));
      }
    };
  }

  sourceSite(site: SiteConfig): SourceSite {
    return {
      id: site.id, timezone: site.timezone,
      resources: site.resources.map((r) => ({ id: r.id, kind: r.kind, bookedBy: r.bookedBy, capacity: r.capacity, mapping: r.source })),
    };
  }

  async close(): Promise<void> {
    await Promise.all([...this.adapters.values()].map((a) => a.close().catch(() => undefined)));
    this.adapters.clear();
  }
}
