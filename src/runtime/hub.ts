import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { Authenticator } from '../api/auth.js';
import { HubMetrics } from '../core/metrics.js';
import { buildServer } from '../api/server.js';
import { registerLiveGauges } from '../api/live-gauges.js';
import type { HubConfig } from '../config/types.js';
import { startWorkerHeartbeat } from '../health/worker-heartbeat.js';
import { startWatchdog } from '../health/watchdog.js';
import { Alerts } from '../alerts/alerts.js';
import { openAlertQueue } from '../alerts/delivery.js';
import { silentAlerts, type AlertSink } from '../core/alerts.js';
import { startAlertWorker } from '../alerts/worker.js';
import { AvailabilityService } from '../reservations/availability.js';
import { FeedService } from '../feeds/service.js';
import { Catalog } from '../core/catalog.js';
import { HoldService } from '../reservations/holds.js';
import { ReservationService } from '../reservations/reservations.js';
import { SiteHealthReader } from '../health/site-health.js';
import type { RedisClient } from '../store/connection.js';
import { HubStore } from '../store/hub-store.js';
import { ConflictService } from '../conflicts/service.js';
import type { ConflictRecord } from '../conflicts/types.js';
import { startConflictSweeper } from '../conflicts/sweeper.js';
import { startOutboxRelay } from '../reservations/outbox-relay.js';
import { openWritebackQueue } from '../reservations/writeback-queue.js';
import { startWritebackWorker } from '../reservations/writeback-worker.js';
import { AdapterPool } from '../sync/adapter-pool.js';
import { startPollWorker } from '../sync/poll-worker.js';
import { Poller } from '../sync/poller.js';
import { openPollQueue } from '../sync/poll-queue.js';
import { PushTrigger } from '../sync/push-trigger.js';
import { PushSubscriptions } from '../sync/push-subscriptions.js';
import { reconcileSchedulers } from '../sync/schedulers.js';
import { VERSION } from './version.js';

export type Role = 'api' | 'worker' | 'scheduler';

export interface RunningHub {
  /** The API's address when this process serves HTTP. */
  address?: string;
  app?: FastifyInstance;
  stop(): Promise<void>;
}

/** How long `RunningHub.stop` waits for all parts together (a SIGTERM must end within 10 s). */
const STOP_WITHIN_MS = 6_000;

/**
 * Starts the given roles of one hub against one Redis connection. Every role keeps its state in
 * Redis only, so any number of processes may run any roles side by side.
 */
export async function startHub(config: HubConfig, redis: RedisClient, roles: ReadonlySet<Role>, logger: Logger): Promise<RunningHub> {
  const hubStore = new HubStore(redis, {
    target: config.redis, keyPrefix: config.redis.keyPrefix, hubId: config.hubId,
    durability: { replicas: config.redis.waitReplicas, timeoutMs: config.redis.waitTimeout },
  });
  const store = hubStore.availability;
  const sync = hubStore.sync;
  const catalog = new Catalog(config);
  const health = new SiteHealthReader(sync, catalog);
  const stops: Array<() => Promise<void>> = [];
  const running: RunningHub = {
    async stop() {
      // All parts share one bounded time: a process asked to stop must stop, even with Redis gone
      // (a BullMQ close waits for Redis forever). A part past the deadline still gets a short
      // moment, so an HTTP server closes its socket even after a hung worker.
      const deadline = Date.now() + STOP_WITHIN_MS;
      for (const stop of stops.reverse()) {
        const ms = Math.max(deadline - Date.now(), 250);
        let timer: NodeJS.Timeout | undefined;
        const limit = new Promise<void>((resolve) => { timer = setTimeout(() => { logger.warn(`a part did not stop within ${ms} ms; going on`); resolve(); }, ms); });
        await Promise.race([stop().catch((err) => logger.warn({ err }, 'stop failed')), limit]);
        clearTimeout(timer);
      }
    },
  };

  const metrics = new HubMetrics();
  const alertQueue = config.alerts.length > 0 ? openAlertQueue(config.redis, store.keys) : undefined;
  if (alertQueue) stops.push(() => alertQueue.close());
  const alerts: AlertSink = alertQueue
    ? new Alerts({
      incidents: hubStore.alerts, queue: alertQueue.queue, channels: config.alerts,
      reminderEvery: config.defaults.alertReminderEvery, logger: logger.child({ component: 'alerts' }), decisions: metrics.alerts,
    })
    : silentAlerts;
  const conflictStores = hubStore.conflictStores<ConflictRecord>();
  // Data written before the per-ledger indexes existed joins them once (a marker key remembers it).
  await conflictStores.conflicts.indexOnce();
  const conflicts = new ConflictService({ stores: conflictStores, store, catalog, config, alerts, logger: logger.child({ component: 'conflicts' }) });
  const polled = config.sites.filter((s) => s.adapter.kind !== 'none');
  const pollQueue = openPollQueue(config.redis, store.keys);
  stops.push(() => pollQueue.close());

  const writebackQueue = openWritebackQueue(config.redis, store.keys);
  stops.push(() => writebackQueue.close());
  const queues = [pollQueue.queue, writebackQueue.queue, ...(alertQueue ? [alertQueue.queue] : [])];
  registerLiveGauges(metrics.registry, {
    sync, sites: config.sites, queues, push: hubStore.push, config,
    conflicts: conflictStores.conflicts, reservations: store, writebackQueue: writebackQueue.queue,
  });

  if (roles.has('worker')) {
    const beat = startWorkerHeartbeat(hubStore.workers);
    stops.push(() => beat.stop());
    const adapters = new AdapterPool(sync, logger);
    stops.push(() => adapters.close());
    const poller = new Poller({ config, catalog, sync, logger, metrics, adapters, alerts, conflicts, push: hubStore.push });
    const worker = startPollWorker({
      redis: config.redis, keys: store.keys, poller, concurrency: config.worker.pollConcurrency, logger,
    });
    stops.push(() => worker.close());
    const writer = startWritebackWorker({
      redis: config.redis, keys: store.keys, store, catalog, adapters, health, logger, metrics, alerts,
      concurrency: config.worker.pollConcurrency,
    });
    stops.push(() => writer.close());
    const relay = startOutboxRelay({
      outbox: hubStore.outboxReader(beat.id), queue: writebackQueue.queue, logger,
      attempts: config.defaults.writeback.attempts, backoffMs: config.defaults.writeback.backoff,
    });
    stops.push(() => relay.stop());

    logger.info({ role: 'worker', worker: beat.id, concurrency: config.worker.pollConcurrency }, 'worker running');
  }
  // Schedulers deliver alerts too: "no worker is running" must reach staff without a worker.
  if (config.alerts.length > 0 && (roles.has('worker') || roles.has('scheduler'))) {
    const alertWorker = startAlertWorker({ redis: config.redis, keys: store.keys, channels: config.alerts, logger, deliveries: metrics.alertDeliveries });
    stops.push(() => alertWorker.close());
  }
  if (roles.has('scheduler')) {
    await reconcileSchedulers(pollQueue.queue, config, logger.child({ role: 'scheduler' }));
    const sweeper = startConflictSweeper({ conflicts, every: 60_000, logger });
    stops.push(() => sweeper.stop());
    if (config.http.publicUrl) {
      // Google channels and apaleo subscriptions: opened, renewed and stopped from here.
      const pushAdapters = new AdapterPool(sync, logger);
      const subscriptions = new PushSubscriptions({ config, store: hubStore.push, adapters: pushAdapters, logger: logger.child({ component: 'push' }) });
      subscriptions.start(Math.min(5 * 60_000, config.defaults.push.channelTtl / 8));
      stops.push(async () => { await subscriptions.stop(); await pushAdapters.close(); });
    }
    const watchdog = startWatchdog({ config, workers: hubStore.workers, sync, alerts, logger: logger.child({ role: 'watchdog' }) });
    stops.push(() => watchdog.stop());
    logger.info({ role: 'scheduler', polledSites: polled.length }, 'scheduler running');
  }
  if (roles.has('api')) {
    const holds = new HoldService(catalog, store, health);
    const app = await buildServer({
      config, hubStore, store, catalog, health, logger, roles, version: VERSION,
      holds, reservations: new ReservationService(store, holds), conflicts, alerts,
      availability: new AvailabilityService(catalog, store),
      feeds: new FeedService({ catalog, store: hubStore.feeds, hubId: config.hubId }),
      auth: new Authenticator(config),
      metrics, sync, pollQueue: pollQueue.queue, writebackQueue: writebackQueue.queue, alertQueue: alertQueue?.queue, queues,
      push: new PushTrigger({ push: hubStore.push, queue: pollQueue.queue, metrics, logger: logger.child({ component: 'push' }) }),
    });
    running.address = await app.listen({ host: config.http.host, port: config.http.port });
    running.app = app;
    stops.push(() => app.close());
  }
  return running;
}
