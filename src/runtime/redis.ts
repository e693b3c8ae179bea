import type { Redis } from 'ioredis';
import { describeTarget, mastersOf, openClient, type RedisClient, type RedisTarget } from '../store/connection.js';


/** Connection settings shared by every role. */
export interface RedisConnectOptions {
  /** Fail commands at once while disconnected (API), instead of queueing them (workers). */
  failFast?: boolean;
  connectTimeoutMs?: number;
}

/**
 * Connects to one primary (a URL) or a Redis Cluster (its seed nodes) and waits until it
 * answers; rejects with a one-line reason when it cannot. A bare URL is taken as one primary.
 */
export async function connectRedis(target: string, opts?: RedisConnectOptions): Promise<Redis>;
export async function connectRedis(target: RedisTarget, opts?: RedisConnectOptions): Promise<RedisClient>;
export async function connectRedis(target: RedisTarget | string, opts: RedisConnectOptions = {}): Promise<RedisClient> {
  const where: RedisTarget = typeof target === 'string' ? { url: target } : target;
  const timeoutMs = opts.connectTimeoutMs ?? (where.cluster ? 10_000 : 3_000);
  const client = openClient(where, { failFast: opts.failFast ?? false, connectTimeoutMs: opts.connectTimeoutMs ?? 3_000 });
  try {
    await withTimeout(client.connect(), timeoutMs);
    await withTimeout(client.ping(), timeoutMs);
    if (!where.cluster && await isClusterNode(client as Redis)) {
      throw new Error('this Redis is a Cluster node; list the cluster\'s nodes under redis.cluster.nodes instead of redis.url');
    }
    return client;
  } catch (err) {
    client.disconnect();
    throw new Error(`cannot reach Redis at ${describeTarget(where)}: ${(err as Error).message}`, { cause: err });
  }
}

/** Whether a single connection landed on a Cluster node (its commands would answer MOVED). */
async function isClusterNode(redis: Redis): Promise<boolean> {
  try {
    const info = await redis.info('cluster');
    return /cluster_enabled:1/.test(info);
  } catch {
    return false;
  }
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

/**
 * Warns about settings that lose holds or reservations (DESIGN §2), on every master of a
 * cluster (each serves its own slots and keeps its own settings).
 */
export async function redisWarnings(client: RedisClient): Promise<string[]> {
  const warnings: string[] = [];
  for (const node of mastersOf(client)) {
    const where = mastersOf(client).length > 1 ? ` on ${node.options.host ?? '?'}:${node.options.port ?? '?'}` : '';
    try {
      const policy = await node.config('GET', 'maxmemory-policy');
      if (policy[1] && policy[1] !== 'noeviction') {
        warnings.push(`Redis maxmemory-policy is "${policy[1]}"${where}: under memory pressure Redis would evict holds and reservations; set it to "noeviction"`);
      }
      const aof = await node.config('GET', 'appendonly');
      if (aof[1] === 'no') {
        warnings.push(`Redis runs without AOF (appendonly no)${where}: a Redis restart loses every hold and reservation; enable appendonly for production`);
      }
    } catch {
      // Managed Redis often forbids CONFIG; nothing to check then.
    }
  }
  return warnings;
}
