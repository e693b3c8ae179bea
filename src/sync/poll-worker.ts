import { UnrecoverableError, Worker } from 'bullmq';
import type { Logger } from 'pino';
import type { HubKeys } from '../store/keys.js';
import type { PollOutcome, Poller } from './poller.js';
import type { RedisTarget } from '../store/connection.js';
import { bullConnection } from '../store/queues.js';
import { POLL_QUEUE, type PollJobData } from './poll-queue.js';
import { PUSH_POLL_JOB } from './push-trigger.js';

/**
 * Works poll jobs. A failed poll fails its job (visible in the queue); an auth failure is
 * unrecoverable because retrying cannot fix a refused credential.
 */
export function startPollWorker(opts: { redis: RedisTarget; keys: HubKeys; poller: Poller; concurrency: number; logger: Logger }):
{ worker: Worker<PollJobData, PollOutcome>; close(): Promise<void> } {
  const connection = bullConnection(opts.redis);
  const worker = new Worker<PollJobData, PollOutcome>(POLL_QUEUE, async (job) => {
    // A notification's poll respects a pause the source asked for (its quota); staff's "sync now" does not.
    const outcome = await opts.poller.poll(job.data.site, { full: job.data.full === true, ignoreBackoff: job.name === 'poll-now' });
    if (outcome.kind === 'busy' && job.name === PUSH_POLL_JOB) {
      // Another poll of the site is running and may have read the source before the change: try
      // again shortly (the job's backoff) rather than drop the notification.
      throw new Error('another poll of the site is running');
    }
    if (outcome.kind === 'failed') {
      const err = new Error(`${outcome.code}: ${outcome.message}`);
      throw outcome.retryable ? err : new UnrecoverableError(err.message);
    }
    return outcome;
  }, { connection, prefix: opts.keys.queuePrefix(), concurrency: opts.concurrency });
  worker.on('error', (err) => opts.logger.warn({ err: err.message }, 'poll worker connection error'));
  return {
    worker,
    async close() {
      // Waits for in-flight polls to finish; a poll that outlives the process is picked up again
      // by BullMQ's stalled-job check on another worker.
      await worker.close();
      await connection.quit().catch(() => connection.disconnect());
    },
  };
}
