import { Queue } from 'bullmq';
import { openClient, type RedisClient, type RedisTarget } from './connection.js';
import type { HubKeys } from './keys.js';

/**
 * A connection for BullMQ: it wants its own, waiting for Redis however long
 * (`maxRetriesPerRequest: null`). The store makes every connection of the hub, so one Redis or a
 * Cluster is decided here only. The caller closes it (`quit()`), BullMQ does not.
 */
export function bullConnection(target: RedisTarget): RedisClient {
  return openClient(target, { forBullMQ: true, lazy: false });
}

export interface OpenQueue<T> {
  queue: Queue<T>;
  /** Closes the queue and its connection (a function property: callers may take it apart). */
  close: () => Promise<void>;
}

/**
 * A BullMQ queue of this hub on a connection of its own. Its prefix carries a hash tag of its own
 * (`HubKeys.queuePrefix`), as BullMQ asks on Cluster: each queue's keys share one slot.
 */
export function openQueue<T>(target: RedisTarget, keys: HubKeys, name: string): OpenQueue<T> {
  const connection = bullConnection(target);
  const queue = new Queue<T>(name, { connection, prefix: keys.queuePrefix() });
  return {
    queue,
    close: async () => {
      await queue.close();
      await connection.quit().catch(() => connection.disconnect());
    },
  };
}

/**
 * When each delayed job of `queue` is due (ms), from BullMQ's delayed set (score = due × 4096 +
 * a counter). A job's own fields cannot say it: after a failed attempt BullMQ keeps the job's
 * creation `timestamp` and sets only `delay`, so `timestamp + delay` lies in the past. Jobs not
 * delayed are left out.
 */
export async function delayedUntil(queue: Queue, ids: readonly string[]): Promise<Map<string, number>> {
  if (ids.length === 0) return new Map();
  const client = await queue.getBackend().client;
  const scores = await Promise.all(ids.map((id) => client.zscore(queue.keys.delayed!, id)));
  return new Map(ids.flatMap((id, i) => (scores[i] === null || scores[i] === undefined ? [] : [[id, Math.floor(Number(scores[i]) / 0x1000)] as const])));
}
