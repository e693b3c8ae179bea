import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { AvailabilityStore } from '../../src/store/store.js';

export const TEST_REDIS_URL = process.env.AVHUB_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A unique key prefix per test, so test files run in parallel against one Redis. */
export function uniquePrefix(): string {
  return `avhub-test-${randomBytes(6).toString('hex')}`;
}

export async function deleteByPrefix(redis: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length > 0) await redis.del(...keys);
  } while (cursor !== '0');
}

export interface TestStore {
  redis: Redis;
  store: AvailabilityStore;
  prefix: string;
  cleanup(): Promise<void>;
}

export async function openTestStore(hubId = 'test'): Promise<TestStore> {
  const redis = new Redis(TEST_REDIS_URL, { lazyConnect: false });
  const prefix = uniquePrefix();
  const store = new AvailabilityStore(redis, prefix, hubId);
  return {
    redis, store, prefix,
    async cleanup() {
      await deleteByPrefix(redis, prefix);
      redis.disconnect();
    },
  };
}
