import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConflictStore } from '../../src/store/conflicts/index.js';
import { AvailabilityStore } from '../../src/store/store.js';
import type { ClaimItem } from '../../src/store/types.js';
import { startPrivateRedis, type PrivateRedis } from '../helpers/private-redis.js';

const night = (ledger: string, nights: string[], cap = 1_000_000): ClaimItem => ({
  ledger, by: 'night', quantity: 1, capacity: cap, nights, bufferBefore: 0, bufferAfter: 0,
  site: 's', resource: ledger, writeback: false,
});

/** Commands Redis ran (scripts' own redis.call included) since the last CONFIG RESETSTAT, by name. */
async function commandCalls(redis: Redis): Promise<Map<string, number>> {
  const info = await redis.info('commandstats');
  return new Map([...info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)].map((m) => [m[1]!, Number(m[2])]));
}

// A Redis of this file's own: INFO commandstats on the shared one counts other files' commands too.
let server: PrivateRedis;
let redis: Redis;
let store: AvailabilityStore;
let conflicts: ConflictStore;
const ELSEWHERE = 20_000;

beforeAll(async () => {
  server = await startPrivateRedis();
  redis = new Redis(server.url);
  store = new AvailabilityStore(redis, 'avhub-idx', 'hub');
  conflicts = new ConflictStore(redis, store.keys);
  // 20,000 live holds on 200 other ledgers, through the real claim script (pipelined by ioredis).
  for (let i = 0; i < ELSEWHERE; i += 2_000) {
    await Promise.all(Array.from({ length: 2_000 }, (_, j) => store.claimHold({
      holdId: `bulk-${i + j}`, ttlMs: 3_600_000, items: [night(`other-${(i + j) % 200}`, ['2027-05-01', '2027-05-02'])],
    })));
  }
}, 120_000);

afterAll(async () => {
  redis.disconnect();
  await server.stop();
});

describe('per-ledger indexes of live holds and reservations', () => {
  it('a confirm\'s conflict read touches only its ledger with 20,000 live holds elsewhere', async () => {
    expect(await redis.zcard(store.keys.holdsByExpiry())).toBe(ELSEWHERE);
    expect((await store.claimHold({ holdId: 'mine', ttlMs: 60_000, items: [night('target', ['2027-05-01'], 5)] })).kind).toBe('ok');
    expect((await store.claimHold({ holdId: 'other-guest', ttlMs: 60_000, items: [night('target', ['2027-05-01'], 5)] })).kind).toBe('ok');
    expect((await store.confirmHold('mine', 'r1', 'tok')).kind).toBe('ok');

    await redis.config('RESETSTAT');
    const snap = await conflicts.snapshot({ ledger: 'target', by: 'night' }, []);
    const live = await conflicts.liveReservations('target');
    const calls = await commandCalls(redis);

    expect([...snap.holds.keys()]).toEqual(['other-guest']);
    expect(live.map((r) => r.id)).toEqual(['r1']);
    // Every command the read ran, inside the script or not: a handful, not one per live hold.
    const ran = [...calls].filter(([name]) => !['info', 'config|resetstat'].includes(name)).reduce((n, [, c]) => n + c, 0);
    expect(ran).toBeLessThan(30);
    expect(calls.get('hmget') ?? 0).toBeLessThan(5);
  });

  it('release, expiry, cancel and failure take entries out; modify moves a reservation between ledgers', async () => {
    const k = store.keys;
    await store.claimHold({ holdId: 'rel', ttlMs: 60_000, items: [night('a', ['2027-06-01']), night('b', ['2027-06-01'])] });
    expect(await redis.zscore(k.ledgerHolds('a'), 'rel')).not.toBeNull();
    expect(await redis.zscore(k.ledgerHolds('b'), 'rel')).not.toBeNull();
    await store.releaseHold('rel');
    expect(await redis.zscore(k.ledgerHolds('a'), 'rel')).toBeNull();
    expect(await redis.zscore(k.ledgerHolds('b'), 'rel')).toBeNull();

    await store.claimHold({ holdId: 'exp', ttlMs: 1, items: [night('a', ['2027-06-02'])] });
    await new Promise((ok) => setTimeout(ok, 5));
    await store.read([], []); // every script expires what is due
    expect(await redis.zscore(k.ledgerHolds('a'), 'exp')).toBeNull();

    await store.claimHold({ holdId: 'c', ttlMs: 60_000, items: [night('a', ['2027-06-03'])] });
    await store.confirmHold('c', 'rc', 'tok');
    expect(await redis.zscore(k.ledgerHolds('a'), 'c')).toBeNull();
    expect(await redis.smembers(k.ledgerReservations('a'))).toEqual(['rc']);
    expect((await store.modifyReservation('rc', 0, night('b', ['2027-06-03']))).kind).toBe('ok');
    expect(await redis.smembers(k.ledgerReservations('a'))).toEqual([]);
    expect(await redis.smembers(k.ledgerReservations('b'))).toEqual(['rc']);
    await store.cancelReservation('rc', 'test');
    expect(await redis.smembers(k.ledgerReservations('b'))).toEqual([]);

    await store.claimHold({ holdId: 'w', ttlMs: 60_000, items: [{ ...night('a', ['2027-06-04']), writeback: true }] });
    await store.confirmHold('w', 'rw', 'tok');
    expect(await redis.smembers(k.ledgerReservations('a'))).toEqual(['rw']);
    await store.writebackFailed('rw', 'boom', {});
    expect(await redis.smembers(k.ledgerReservations('a'))).toEqual([]);
  });

  it('builds the indexes once for data written before they existed', async () => {
    const k = store.keys;
    await store.claimHold({ holdId: 'old-hold', ttlMs: 60_000, items: [night('legacy', ['2027-07-01'])] });
    await store.claimHold({ holdId: 'old-resv', ttlMs: 60_000, items: [night('legacy', ['2027-07-02'])] });
    await store.confirmHold('old-resv', 'r-old', 'tok');
    const before = { holds: await redis.zrange(k.ledgerHolds('other-7'), '0', '-1'), lh: await redis.zrange(k.ledgerHolds('legacy'), '0', '-1') };
    await redis.del(k.ledgerHolds('legacy'), k.ledgerReservations('legacy'), k.ledgerHolds('other-7'), k.ledgerIndexBuilt());

    await conflicts.indexOnce();
    expect(await redis.zrange(k.ledgerHolds('legacy'), '0', '-1')).toEqual(before.lh);
    expect(await redis.zrange(k.ledgerHolds('other-7'), '0', '-1')).toEqual(before.holds);
    expect(await redis.smembers(k.ledgerReservations('legacy'))).toEqual(['r-old']);
    expect(await redis.get(k.ledgerIndexBuilt())).toBe('1');
  });
  it('a reservation\'s conflict index forgets ids whose record no longer names it', async () => {
    const at = new Date().toISOString();
    const rec = (bookings: Array<{ reservationId?: string }>) => ({ id: 'cf-stale', status: 'open' as const, ledger: 'target', openedAt: at, updatedAt: at, bookings });
    await conflicts.save(rec([{ reservationId: 'r-old' }, { reservationId: 'r-keep' }]), { active: true });
    // The conflict now involves another booking instead of r-old: save() indexes the current ones only.
    await conflicts.save(rec([{ reservationId: 'r-keep' }, {}]), { active: true });
    expect(await redis.smembers(store.keys.conflictsOfReservation('r-old'))).toEqual(['cf-stale']);

    expect(await conflicts.openWithReservation('r-old')).toEqual([]);
    expect(await redis.smembers(store.keys.conflictsOfReservation('r-old'))).toEqual([]);
    expect((await conflicts.openWithReservation('r-keep')).map((r) => r.id)).toEqual(['cf-stale']);
    expect(await redis.smembers(store.keys.conflictsOfReservation('r-keep'))).toEqual(['cf-stale']);
  });
});
