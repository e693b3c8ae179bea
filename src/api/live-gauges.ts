import type { Queue } from 'bullmq';
import { Gauge, type Registry } from 'prom-client';
import type { HubConfig, SiteConfig } from '../config/types.js';
import type { PushStore } from '../store/push-store.js';
import type { SyncStore } from '../store/sync-store.js';
import { pushRoutes, readPushStatus } from '../sync/push-status.js';

const HEALTH_VALUE: Record<string, number> = { healthy: 0, degraded: 1, limited: 2 };

/**
 * Gauges read from Redis when Prometheus scrapes, so every API process reports the same truth:
 * data age and health per site, and the depth of each queue by job state.
 */
export function registerLiveGauges(registry: Registry, deps: { sync: SyncStore; sites: SiteConfig[]; queues: Queue[]; push: PushStore; config: HubConfig }): void {
  const tracked = deps.sites.filter((s) => s.adapter.kind !== 'none' || s.heartbeatToken !== undefined);
  const healthOf = async () => Promise.all(tracked.map(async (s) => ({ site: s, h: await deps.sync.healthRecord(s.id) })));
  new Gauge({
    name: 'avhub_site_data_age_seconds', help: 'Age of the newest good data per site (polled or heartbeat sites)',
    labelNames: ['site'], registers: [registry],
    async collect() {
      const now = Date.now();
      for (const { site, h } of await healthOf()) {
        if (h.lastSuccessAt > 0) this.set({ site: site.id }, (now - h.lastSuccessAt) / 1000);
      }
    },
  });
  new Gauge({
    name: 'avhub_site_health', help: 'Site health: 0 healthy, 1 degraded, 2 limited',
    labelNames: ['site'], registers: [registry],
    async collect() {
      for (const { site, h } of await healthOf()) this.set({ site: site.id }, HEALTH_VALUE[h.state] ?? 0);
    },
  });
  new Gauge({
    name: 'avhub_resource_errors', help: 'Resources whose feed or calendar failed in the latest poll (1), by site and resource',
    labelNames: ['site', 'resource'], registers: [registry],
    async collect() {
      this.reset();
      for (const site of tracked) {
        for (const s of await deps.sync.resources.read(site.id)) this.set({ site: site.id, resource: s.resource }, s.failure ? 1 : 0);
      }
    },
  });
  new Gauge({
    name: 'avhub_queue_jobs', help: 'Jobs per BullMQ queue and state',
    labelNames: ['queue', 'state'], registers: [registry],
    async collect() {
      for (const queue of deps.queues) {
        const counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'failed', 'prioritized');
        for (const [state, n] of Object.entries(counts)) this.set({ queue: queue.name, state }, n);
      }
    },
  });
  registerPushGauges(registry, deps);
}

/** Per site that may push: whether it does, when it last did, and its latest measured lag. */
function registerPushGauges(registry: Registry, deps: { sites: SiteConfig[]; push: PushStore; config: HubConfig }): void {
  const pushing = deps.sites.filter((s) => pushRoutes(s, deps.config).length > 0);
  const statuses = () => Promise.all(pushing.map(async (s) => ({ site: s.id, p: await readPushStatus(deps.push, s, deps.config) })));
  new Gauge({
    name: 'avhub_push_active', help: 'Change notifications arrive for the site (1) or it is on polling alone (0), per site that may push',
    labelNames: ['site'], registers: [registry],
    async collect() {
      for (const { site, p } of await statuses()) this.set({ site }, p.active ? 1 : 0);
    },
  });
  new Gauge({
    name: 'avhub_push_last_notification_timestamp_seconds', help: 'When the latest accepted change notification arrived, per site (Unix seconds)',
    labelNames: ['site'], registers: [registry],
    async collect() {
      for (const { site, p } of await statuses()) if (p.lastNotificationAt) this.set({ site }, Date.parse(p.lastNotificationAt) / 1000);
    },
  });
  new Gauge({
    name: 'avhub_push_last_lag_seconds', help: 'From the latest served notification received to the poll covering it applied, per site',
    labelNames: ['site'], registers: [registry],
    async collect() {
      for (const { site, p } of await statuses()) if (p.lastLagMs !== null) this.set({ site }, p.lastLagMs / 1000);
    },
  });
}
