import type { RedisClient } from './connection.js';
import type { HubKeys } from './keys.js';

/**
 * Live worker processes, scored by their last heartbeat in Redis time (not the local clock), so
 * `/readyz` on any API process can tell whether anything is working the queues.
 */
export class WorkerRegistry {
  constructor(private readonly redis: RedisClient, private readonly keys: HubKeys) {}

  /** Records a beat of worker `id`; workers that died without saying goodbye age out after `forgetAfterMs`. */
  async beat(id: string, forgetAfterMs: number): Promise<void> {
    const now = await this.now();
    await this.redis.multi().zadd(this.keys.workers(), now, id)
      .zremrangebyscore(this.keys.workers(), '-inf', now - forgetAfterMs).exec();
  }

  async remove(id: string): Promise<void> {
    await this.redis.zrem(this.keys.workers(), id);
  }

  /** Workers that beat within the last `staleMs`. */
  async live(staleMs: number): Promise<number> {
    return this.redis.zcount(this.keys.workers(), await this.now() - staleMs, '+inf');
  }

  /** Every worker still remembered, with its last beat (ms, Redis time) and Redis' clock now. */
  async list(): Promise<{ now: number; workers: Array<{ id: string; lastBeatAt: number }> }> {
    const [now, flat] = await Promise.all([this.now(), this.redis.zrange(this.keys.workers(), '0', '-1', 'WITHSCORES')]);
    const workers: Array<{ id: string; lastBeatAt: number }> = [];
    for (let i = 0; i + 1 < flat.length; i += 2) workers.push({ id: flat[i]!, lastBeatAt: Number(flat[i + 1]) });
    return { now, workers };
  }

  private async now(): Promise<number> {
    const [s] = await this.redis.time();
    return Number(s) * 1000;
  }
}
