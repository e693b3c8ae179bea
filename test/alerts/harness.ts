import { Redis } from 'ioredis';
import { expect } from 'vitest';
import { pino } from 'pino';
import { Alerts } from '../../src/alerts/alerts.js';
import { openAlertQueue } from '../../src/alerts/delivery.js';
import { startAlertWorker } from '../../src/alerts/worker.js';
import type { AlertChannelConfig } from '../../src/config/types.js';
import { AlertStore } from '../../src/store/alert-store.js';
import { HubKeys } from '../../src/store/keys.js';
import { deleteByPrefix, TEST_REDIS_URL, uniquePrefix } from '../helpers/redis.js';

export interface AlertHarness {
  alerts: Alerts;
  /** The incidents the sink keeps, to look at their counts. */
  incidents: AlertStore;
  /** Every log line written by the sink and the worker, as JSON text. */
  logs: string[];
  counts: Array<Record<string, string>>;
  /**
   * Waits until the alert queue holds no job that is waiting, running or due for a retry: every
   * delivery queued so far has happened or been given up, so nothing more can arrive.
   */
  settled(): Promise<void>;
  stop(): Promise<void>;
}

export interface AlertHarnessOptions {
  reminderEvery?: number;
  attempts?: number;
  /** The sink's clock (epoch ms); default the process's time and Redis' clock, as in the hub. */
  now?: () => number;
}

/** A sink and a worker on a fresh key prefix, with small backoffs so retries take milliseconds. */
export function startAlertHarness(channels: AlertChannelConfig[], opts: AlertHarnessOptions = {}): AlertHarness {
  const redis = new Redis(TEST_REDIS_URL);
  const prefix = uniquePrefix();
  const keys = new HubKeys(prefix, 'test');
  const logs: string[] = [];
  const counts: Array<Record<string, string>> = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => { logs.push(line); } });
  const queue = openAlertQueue({ url: TEST_REDIS_URL }, keys);
  const counter = { inc: (labels: Record<string, string>) => { counts.push(labels); } };
  const incidents = new AlertStore(redis, keys);
  const alerts = new Alerts({
    incidents, queue: queue.queue, channels, reminderEvery: opts.reminderEvery ?? 60_000, logger,
    delivery: { attempts: opts.attempts ?? 10, backoffMs: 50 }, decisions: counter,
    ...(opts.now !== undefined && { now: opts.now }),
  });
  const worker = startAlertWorker({ redis: { url: TEST_REDIS_URL }, keys, channels, logger, timeoutMs: 2_000, deliveries: counter });
  return {
    alerts, incidents, logs, counts,
    async settled() {
      await eventually(async () => {
        const jobs = await queue.queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized', 'waiting-children');
        expect(jobs).toEqual({ waiting: 0, active: 0, delayed: 0, prioritized: 0, 'waiting-children': 0 });
      });
    },
    async stop() {
      await worker.close();
      await queue.close();
      await deleteByPrefix(redis, prefix);
      redis.disconnect();
    },
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Retries an assertion until it passes or `timeoutMs` runs out. */
export async function eventually<T>(check: () => T | Promise<T>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await sleep(50);
    }
  }
}
