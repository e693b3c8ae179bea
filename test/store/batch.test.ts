import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ScriptBatcher } from '../../src/store/batch.js';
import { HubKeys } from '../../src/store/keys.js';
import { RateLimited } from '../../src/store/rate-limits.js';
import { scriptsFor } from '../../src/store/scripts.js';
import { prepareRead } from '../../src/store/store.js';
import type { ClaimItem } from '../../src/store/types.js';
import type { Command, Redis } from 'ioredis';
import { openTestStore, type TestStore } from '../helpers/redis.js';

// The widget path's scripts go to Redis in batches (src/store/batch.ts). These tests call the
// store as concurrent requests would (several calls before the event loop turns) and count the
// commands the connection sends.

const night = (ledger: string, cap: number, nights: string[]): ClaimItem => ({
  ledger, by: 'night', quantity: 1, capacity: cap, nights, bufferBefore: 0, bufferAfter: 0,
  site: 's', resource: ledger, writeback: false,
});

let t: TestStore;
beforeEach(async () => {
  t = await openTestStore();
  // Loads the scripts, so EVALSHA's NOSCRIPT fallback does not add commands below.
  await t.store.claimHold({ holdId: 'warm', ttlMs: 60_000, items: [night('warm', 9, ['2027-01-01'])] });
  await t.store.read([{ ledger: 'warm', by: 'night', dates: ['2027-01-01'] }], []);
});
afterEach(async () => { await t.cleanup(); });

/** The commands `redis` sends, a script call named by its script (`avhub_batch`, `avhub_hold_claim`, ...). */
function recordScripts(redis: Redis): { take(): string[]; restore(): void } {
  // eslint-disable-next-line @typescript-eslint/unbound-method -- put back as is by restore()
  const original = redis.sendCommand;
  const bySha = (sha: unknown) => Object.entries((redis as unknown as { scriptsSet: Record<string, { sha: string }> }).scriptsSet)
    .find(([, script]) => script.sha === sha)?.[0] ?? String(sha);
  let seen: string[] = [];
  redis.sendCommand = function (this: Redis, command: Command, ...rest: unknown[]) {
    seen.push(command.name === 'evalsha' ? bySha(command.args[0]) : command.name);
    return (original as (...a: unknown[]) => unknown).call(this, command, ...rest);
  };
  return { take() { const out = seen; seen = []; return out; }, restore() { redis.sendCommand = original; } };
}

async function settled<T>(promises: Array<Promise<T>>): Promise<Array<PromiseSettledResult<T>>> {
  return Promise.allSettled(promises);
}

describe('batched widget scripts', () => {
  it('answers many holds made in one turn with one command, each checked against the claims before it', async () => {
    const recorder = recordScripts(t.redis);
    const claims = Array.from({ length: 8 }, (_, i) => t.store.claimHold({
      holdId: `h${i}`, ttlMs: 60_000, items: [night('pool', 5, ['2027-02-01', '2027-02-02'])] }));
    const results = await Promise.all(claims);
    recorder.restore();
    expect(recorder.take()).toEqual(['avhub_batch']);
    expect(results.map((r) => r.kind)).toEqual(['ok', 'ok', 'ok', 'ok', 'ok', 'unavailable', 'unavailable', 'unavailable']);
    const read = await t.store.read([{ ledger: 'pool', by: 'night', dates: ['2027-02-01', '2027-02-02'] }], []);
    expect(read.ledgers[0]).toEqual({ used: [5, 5], source: [null, null] });
  });

  it('reads one query once for all its requests in a turn, and counts each client in its own window', async () => {
    const prep = prepareRead([{ ledger: 'pool', by: 'night', dates: ['2027-02-01'] }], []);
    const ticket = (client: string) => ({ scope: 'kbatch', client, windowMs: 60_000, max: 3 });
    const recorder = recordScripts(t.redis);
    const a = Array.from({ length: 5 }, () => t.store.readPrepared(prep, ticket('10.0.0.1')));
    const b = Array.from({ length: 2 }, () => t.store.readPrepared(prep, ticket('10.0.0.2')));
    const admin = t.store.readPrepared(prep);
    const [ra, rb, [radmin]] = await Promise.all([settled(a), settled(b), settled([admin])]);
    recorder.restore();
    expect(recorder.take()).toEqual(['avhub_availability_read']);
    // The first three of 10.0.0.1 are within its limit; the fourth and fifth see the counts they
    // would have seen one by one.
    expect(ra.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled', 'rejected', 'rejected']);
    expect(ra.slice(3).map((r) => ((r as PromiseRejectedResult).reason as RateLimited).window.count)).toEqual([4, 5]);
    expect(((ra[3] as PromiseRejectedResult).reason as RateLimited).window.endsInMs).toBeGreaterThan(50_000);
    expect(rb.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled']);
    expect(radmin!.status).toBe('fulfilled');
    const keys = new HubKeys(t.prefix, 'test');
    expect(await t.redis.get(keys.rateLimit('kbatch', '10.0.0.1'))).toBe('5');
    expect(await t.redis.get(keys.rateLimit('kbatch', '10.0.0.2'))).toBe('2');
    // Over the limit already: the whole call is refused and nothing is read.
    const again = await settled([t.store.readPrepared(prep, ticket('10.0.0.1'))]);
    expect(again[0]!.status).toBe('rejected');
    expect(((again[0] as PromiseRejectedResult).reason as RateLimited).window.count).toBe(6);
  });

  it('gives a failing call its own error and the others their answers', async () => {
    const batcher = new ScriptBatcher(t.redis, scriptsFor(t.redis), undefined);
    const keys = new HubKeys(t.prefix, 'test');
    const claimKeys = (id: string) => [keys.holdsByExpiry(), keys.hold(id), keys.idempotency('-', '-'), keys.clientHolds('-'), keys.rateLimit('-', '-')];
    const claimArgs = (id: string, items: string) => [keys.prefix, id, 60_000, '', 0, '', items, '{}', 0, 0, '', ''];
    const recorder = recordScripts(t.redis);
    const good = batcher.call('hold-claim', claimKeys('g1'), claimArgs('g1', JSON.stringify([{ l: 'x', by: 'night', q: 1, cap: 2, d: ['2027-03-01'], b: 0, a: 0, site: 's', res: 'x', wb: 0 }])));
    const bad = batcher.call('hold-claim', claimKeys('b1'), claimArgs('b1', 'not json'));
    const good2 = batcher.call('hold-claim', claimKeys('g2'), claimArgs('g2', JSON.stringify([{ l: 'x', by: 'night', q: 1, cap: 2, d: ['2027-03-01'], b: 0, a: 0, site: 's', res: 'x', wb: 0 }])));
    const [rg, rb, rg2] = await settled([good, bad, good2]);
    recorder.restore();
    expect(recorder.take()).toEqual(['avhub_batch']);
    expect((rg as PromiseFulfilledResult<string[]>).value[0]).toBe('ok');
    expect((rb as PromiseRejectedResult).reason).toBeInstanceOf(Error);
    expect(String((rb as PromiseRejectedResult).reason)).toMatch(/hold-claim: .*(json|JSON|decode|Expected)/);
    expect((rg2 as PromiseFulfilledResult<string[]>).value[0]).toBe('ok');
  });

  it('sends one batch at a time: calls made while one is on its way go together once it is answered', async () => {
    const recorder = recordScripts(t.redis);
    const first = t.store.claimHold({ holdId: 'first', ttlMs: 60_000, items: [night('gc', 99, ['2027-04-01'])] });
    // The first call leaves at the end of this turn; these are made in the next turns, while it is out.
    const later: Array<Promise<unknown>> = [];
    await new Promise<void>((ok) => {
      setImmediate(() => {
        for (let i = 0; i < 3; i++) later.push(t.store.claimHold({ holdId: `l${i}`, ttlMs: 60_000, items: [night('gc', 99, ['2027-04-01'])] }));
        setImmediate(() => {
          for (let i = 3; i < 6; i++) later.push(t.store.claimHold({ holdId: `l${i}`, ttlMs: 60_000, items: [night('gc', 99, ['2027-04-01'])] }));
          ok();
        });
      });
    });
    await Promise.all([first, ...later]);
    recorder.restore();
    const sent = recorder.take();
    // The first alone (evalsha), then the six made while it was out, together.
    expect(sent).toEqual(['avhub_hold_claim', 'avhub_batch']);
    const read = await t.store.read([{ ledger: 'gc', by: 'night', dates: ['2027-04-01'] }], []);
    expect(read.ledgers[0]).toEqual({ used: [7], source: [null] });
  });

  // Batch mode (src/store/lua/includes/batch.lua) asks Redis once per batch for what every call
  // would get the same answer for: the clock, the sweep, a client's rate-limit count and open
  // holds, a ledger's version. Oracle: the same calls made one at a time, each its own script.
  it.each([1, 2, 3, 4, 5])('answers a batch as the same calls one by one would be answered (seed %i)', async (seed) => {
    const other = await openTestStore();
    try {
      const random = mulberry32(seed);
      const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
      const ledgers = [{ id: 'L1', cap: 4 }, { id: 'L2', cap: 3 }] as const;
      const dates = ['2027-05-01', '2027-05-02', '2027-05-03'];
      type Op = { kind: 'claim'; id: string; client: string; ledger: string; cap: number; nights: string[] }
        | { kind: 'read'; client: string; ledger: string };
      const ops: Op[] = Array.from({ length: 40 }, (_, i): Op => {
        const l = pick(ledgers);
        const client = pick(['10.0.0.1', '10.0.0.2', '10.0.0.3']);
        if (random() < 0.25) return { kind: 'read', client, ledger: l.id };
        const first = Math.floor(random() * 3);
        return { kind: 'claim', id: `b${seed}-${i}`, client, ledger: l.id, cap: l.cap, nights: dates.slice(first, first + 1 + Math.floor(random() * (3 - first))) };
      });
      const rate = (client: string) => ({ scope: 'kb', client, windowMs: 60_000, max: 12 });
      const refused = (err: unknown) => {
        if (err instanceof RateLimited) return `rate-limited ${err.window.count}`;
        throw err;
      };
      const run = (store: TestStore['store'], op: Op): Promise<unknown> => (op.kind === 'claim'
        ? store.claimHold({ holdId: op.id, ttlMs: 60_000, items: [night(op.ledger, op.cap, op.nights)],
          client: { scope: 'kb', address: op.client, maxOpen: 3 }, rate: rate(op.client) })
          .then((r) => (r.kind === 'ok' ? 'ok' : r), refused)
        : store.readPrepared(prepareRead([{ ledger: op.ledger, by: 'night', dates }], []), rate(op.client))
          .then((r) => r.ledgers[0], refused));
      // Both stores: holds that fall due before the calls (the first call's sweep releases them),
      // and a kept read of each ledger (its version must move with the calls' claims).
      const before = async (store: TestStore['store']) => {
        for (const l of ledgers) await store.claimHold({ holdId: `due-${l.id}`, ttlMs: 1, items: [night(l.id, l.cap, dates)], client: { scope: 'kb', address: '10.0.0.1', maxOpen: 3 } });
        for (const l of ledgers) await store.read([{ ledger: l.id, by: 'night', dates }], []);
        await new Promise((ok) => setTimeout(ok, 5));
      };
      await before(t.store);
      await before(other.store);
      const oneByOne: unknown[] = [];
      for (const op of ops) oneByOne.push(await run(other.store, op));
      const recorder = recordScripts(t.redis);
      const batched = await Promise.all(ops.map((op) => run(t.store, op)));
      recorder.restore();
      expect(recorder.take()).toEqual(['avhub_batch']);
      expect(batched).toEqual(oneByOne);
      // The same state afterwards, and kept reads that see it.
      const state = async (store: TestStore['store'], redis: Redis, prefix: string) => {
        const keys = new HubKeys(prefix, 'test');
        const out: Record<string, unknown> = {};
        for (const l of ledgers) {
          out[l.id] = (await store.read([{ ledger: l.id, by: 'night', dates }], [])).ledgers[0];
          out[`n:${l.id}`] = await redis.hgetall(`${keys.prefix}n:${l.id}`);
        }
        for (const c of ['10.0.0.1', '10.0.0.2', '10.0.0.3']) {
          out[`rl:${c}`] = await redis.get(keys.rateLimit('kb', c));
          out[`open:${c}`] = await redis.zcard(keys.clientHolds(`kb|${c}`));
        }
        for (const l of ledgers) out[`due-${l.id}`] = await redis.hget(keys.hold(`due-${l.id}`), 'status');
        return out;
      };
      const after = await state(t.store, t.redis, t.prefix);
      expect(after).toEqual(await state(other.store, other.redis, other.prefix));
      expect(after['due-L1']).toBe('expired');
    } finally {
      await other.cleanup();
    }
  });
});

/** A small seeded generator (mulberry32), so a failing seed can be run again. */
function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6D2B79F5) | 0;
    let x = Math.imul(a ^ (a >>> 15), 1 | a);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}
