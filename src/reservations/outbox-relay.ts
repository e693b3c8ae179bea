import type { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { HubKeys } from '../store/keys.js';
import type { WritebackJobData } from './writeback-queue.js';
import { writebackJobOptions } from './writeback-queue.js';

const GROUP = 'relay';

/**
 * Moves outbox entries (written atomically with the reservation) into the BullMQ write-back
 * queue. A consumer group gives at-least-once delivery across worker processes; the job id
 * (reservation + operation) makes a re-delivered entry a no-op while its job exists, and the
 * write itself is idempotent at the source for the rest.
 */
export function startOutboxRelay(opts: { url: string; keys: HubKeys; queue: Queue<WritebackJobData>; consumer: string; logger: Logger; attempts: number; backoffMs: number }):
{ stop(): Promise<void> } {
  const redis = new Redis(opts.url, { maxRetriesPerRequest: null });
  redis.on('error', () => undefined);
  const stream = opts.keys.outbox();
  let running = true;

  const handle = async (entries: Array<[string, string[]]>) => {
    for (const [id, fields] of entries) {
      // Stream ids look like 1795622788488-0: no ':' (BullMQ refuses it in job ids).
      const f: Record<string, string> = {};
      for (let i = 0; i < fields.length; i += 2) f[fields[i]!] = fields[i + 1]!;
      if (f.reservation && (f.op === 'create' || f.op === 'cancel')) {
        await opts.queue.add(f.op, { reservation: f.reservation, op: f.op },
          // One job per outbox entry: a re-delivered entry maps to the same job, a later change
          // (a modification) gets its own.
          { ...writebackJobOptions(opts.attempts, opts.backoffMs), jobId: `${f.reservation}-${f.op}-${id}` });
      }
      await redis.multi().xack(stream, GROUP, id).xdel(stream, id).exec();
    }
  };

  const loop = async () => {
    try {
      await redis.xgroup('CREATE', stream, GROUP, '0', 'MKSTREAM');
    } catch (err) {
      if (!String((err as Error).message).includes('BUSYGROUP')) throw err;
    }
    while (running) {
      try {
        // Entries a dead relay took but never acknowledged come back after a minute.
        const claimed = await redis.xautoclaim(stream, GROUP, opts.consumer, 60_000, '0-0', 'COUNT', 50) as [string, Array<[string, string[]]>];
        if (claimed[1]?.length) await handle(claimed[1]);
        const read = await redis.xreadgroup('GROUP', GROUP, opts.consumer, 'COUNT', 50, 'BLOCK', 1000, 'STREAMS', stream, '>') as Array<[string, Array<[string, string[]]>]> | null;
        if (read) for (const [, entries] of read) await handle(entries);
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
      redis.disconnect();
      await done;
    },
  };
}
