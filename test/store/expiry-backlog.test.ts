import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HubKeys } from '../../src/store/keys.js';
import type { ClaimItem } from '../../src/store/types.js';
import { openTestStore, type TestStore } from '../helpers/redis.js';

// Holds made in one burst fall due in one burst. A script sweeps at most SWEEP_LIMIT (64) of the
// hub's due holds (src/store/lua/includes/common.lua), so its cost does not grow with that
// backlog; what it reads or claims is still exact, because it first expires the due holds of the
// ledgers it uses (through lh:<ledger>).

const LEDGERS = 10;
const PER_LEDGER = 100;
const DAY = '2027-06-01';

const night = (ledger: string, cap: number): ClaimItem => ({
  ledger, by: 'night', quantity: 1, capacity: cap, nights: [DAY], bufferBefore: 0, bufferAfter: 0,
  site: 's', resource: ledger, writeback: false,
});

let t: TestStore;
let keys: HubKeys;
beforeEach(async () => {
  t = await openTestStore();
  keys = new HubKeys(t.prefix, 'test');
  // LEDGERS full ledgers, every hold on them due at about the same instant.
  const claims = [];
  for (let l = 0; l < LEDGERS; l++) {
    for (let i = 0; i < PER_LEDGER; i++) {
      claims.push(t.store.claimHold({ holdId: `burst-${l}-${i}`, ttlMs: 600, items: [night(`L${l}`, PER_LEDGER)],
        client: { scope: 'k', address: `10.0.${l}.${i}`, maxOpen: 1 } }));
    }
  }
  const made = await Promise.all(claims);
  expect(made.every((r) => r.kind === 'ok')).toBe(true);
  await new Promise((ok) => setTimeout(ok, 700));
});
afterEach(async () => { await t.cleanup(); });

const due = () => t.redis.zcard(keys.holdsByExpiry());

describe('a backlog of holds that fell due together', () => {
  it('is expired a bounded part at a time, while each read sees its own ledgers exactly', async () => {
    expect(await due()).toBe(LEDGERS * PER_LEDGER);
    const read = await t.store.read([{ ledger: 'L7', by: 'night', dates: [DAY] }], []);
    expect(read.ledgers[0]).toEqual({ used: [0], source: [null] });
    // One sweep's worth of the hub's backlog, plus the read's own ledger: not all of it.
    const left = await due();
    expect(left).toBeGreaterThanOrEqual(LEDGERS * PER_LEDGER - 64 - PER_LEDGER);
    expect(left).toBeLessThan(LEDGERS * PER_LEDGER - PER_LEDGER);
    expect(await t.redis.zcard(keys.ledgerHolds('L7'))).toBe(0);
    expect(await t.redis.hget(keys.hold('burst-7-5'), 'status')).toBe('expired');
  });

  it('does not let the due holds crowd the live ones out of a listing', async () => {
    expect((await t.store.claimHold({ holdId: 'live', ttlMs: 60_000, items: [night('L0', PER_LEDGER)] })).kind).toBe('ok');
    expect((await t.store.liveHolds(5, await t.store.now())).map((h) => h.id)).toEqual(['live']);
  });

  it('lets a claim have the whole capacity of a ledger whose holds are due but not yet swept', async () => {
    const claims = await Promise.all(Array.from({ length: PER_LEDGER }, (_, i) => t.store.claimHold({
      holdId: `new-${i}`, ttlMs: 60_000, items: [night('L3', PER_LEDGER)] })));
    expect(claims.every((r) => r.kind === 'ok')).toBe(true);
    const one = await t.store.claimHold({ holdId: 'one-too-many', ttlMs: 60_000, items: [night('L3', PER_LEDGER)] });
    expect(one.kind).toBe('unavailable');
    // The client cap counts open holds by their deadline, swept or not.
    const again = await t.store.claimHold({ holdId: 'same-client', ttlMs: 60_000, items: [night('L4', PER_LEDGER)],
      client: { scope: 'k', address: '10.0.4.1', maxOpen: 1 } });
    expect(again.kind).toBe('ok');
  });

  it('answers expired to a confirm or release of a due hold the sweep has not reached, and gives its capacity back', async () => {
    expect(await t.store.confirmHold('burst-2-9', 'r-1', 'tok')).toEqual({ kind: 'expired' });
    expect(await t.store.releaseHold('burst-9-9')).toBe('expired');
    for (const id of ['burst-2-9', 'burst-9-9']) expect(await t.redis.hget(keys.hold(id), 'status')).toBe('expired');
    const raw = await t.redis.hmget(`${keys.prefix}n:L2`, DAY);
    // The confirm expired its own hold (and at most one bounded sweep of others).
    expect(Number(raw[0])).toBeLessThan(PER_LEDGER);
  });

  it('drains under traffic, each script taking its bounded share', async () => {
    let calls = 0;
    let before = await due();
    while (before > 0) {
      await t.store.read([{ ledger: 'elsewhere', by: 'night', dates: [DAY] }], []);
      const after = await due();
      expect(before - after).toBeLessThanOrEqual(64);
      before = after;
      calls++;
    }
    expect(calls).toBe(Math.ceil((LEDGERS * PER_LEDGER) / 64));
    for (let l = 0; l < LEDGERS; l++) expect(await t.redis.hget(`${keys.prefix}n:L${l}`, DAY)).toBeNull();
  });
});
