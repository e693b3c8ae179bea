import { Redis, type RedisOptions } from 'ioredis';

/** Connection settings shared by every role. */
export interface RedisConnectOptions {
  /** Fail commands at once while disconnected (API), instead of queueing them (workers). */
  failFast?: boolean;
  connectTimeoutMs?: number;
}

/** Connects and waits until Redis answers; rejects with a one-line reason when it cannot. */
export async function connectRedis(url: string, opts: RedisConnectOptions = {}): Promise<Redis> {
  const options: RedisOptions = {
    lazyConnect: true,
    connectTimeout: opts.connectTimeoutMs ?? 3_000,
    maxRetriesPerRequest: opts.failFast ? 1 : null,
    enableOfflineQueue: !opts.failFast,
    retryStrategy: (attempt) => Math.min(200 * attempt, 2_000),
  };
  const redis = new Redis(url, options);
  redis.on('error', () => undefined); // reconnects are retried; callers see failures per command
  try {
    await withTimeout(redis.connect(), opts.connectTimeoutMs ?? 3_000);
    await redis.ping();
    return redis;
  } catch (err) {
    redis.disconnect();
    throw new Error(`cannot reach Redis at ${redactUrl(url)}: ${(err as Error).message}`, { cause: err });
  }
}

export function redactUrl(url: string): string {
  return url.replace(/\/\/([^@/]*)@/, '//***@');
}

async function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      p,
      new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms); }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** Warns about settings that lose holds or reservations (DESIGN §2). */
export async function redisWarnings(redis: Redis): Promise<string[]> {
  const warnings: string[] = [];
  try {
    const policy = await redis.config('GET', 'maxmemory-policy');
    if (policy[1] && policy[1] !== 'noeviction') {
      warnings.push(`Redis maxmemory-policy is "${policy[1]}": under memory pressure Redis would evict holds and reservations; set it to "noeviction"`);
    }
    const aof = await redis.config('GET', 'appendonly');
    if (aof[1] === 'no') {
      warnings.push('Redis runs without AOF (appendonly no): a Redis restart loses every hold and reservation; enable appendonly for production');
    }
  } catch {
    // Managed Redis often forbids CONFIG; nothing to check then.
  }
  return warnings;
}
