import type { Logger } from 'pino';
import type { HubConfig } from '../config/types.js';
import type { AvailabilityService } from '../reservations/availability.js';
import type { Catalog } from '../core/catalog.js';
import type { HoldService } from '../reservations/holds.js';
import type { ReservationService } from '../reservations/reservations.js';
import type { SiteHealthReader } from '../health/site-health.js';
import type { Queue } from 'bullmq';
import type { HubStore } from '../store/hub-store.js';
import type { AvailabilityStore } from '../store/store.js';
import type { SyncStore } from '../store/sync-store.js';
import type { PollJobData } from '../sync/poll-queue.js';
import type { WritebackJobData } from '../reservations/writeback-queue.js';
import type { AlertSink } from '../core/alerts.js';
import type { AlertJobData } from '../alerts/delivery.js';
import type { ConflictService } from '../conflicts/service.js';
import type { Authenticator } from './auth.js';
import type { HubMetrics } from '../core/metrics.js';
import type { FeedService } from '../feeds/service.js';
import type { PushTrigger } from '../sync/push-trigger.js';

/** What the HTTP layer is built from; one object so tests can hand in their own parts. */
export interface ApiContext {
  config: HubConfig;
  /** The hub's Redis, through the stores it hands out (readiness, rate limits, workers). */
  hubStore: HubStore;
  store: AvailabilityStore;
  catalog: Catalog;
  holds: HoldService;
  reservations: ReservationService;
  availability: AvailabilityService;
  health: SiteHealthReader;
  auth: Authenticator;
  metrics: HubMetrics;
  sync: SyncStore;
  pollQueue: Queue<PollJobData>;
  /** The write-back queue, for the admin's view of it. */
  writebackQueue: Queue<WritebackJobData>;
  /** The alert delivery queue, for the admin's view of deliveries; absent when no channel is configured. */
  alertQueue?: Queue<AlertJobData> | undefined;
  /** Every queue of the hub (poll, write-back, alerts), for the queue view at /queues. */
  queues: readonly Queue[];
  logger: Logger;
  /** Roles this process runs; `/readyz` only needs worker heartbeats from elsewhere otherwise. */
  roles: ReadonlySet<'api' | 'worker' | 'scheduler'>;
  version: string;
  /** Conflict detection and staff decisions. */
  conflicts: ConflictService;
  /** Where staff decisions raise conflict.resolved. */
  alerts: AlertSink;
  /** The iCalendar feeds out (config `feeds:`). */
  feeds: FeedService;
  /** Authentic change notifications become polls here (never data). */
  push: PushTrigger;
}
