import { resolve } from 'node:path';
import type { RedisClient } from '../store/connection.js';
import { describeTarget } from '../store/connection.js';
import type { Logger } from 'pino';
import type { HubConfig } from '../config/types.js';
import { EmbeddedRedis, embeddablePort } from './embedded-redis.js';
import { connectRedis, redisWarnings } from './redis.js';

export interface StoreConnection {
  redis: RedisClient;
  /** Quits the connection and stops a Redis this process started. */
  close(): Promise<void>;
}

/**
 * Connects to the configured Redis. A process running both api and worker (`avhub start`, the
 * demo) starts a local redis-server itself (AOF on, data under `dataDir`) when none answers at a
 * plain local address; other roles must find one. Answers `undefined` after logging why it could
 * not connect.
 */
export async function openStoreConnection(config: HubConfig, opts: {
  file: string; roles: ReadonlySet<string>; dataDir: string; logger: Logger;
}): Promise<StoreConnection | undefined> {
  const { logger } = opts;
  let embedded: EmbeddedRedis | undefined;
  let redis: RedisClient;
  try {
    redis = await connectRedis(config.redis, { failFast: true });
  } catch (err) {
    const port = config.redis.cluster ? undefined : embeddablePort(config.redis.url);
    if (!opts.roles.has('api') || !opts.roles.has('worker') || port === undefined) {
      logger.error(`${(err as Error).message}; start Redis or set redis.url in ${opts.file}`);
      return undefined;
    }
    logger.info({ port, dataDir: opts.dataDir }, 'no Redis at the local address; starting redis-server (AOF on)');
    embedded = new EmbeddedRedis(resolve(opts.dataDir), port);
    try {
      await embedded.start();
      redis = await connectRedis(config.redis, { failFast: true, connectTimeoutMs: 5_000 });
    } catch (startErr) {
      logger.error((startErr as Error).message);
      await embedded.stop();
      return undefined;
    }
  }
  for (const warning of await redisWarnings(redis)) logger.warn(warning);
  logger.info({ redis: describeTarget(config.redis), roles: [...opts.roles] }, 'connected to Redis');
  return {
    redis,
    async close() {
      // QUIT waits for an answer; with Redis unreachable none comes, so give up after a second.
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<void>((resolve) => { timer = setTimeout(resolve, 1_000); });
      await Promise.race([redis.quit().then(() => undefined, () => undefined), late]);
      clearTimeout(timer);
      redis.disconnect();
      await embedded?.stop();
    },
  };
}
