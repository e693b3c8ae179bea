import { hostname } from 'node:os';
import type { Redis } from 'ioredis';
import type { HubKeys } from '../store/keys.js';

/** A worker that has not beaten for this long counts as gone. */
const WORKER_STALE_MS = 15_000;
const BEAT_EVERY_MS = 5_000;

/**
 * Announces a live worker process in Redis, so `/readyz` on any API process can tell whether
 * anything is working the queues. Scored by Redis time, not the local clock.
 */
export function startWorkerHeartbeat(redis: Redis, keys: HubKeys): { id: string; stop(): Promise<void> } {
  const id = `${hostname()}:${process.pid}`;
  const beat = async () => {
    const [s] = await redis.time();
    const now = Number(s) * 1000;
    // Workers that died without saying goodbye age out here.
    await redis.multi().zadd(keys.workers(), now, id)
      .zremrangebyscore(keys.workers(), '-inf', now - 10 * WORKER_STALE_MS).exec();
  };
  const timer = setInterval(() => { beat().catch(() => undefined); }, BEAT_EVERY_MS);
  timer.unref();
  void beat().catch(() => undefined);
  return {
    id,
    async stop() {
      clearInterval(timer);
      await redis.zrem(keys.workers(), id).catch(() => undefined);
    },
  };
}

export async function liveWorkers(redis: Redis, keys: HubKeys): Promise<number> {
  const [s] = await redis.time();
  return redis.zcount(keys.workers(), Number(s) * 1000 - WORKER_STALE_MS, '+inf');
}
