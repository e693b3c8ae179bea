import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import type { HubKeys } from './keys.js';

/**
 * A connection for BullMQ: it wants its own, retrying forever (`maxRetriesPerRequest: null`).
 * The store makes every connection of the hub, so Cluster support (and its options) lives here.
 */
export function bullConnection(url: string): Redis {
  const redis = new Redis(url, { maxRetriesPerRequest: null, enableReadyCheck: true });
  redis.on('error', () => undefined);
  return redis;
}

export interface OpenQueue<T> {
  queue: Queue<T>;
  /** Closes the queue and its connection. */
  close(): Promise<void>;
}

/** A BullMQ queue of this hub (its hash-tagged prefix) on a connection of its own. */
export function openQueue<T>(url: string, keys: HubKeys, name: string): OpenQueue<T> {
  const connection = bullConnection(url);
  const queue = new Queue<T>(name, { connection, prefix: keys.queuePrefix() });
  return {
    queue,
    async close() {
      await queue.close();
      await connection.quit().catch(() => connection.disconnect());
    },
  };
}
