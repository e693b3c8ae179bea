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
});
