import type { Logger } from 'pino';
import type { AlertSink } from '../core/alerts.js';
import type { HubConfig } from '../config/types.js';
import type { WorkerRegistry } from '../store/workers.js';
import type { SyncStore } from '../store/sync-store.js';
import { healthTracked } from './site-health.js';
import { healthThresholds } from '../core/health-thresholds.js';
import { liveWorkers } from './worker-heartbeat.js';

/**
 * Notices what failing polls cannot show: a site whose polls stopped running at all (no worker,
 * a stuck job) goes limited once its newest good data is older than `staleFor` (default 3× its
 * poll interval), and a hub with no live worker is reported. Runs in the scheduler role; several
 * schedulers may run it, since health changes and alert incidents are idempotent.
 */
export function startWatchdog(deps: {
  config: HubConfig; workers: WorkerRegistry; sync: SyncStore; alerts: AlertSink; logger: Logger; everyMs?: number;
}): { stop(): Promise<void>; tick(): Promise<void> } {
  const startedAt = Date.now();
  const polled = deps.config.sites.filter(healthTracked);
  const thresholds = healthThresholds(deps.config);
  let workersMissing = false;

  const tick = async () => {
    const now = await deps.sync.now();
    for (const site of polled) {
      const staleFor = deps.config.defaults.limitedAfter.staleFor ?? 3 * site.pollEvery;
      const { lastSuccessAt: last, state } = await deps.sync.healthRecord(site.id);
      // A site never polled yet is measured from when this watchdog started.
      const newest = Math.max(last, startedAt);
      if (now - newest <= staleFor || state === 'limited') continue;
      const seconds = Math.round((now - newest) / 1000);
      const message = `no good data for ${seconds}s (limit ${Math.round(staleFor / 1000)}s)`;
      await deps.sync.recordHealth(site.id, { kind: 'stale', message }, thresholds);
      deps.logger.warn({ site: site.id, seconds }, 'site data is stale: limited availability');
      await deps.alerts.emit({ event: 'site.stale', site: site.id, incident: `site:${site.id}:health`,
        summary: `${site.name}: ${message}; showing limited availability`, details: { ageSeconds: seconds } });
    }
    const workers = await liveWorkers(deps.workers);
    if (workers === 0 && polled.some((s) => s.adapter.kind !== 'none') && !workersMissing) {
      workersMissing = true;
      deps.logger.error('no worker is running: polls and write-backs have stopped');
      await deps.alerts.emit({ event: 'workers.missing', incident: 'workers', summary: 'No avhub worker is running: polls and write-backs have stopped' });
    } else if (workers > 0 && workersMissing) {
      workersMissing = false;
      await deps.alerts.emit({ event: 'workers.missing', incident: 'workers', closes: true, summary: `Workers are back (${workers} running)` });
    }
  };

  let running = true;
  let timer: NodeJS.Timeout | undefined;
  const loop = async () => {
    if (!running) return;
    await tick().catch((err) => deps.logger.warn({ err: (err as Error).message }, 'watchdog tick failed'));
    if (running) timer = setTimeout(() => { void loop(); }, deps.everyMs ?? 2_000);
  };
  timer = setTimeout(() => { void loop(); }, deps.everyMs ?? 2_000);
  return {
    tick,
    async stop() {
      running = false;
      clearTimeout(timer);
    },
  };
}
