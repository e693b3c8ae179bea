import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openTestStore, type TestStore } from '../helpers/redis.js';
import type { ClaimItem } from '../../src/store/types.js';

const night = (ledger: string, cap: number, nights: string[], q = 1): ClaimItem => ({
  ledger, by: 'night', quantity: q, capacity: cap, nights, bufferBefore: 0, bufferAfter: 0,
  site: 's', resource: ledger, writeback: false,
});
const time = (ledger: string, cap: number, start: number, end: number, b = 0, a = 0): ClaimItem => ({
  ledger, by: 'time', quantity: 1, capacity: cap, start, end, bufferBefore: b, bufferAfter: a,
  site: 's', resource: ledger, writeback: false,
});

let t: TestStore;
beforeEach(async () => { t = await openTestStore(); });
afterEach(async () => { await t.cleanup(); });

describe('hold-claim', () => {
  it('claims nights up to capacity and refuses the next', async () => {
    const nights = ['2027-01-10', '2027-01-11'];
    for (let i = 0; i < 3; i++) {
      const r = await t.store.claimHold({ holdId: `h${i}`, ttlMs: 60_000, items: [night('pool', 3, nights)] });
      expect(r.kind).toBe('ok');
    }
    const r = await t.store.claimHold({ holdId: 'h4', ttlMs: 60_000, items: [night('pool', 3, ['2027-01-11'])] });
    expect(r).toEqual({ kind: 'unavailable', itemIndex: 0, where: '2027-01-11' });
  });

  it('claims nothing of a multi-item hold whose last item is taken', async () => {
    await t.store.claimHold({ holdId: 'x', ttlMs: 60_000, items: [time('hall', 1, 1000, 2000)] });
    const r = await t.store.claimHold({
      holdId: 'multi', ttlMs: 60_000,
      items: [night('rooms', 5, ['2027-01-10']), time('hall', 1, 1500, 2500)],
    });
    expect(r.kind).toBe('unavailable');
    const read = await t.store.read([{ ledger: 'rooms', by: 'night', dates: ['2027-01-10'] }], []);
    expect(read.ledgers[0]).toEqual({ used: [0], source: [null] });
  });

  it('counts earlier items of the same hold on the same ledger', async () => {
    const r = await t.store.claimHold({
      holdId: 'twice', ttlMs: 60_000,
      items: [night('p', 3, ['2027-01-10'], 2), night('p', 3, ['2027-01-10'], 2)],
    });
    expect(r.kind).toBe('unavailable');
  });

  it('keeps buffers between bookings of a unit', async () => {
    const h = 3_600_000;
    expect((await t.store.claimHold({ holdId: 'a', ttlMs: 60_000, items: [time('u', 1, 10 * h, 12 * h, 0, h / 2)] })).kind).toBe('ok');
    expect((await t.store.claimHold({ holdId: 'b', ttlMs: 60_000, items: [time('u', 1, 12 * h, 13 * h, 0, h / 2)] })).kind).toBe('unavailable');
    expect((await t.store.claimHold({ holdId: 'c', ttlMs: 60_000, items: [time('u', 1, 12.5 * h, 13 * h, 0, h / 2)] })).kind).toBe('ok');
  });

  it('lets touching intervals through and counts overlap for time pools', async () => {
    expect((await t.store.claimHold({ holdId: 'a', ttlMs: 60_000, items: [time('tp', 2, 0, 100)] })).kind).toBe('ok');
    expect((await t.store.claimHold({ holdId: 'b', ttlMs: 60_000, items: [time('tp', 2, 50, 150)] })).kind).toBe('ok');
    expect((await t.store.claimHold({ holdId: 'c', ttlMs: 60_000, items: [time('tp', 2, 99, 101)] })).kind).toBe('unavailable');
    expect((await t.store.claimHold({ holdId: 'd', ttlMs: 60_000, items: [time('tp', 2, 100, 200)] })).kind).toBe('ok');
  });

  it('does not count claims that only touch as concurrent', async () => {
    expect((await t.store.claimHold({ holdId: 'a', ttlMs: 60_000, items: [time('tc', 2, 0, 100)] })).kind).toBe('ok');
    expect((await t.store.claimHold({ holdId: 'b', ttlMs: 60_000, items: [time('tc', 2, 100, 200)] })).kind).toBe('ok');
    // Across [50, 150) at most one of a and b runs at any instant, so one more fits in a pool of 2.
    expect((await t.store.claimHold({ holdId: 'c', ttlMs: 60_000, items: [time('tc', 2, 50, 150)] })).kind).toBe('ok');
    expect((await t.store.claimHold({ holdId: 'd', ttlMs: 60_000, items: [time('tc', 2, 60, 140)] })).kind).toBe('unavailable');
  });

  it('refuses a claim whose buffer meets another claim', async () => {
    expect((await t.store.claimHold({ holdId: 'a', ttlMs: 60_000, items: [time('bu', 1, 1000, 2000, 0, 500)] })).kind).toBe('ok');
    // [0, 1000) occupies [0, 1500) with its own cleaning time: it runs into a.
    expect((await t.store.claimHold({ holdId: 'b', ttlMs: 60_000, items: [time('bu', 1, 0, 1000, 0, 500)] })).kind).toBe('unavailable');
    expect((await t.store.claimHold({ holdId: 'c', ttlMs: 60_000, items: [time('bu', 1, 0, 500, 0, 500)] })).kind).toBe('ok');
  });

  it('replays the same Idempotency-Key and refuses it for another request', async () => {
    const idem = { scope: 'k', key: 'abc', fingerprint: 'f1' };
    const first = await t.store.claimHold({ holdId: 'h1', ttlMs: 60_000, items: [night('p', 1, ['2027-01-10'])], idempotency: idem });
    const again = await t.store.claimHold({ holdId: 'h2', ttlMs: 60_000, items: [night('p', 1, ['2027-01-10'])], idempotency: idem });
    expect(first.kind).toBe('ok');
    expect(again).toMatchObject({ kind: 'replay', holdId: 'h1', status: 'held' });
    const other = await t.store.claimHold({ holdId: 'h3', ttlMs: 60_000, items: [night('p', 1, ['2027-01-11'])], idempotency: { ...idem, fingerprint: 'f2' } });
    expect(other).toEqual({ kind: 'mismatch', holdId: 'h1' });
  });

  it('caps open holds per client', async () => {
    const client = { scope: 'kA', address: '10.0.0.1', maxOpen: 2 };
    for (const id of ['a', 'b']) {
      expect((await t.store.claimHold({ holdId: id, ttlMs: 60_000, items: [night('p', 9, ['2027-01-10'])], client })).kind).toBe('ok');
    }
    expect(await t.store.claimHold({ holdId: 'c', ttlMs: 60_000, items: [night('p', 9, ['2027-01-10'])], client }))
      .toEqual({ kind: 'too-many-holds', open: 2 });
    await t.store.releaseHold('a');
    expect((await t.store.claimHold({ holdId: 'c', ttlMs: 60_000, items: [night('p', 9, ['2027-01-10'])], client })).kind).toBe('ok');
  });

  // Issue 14 (4): the cap is per (widget key, client); key A's holds from an address never
  // refuse key B's first hold from the same address.
  it('counts open holds per widget key and client, not per address alone', async () => {
    const a = { scope: 'kA', address: '10.0.0.9', maxOpen: 3 };
    const b = { scope: 'kB', address: '10.0.0.9', maxOpen: 3 };
    for (const id of ['a1', 'a2', 'a3']) {
      expect((await t.store.claimHold({ holdId: id, ttlMs: 60_000, items: [night('p', 9, ['2027-01-12'])], client: a })).kind).toBe('ok');
    }
    expect((await t.store.claimHold({ holdId: 'a4', ttlMs: 60_000, items: [night('p', 9, ['2027-01-12'])], client: a })).kind).toBe('too-many-holds');
    expect((await t.store.claimHold({ holdId: 'b1', ttlMs: 60_000, items: [night('p', 9, ['2027-01-12'])], client: b })).kind).toBe('ok');
    // Releasing and confirming keep each key's count apart.
    await t.store.releaseHold('a1');
    expect((await t.store.claimHold({ holdId: 'a5', ttlMs: 60_000, items: [night('p', 9, ['2027-01-12'])], client: a })).kind).toBe('ok');
  });

  // Issue 14 (3): the record is readable before any rule or health check.
  it('recordedHold answers a replay, a mismatch, or nothing for a new key', async () => {
    const idem = { scope: 'kA', key: 'replay-read', fingerprint: 'f1' };
    expect(await t.store.recordedHold(idem)).toBeUndefined();
    await t.store.claimHold({ holdId: 'r1', ttlMs: 60_000, items: [night('p', 1, ['2027-01-13'])], idempotency: idem });
    expect(await t.store.recordedHold(idem)).toMatchObject({ kind: 'replay', holdId: 'r1', status: 'held' });
    expect(await t.store.recordedHold({ ...idem, fingerprint: 'f2' })).toEqual({ kind: 'mismatch', holdId: 'r1' });
    expect(await t.store.recordedHold({ ...idem, scope: 'kB' })).toBeUndefined();
  });
});

describe('expiry, confirm, release, cancel', () => {
  it('frees an expired hold by its own deadline, with no process running in between', async () => {
    await t.store.claimHold({ holdId: 'short', ttlMs: 300, items: [night('p', 1, ['2027-01-10'])] });
    expect((await t.store.claimHold({ holdId: 'x', ttlMs: 60_000, items: [night('p', 1, ['2027-01-10'])] })).kind).toBe('unavailable');
    await new Promise((r) => setTimeout(r, 400));
    expect((await t.store.claimHold({ holdId: 'y', ttlMs: 60_000, items: [night('p', 1, ['2027-01-10'])] })).kind).toBe('ok');
    expect((await t.store.getHold('short'))?.status).toBe('expired');
    expect(await t.store.confirmHold('short', 'r1', 'tok')).toEqual({ kind: 'expired' });
  });

  it('confirms once, replays a repeated confirm, and writes the outbox only for write-back sites', async () => {
    await t.store.claimHold({ holdId: 'h', ttlMs: 60_000, items: [{ ...night('p', 1, ['2027-01-10']), writeback: true }] });
    const c = await t.store.confirmHold('h', 'r1', 'tok1');
    expect(c).toEqual({ kind: 'ok', reservationId: 'r1', status: 'pending', token: 'tok1' });
    expect(await t.store.confirmHold('h', 'r2', 'tok2')).toEqual({ kind: 'already', reservationId: 'r1', status: 'pending', token: 'tok1' });
    expect(await t.redis.xlen(t.store.keys.outbox())).toBe(1);
    await t.store.claimHold({ holdId: 'n', ttlMs: 60_000, items: [night('q', 1, ['2027-01-10'])] });
    expect(await t.store.confirmHold('n', 'r3', 'tok3')).toMatchObject({ status: 'confirmed' });
    expect(await t.redis.xlen(t.store.keys.outbox())).toBe(1);
  });

  it('returns capacity when a reservation is cancelled', async () => {
    await t.store.claimHold({ holdId: 'h', ttlMs: 60_000, items: [time('u', 1, 0, 100)] });
    await t.store.confirmHold('h', 'r', 'tok');
    expect((await t.store.claimHold({ holdId: 'z', ttlMs: 60_000, items: [time('u', 1, 0, 100)] })).kind).toBe('unavailable');
    expect(await t.store.cancelReservation('r', 'admin')).toEqual({ kind: 'ok', previous: 'confirmed' });
    expect(await t.store.cancelReservation('r', 'admin')).toEqual({ kind: 'already' });
    expect((await t.store.claimHold({ holdId: 'z', ttlMs: 60_000, items: [time('u', 1, 0, 100)] })).kind).toBe('ok');
  });

  it('refuses to confirm a released hold', async () => {
    await t.store.claimHold({ holdId: 'h', ttlMs: 60_000, items: [time('u', 1, 0, 100)] });
    expect(await t.store.releaseHold('h')).toBe('ok');
    expect(await t.store.releaseHold('h')).toBe('released');
    expect(await t.store.confirmHold('h', 'r', 't')).toEqual({ kind: 'released' });
  });
});
