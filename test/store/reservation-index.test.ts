import { afterAll, beforeAll, expect, it } from 'vitest';
import type { ClaimItem } from '../../src/store/types.js';
import { openTestStore, type TestStore } from '../helpers/redis.js';

const item: ClaimItem = {
  ledger: 'r:mitte/double', by: 'night', quantity: 1, capacity: 10, nights: ['2027-05-01'], bufferBefore: 0, bufferAfter: 0,
  site: 'mitte', resource: 'double', writeback: false,
};

let t: TestStore;
beforeAll(async () => { t = await openTestStore(); });
afterAll(async () => { await t.cleanup(); });

async function reserve(n: number): Promise<string> {
  expect((await t.store.claimHold({ holdId: `h${n}`, ttlMs: 60_000, items: [item], meta: { customer: { name: `Guest ${n}` } } })).kind).toBe('ok');
  expect((await t.store.confirmHold(`h${n}`, `r${n}`, 'tok')).kind).toBe('ok');
  return `r${n}`;
}

it('lists reservations newest first from the creation index the confirm script writes, and live holds', async () => {
  for (let n = 1; n <= 3; n++) {
    await reserve(n);
    await new Promise((r) => setTimeout(r, 5)); // distinct creation times
  }
  expect((await t.store.reservationsNewestFirst(0, 10)).map((r) => r.id)).toEqual(['r3', 'r2', 'r1']);
  expect((await t.store.reservationsNewestFirst(1, 1)).map((r) => r.id)).toEqual(['r2']);
  expect((await t.store.claimHold({ holdId: 'live', ttlMs: 60_000, items: [item] })).kind).toBe('ok');
  expect((await t.store.liveHolds(100, await t.store.now())).map((h) => h.id)).toEqual(['live']);
});

it('indexes reservations made before the index existed, once', async () => {
  // As a hub of an older version left them: reservations, no index, no marker.
  await t.redis.del(t.store.keys.reservationsByCreation(), t.store.keys.reservationIndexBuilt());
  expect(await t.store.reservationsNewestFirst(0, 10)).toEqual([]);
  await t.store.indexReservationsOnce();
  expect((await t.store.reservationsNewestFirst(0, 10)).map((r) => r.id)).toEqual(['r3', 'r2', 'r1']);
  expect(await t.redis.exists(t.store.keys.reservationIndexBuilt())).toBe(1);
  // Once built, it is not scanned again: a reservation dropped from the index stays out.
  await t.redis.zrem(t.store.keys.reservationsByCreation(), 'r1');
  await t.store.indexReservationsOnce();
  expect((await t.store.reservationsNewestFirst(0, 10)).map((r) => r.id)).toEqual(['r3', 'r2']);
});
