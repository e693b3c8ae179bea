import type { RedisClient, RedisTarget } from './connection.js';
import { AlertStore } from './alert-store.js';
import { openConflictStores, type ConflictStores, type StoredConflict } from './conflicts/index.js';
import { FeedStore } from './feed-store.js';
import { HubKeys } from './keys.js';
import { OutboxReader } from './outbox.js';
import type { Durability } from './replication.js';
import { RateLimitStore } from './rate-limits.js';
import { AvailabilityStore } from './store.js';
import { SyncStore } from './sync-store.js';
import { WorkerRegistry } from './workers.js';

/** Where one hub's data lives: a Redis (one primary or a Cluster), a key prefix and the hub's id (its hash tag). */
export interface StoreLocation {
  target: RedisTarget;
  keyPrefix: string;
  hubId: string;
  /** Replicas that must acknowledge each reservation-changing script (none by default). */
  durability?: Durability;
}

/**
 * The one owner of a hub's Redis: every other part reaches Redis through the stores it hands
 * out, and BullMQ gets its connections from `queues.ts` beside it (so a change of topology, such
 * as Cluster, changes this folder only).
 */
export class HubStore {
  readonly keys: HubKeys;
  readonly availability: AvailabilityStore;
  readonly sync: SyncStore;
  readonly rateLimits: RateLimitStore;
  readonly workers: WorkerRegistry;
  readonly alerts: AlertStore;
  readonly feeds: FeedStore;

  constructor(private readonly redis: RedisClient, readonly location: StoreLocation) {
    this.availability = new AvailabilityStore(redis, location.keyPrefix, location.hubId, location.durability);
    this.keys = this.availability.keys;
    this.sync = new SyncStore(redis, this.keys);
    this.rateLimits = new RateLimitStore(redis, this.keys);
    this.workers = new WorkerRegistry(redis, this.keys);
    this.alerts = new AlertStore(redis, this.keys);
    this.feeds = new FeedStore(redis, this.keys);
  }

  /**
   * Answers when the hub's own data answers; throws when it cannot be reached. A keyed command, so
   * on a Cluster it asks the master that serves the hub's slot (a PING would ask any node).
   */
  async ping(): Promise<void> {
    await this.redis.exists(`${this.keys.prefix}ping`);
  }

  /** The conflict records and mirrored blocks, typed by the record the conflict service keeps. */
  conflictStores<R extends StoredConflict>(): ConflictStores<R> {
    return openConflictStores<R>(this.redis, this.keys);
  }

  /** A reader of the reservation outbox for one consumer, on a connection of its own. */
  outboxReader(consumer: string): OutboxReader {
    return new OutboxReader(this.location.target, this.keys, consumer);
  }
}
