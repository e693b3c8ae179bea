import type { Job, Queue } from 'bullmq';
import { Gauge, type Registry } from 'prom-client';
import type { HubConfig, SiteConfig } from '../config/types.js';
import type { ConflictRecord } from '../conflicts/types.js';
import type { ConflictStore } from '../store/conflicts/index.js';
import type { AvailabilityStore } from '../store/store.js';
import type { PushStore } from '../store/push-store.js';
import type { SyncStore } from '../store/sync-store.js';
import { writebackSites, type WritebackJobData } from '../reservations/writeback-queue.js';
import { pushRoutes, readPushStatus } from '../sync/push-status.js';

/** What the gauges read: all of it in Redis, so every API process answers alike. */
interface LiveGaugeDeps {
  sync: SyncStore;
  sites: SiteConfig[];
  queues: Queue[];
  conflicts: Pick<ConflictStore<ConflictRecord>, 'openIds' | 'getMany'>;
  reservations: Pick<AvailabilityStore, 'getReservation'>;
  writebackQueue: Queue<WritebackJobData>;
  push: PushStore;
  config: HubConfig;
}

/** The failed write-back jobs the queue keeps (`removeOnFail: { count: 1000 }`): all of them. */
const FAILED_KEPT = 1000;

const HEALTH_VALUE: Record<string, number> = { healthy: 0, degraded: 1, limited: 2 };

/**
 * Gauges read from Redis when Prometheus scrapes, so every API process reports the same truth:
 * data age, health and limited state per site, open conflicts per site and group, failed
 * write-backs per site, and the depth of each queue by job state. Names follow Prometheus'
 * conventions: `avhub_` prefix, base units in the name, no `_total` (that is for counters).
 */
export function registerLiveGauges(registry: Registry, deps: LiveGaugeDeps): void {
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
    name: 'avhub_site_limited',
    help: 'Whether a site shows limited availability (1) or not (0); sites the hub keeps itself are never limited',
    labelNames: ['site'], registers: [registry],
    async collect() {
      const limited = new Set((await healthOf()).filter(({ h }) => h.state === 'limited').map(({ site }) => site.id));
      for (const site of deps.sites) this.set({ site: site.id }, limited.has(site.id) ? 1 : 0);
    },
  });
  new Gauge({
    name: 'avhub_conflicts_open',
    help: 'Open conflicts (overbookings waiting for a decision or for the site) by site and group; a conflict of a shared resource counts at each of its sites',
    labelNames: ['site', 'group'], registers: [registry],
    async collect() {
      const counts = new Map<string, { site: string; group: string; n: number }>();
      for (const rec of await deps.conflicts.getMany(await deps.conflicts.openIds())) {
        if (rec.status !== 'open') continue;
        for (const site of new Set(rec.sites)) {
          const key = `${site}\n${rec.group}`;
          const entry = counts.get(key) ?? { site, group: rec.group, n: 0 };
          entry.n += 1;
          counts.set(key, entry);
        }
      }
      // Every configured site and group has a series, 0 without conflicts, so `== 0` and rates work.
      this.reset();
      for (const site of deps.sites) {
        for (const group of new Set(site.resources.map((r) => r.group))) {
          if (!counts.has(`${site.id}\n${group}`)) this.set({ site: site.id, group }, 0);
        }
      }
      for (const { site, group, n } of counts.values()) this.set({ site, group }, n);
    },
  });
  // A failed job's reservation, and so its sites, does not change: each job is read once, not at
  // every scrape (a scrape then costs one range read when nothing new failed).
  const sitesOfJob = new Map<string, string[]>();
  new Gauge({
    name: 'avhub_writebacks_failed',
    help: 'Write-back jobs that ran out of attempts and are kept in the writeback queue (the newest 1000), by site of the reservation; retrying one or its removal lowers it',
    labelNames: ['site'], registers: [registry],
    async collect() {
      const ids = await deps.writebackQueue.getRanges(['failed'], 0, FAILED_KEPT - 1, false);
      await Promise.all(ids.filter((id) => !sitesOfJob.has(id)).map(async (id) => {
        const job = (await deps.writebackQueue.getJob(id)) as Job<WritebackJobData> | undefined;
        const resv = job ? await deps.reservations.getReservation(job.data.reservation) : null;
        // A job that vanished between the two reads is not cached: the next scrape looks again.
        if (job) sitesOfJob.set(id, writebackSites(resv));
      }));
      const current = new Set(ids);
      for (const id of sitesOfJob.keys()) if (!current.has(id)) sitesOfJob.delete(id);
      const counts = new Map<string, number>(deps.sites.filter((s) => s.adapter.kind !== 'none').map((s) => [s.id, 0]));
      for (const id of ids) for (const site of sitesOfJob.get(id) ?? []) counts.set(site, (counts.get(site) ?? 0) + 1);
      this.reset();
      for (const [site, n] of counts) this.set({ site }, n);
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
