import type { Queue } from 'bullmq';
import type { Logger } from 'pino';
import type { OutboxEntry, OutboxReader } from '../store/outbox.js';
import type { WritebackJobData } from './writeback-queue.js';
import { writebackJobOptions } from './writeback-queue.js';

/**
 * How long an entry may sit read but unacknowledged before another relay takes it over. A live
 * relay acknowledges within milliseconds (it only adds a job), and taking one over twice is
 * harmless (the job id is fixed by the entry, the write idempotent at the source), so this can be
 * short: it was a minute, which kept a guest's reservation pending, or a cancelled booking live at
 * its source, for a minute after a worker died (found by test/chaos/hub-crash.test.ts). The
 * write-back jobs themselves are taken over after about as long (writeback-worker.ts).
 */
const ABANDONED_AFTER_MS = 10_000;

/**
 * Moves outbox entries (written atomically with the reservation) into the BullMQ write-back
 * queue. A consumer group gives at-least-once delivery across worker processes; the job id
 * (reservation + operation) makes a re-delivered entry a no-op while its job exists, and the
 * write itself is idempotent at the source for the rest.
 */
export function startOutboxRelay(opts: { outbox: OutboxReader; queue: Queue<WritebackJobData>; logger: Logger; attempts: number; backoffMs: number }):
{ stop(): Promise<void> } {
  const outbox = opts.outbox;
  let running = true;

  const handle = async (entries: OutboxEntry[]) => {
    for (const { id, fields: f } of entries) {
      // Stream ids look like 1795622788488-0: no ':' (BullMQ refuses it in job ids).
      if (f.reservation && (f.op === 'create' || f.op === 'cancel')) {
        await opts.queue.add(f.op, { reservation: f.reservation, op: f.op },
          // One job per outbox entry: a re-delivered entry maps to the same job, a later change
          // (a modification) gets its own.
          { ...writebackJobOptions(opts.attempts, opts.backoffMs), jobId: `${f.reservation}-${f.op}-${id}` });
      }
      await outbox.done(id);
    }
  };

  const loop = async () => {
    await outbox.ensureGroup();
    while (running) {
      try {
        // Entries a dead relay took but never acknowledged come back after ABANDONED_AFTER_MS.
        await handle(await outbox.claimAbandoned(ABANDONED_AFTER_MS, 50));
        await handle(await outbox.readNew(50, 1000));
      } catch (err) {
        if (!running) break;
        opts.logger.warn({ err: (err as Error).message }, 'outbox relay: retrying');
        await new Promise((r) => setTimeout(r, 1000));
      }
    }
  };
  const done = loop().catch((err) => opts.logger.error({ err }, 'outbox relay stopped'));
  return {
    async stop() {
      running = false;
      outbox.close();
      await done;
    },
  };
}
