import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { connectRedis } from '../../src/runtime/redis.js';
import { Leases } from '../../src/store/lease.js';
import { eventually } from '../helpers/hub.js';
import { startPrivateRedis, type PrivateRedis } from '../helpers/private-redis.js';

/**
 * Found by the Redis crash test (test/chaos/redis-crash.test.ts): a lease released while Redis was
 * away came back with Redis' AOF and blocked its key for its whole TTL, though its holder had long
 * finished: every poll of the site answered `busy` and conflict checks waited for the ledger lock
 * for up to 30 s after a one-second outage. A release Redis did not get is now tried again until
 * Redis answers.
 */

const PORT = 9163;
const dir = mkdtempSync(join(tmpdir(), 'avhub-lease-'));
let redis: PrivateRedis | undefined;
let client: Redis | undefined;

afterAll(async () => {
  client?.disconnect();
  await redis?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('a lease released while Redis is down', () => {
  it('is released once Redis is back, long before its TTL', async () => {
    redis = await startPrivateRedis(PORT, { aofDir: dir });
    // As the hub connects: commands fail at once while Redis is unreachable.
    client = await connectRedis(redis.url, { failFast: true });
    client.on('error', () => undefined);
    const leases = new Leases(client);
    const lease = await leases.acquire('lease-outage:poll', { ttlMs: 30_000 });
    expect(lease).not.toBeNull();

    await redis.stop();
    await lease!.release(); // Redis is gone: the DEL cannot reach it
    redis = await startPrivateRedis(PORT, { aofDir: dir });
    const backAt = Date.now();
    // The AOF brought the lease back; it must go within seconds, not after the 30 s TTL.
    await eventually(async () => expect(await client!.exists('lease-outage:poll')).toBe(0), 10_000, 100);
    expect(Date.now() - backAt).toBeLessThan(10_000);
    // Another holder can take it now.
    expect(await leases.acquire('lease-outage:poll', { ttlMs: 1_000 })).not.toBeNull();
  }, 40_000);
});
