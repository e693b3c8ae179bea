import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import type { HubKeys } from './keys.js';

export const POLL_QUEUE = 'poll';

export interface PollJobData {
  site: string;
  /** A full pull of the window regardless of the cursor (admin "sync now" may ask for it). */
  full?: boolean;
}

/** BullMQ wants its own connections that retry forever (`maxRetriesPerRequest: null`). */
export function bullConnection(url: string): Redis {
  const redis = new Redis(url, { maxRetriesPerRequest: null, enableReadyCheck: true });
  redis.on('error', () => undefined);
  return redis;
}

export function openPollQueue(url: string, keys: HubKeys): { queue: Queue<PollJobData>; close(): Promise<void> } {
  const connection = bullConnection(url);
  const queue = new Queue<PollJobData>(POLL_QUEUE, { connection, prefix: keys.queuePrefix() });
  return {
    queue,
    async close() {
      await queue.close();
      await connection.quit().catch(() => connection.disconnect());
    },
  };
}
