import { Queue } from 'bullmq';
import type { HubKeys } from '../store/keys.js';
import { bullConnection } from '../store/queues.js';

export const WRITEBACK_QUEUE = 'writeback';

export interface WritebackJobData {
  reservation: string;
  op: 'create' | 'cancel';
}

/** Exponential backoff with full jitter: retries of many reservations do not arrive together. */
export function writebackJobOptions(attempts: number, backoffMs: number) {
  return {
    attempts,
    backoff: { type: 'exponential', delay: backoffMs, jitter: 1 },
    removeOnComplete: { count: 1000 },
    removeOnFail: { count: 1000 },
  } as const;
}

export function openWritebackQueue(url: string, keys: HubKeys): { queue: Queue<WritebackJobData>; close(): Promise<void> } {
  const connection = bullConnection(url);
  const queue = new Queue<WritebackJobData>(WRITEBACK_QUEUE, { connection, prefix: keys.queuePrefix() });
  return {
    queue,
    async close() {
      await queue.close();
      await connection.quit().catch(() => connection.disconnect());
    },
  };
}
