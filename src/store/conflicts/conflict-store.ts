import type { RedisClient } from '../connection.js';
import type { HubKeys } from '../keys.js';
import { Leases } from '../lease.js';
import { scriptsFor, type Script } from '../scripts.js';
import {
  asList, asObject, decodeItems, decodeNightFigures, decodeSeen, decodeSourceClaim, decodeTimeMember, encodeSeen,
  itemLedgers, tryJson,
} from './decode.js';
import type {
  HubItem, LedgerAsk, LedgerSnapshot, LiveReservation, SeenInput, StoredConflict, TimeClaim,
} from './types.js';

/**
 * How long a ledger lock lives without renewal (it is renewed every third of that while held),
 * and how long a second checker waits for it. The lifetime is shorter than the wait, like the
 * poll lease's: a lock whose holder was killed lapses while the next checker waits, instead of
 * failing that check and keeping its poll (and the site's poll lease) busy for the whole wait
 * (found by test/chaos/hub-crash.test.ts: an API killed mid-check left a 30 s lock).
 */
const LOCK = { ttlMs: 10_000, waitMs: 20_000, retryMs: 25 };

/**
 * Conflict records and what conflict detection reads and remembers (key names in HubKeys, under
 * the hub's hash tag). Records are kept as JSON documents of the caller's type `R`, indexed by
 * status and ledger; every read hands out typed objects, never the scripts' encoding.
 */
export class ConflictStore<R extends StoredConflict = StoredConflict> {
  private readonly run: Record<'conflict-read', Script>;
  private readonly leases: Leases;

  constructor(private readonly redis: RedisClient, readonly keys: HubKeys) {
    this.run = scriptsFor(redis);
    this.leases = new Leases(redis);
  }

  // ---- records --------------------------------------------------------------------------------

  async get(id: string): Promise<R | null> {
    return (tryJson(await this.redis.hget(this.keys.conflict(id), 'data')) as R | undefined) ?? null;
  }

  async getMany(ids: readonly string[]): Promise<R[]> {
    if (ids.length === 0) return [];
    const pipe = this.redis.pipeline();
    for (const id of ids) pipe.hget(this.keys.conflict(id), 'data');
    const out = await pipe.exec();
    return (out ?? []).flatMap(([, v]) => (typeof v === 'string' ? [JSON.parse(v) as R] : []));
  }

  /** Writes the record and keeps the indexes in step, in one MULTI. `active`: still overbooked. */
  async save(rec: R, opts: { active: boolean }): Promise<void> {
    const k = this.keys;
    const m = this.redis.multi()
      .hset(k.conflict(rec.id), 'status', rec.status, 'ledger', rec.ledger, 'data', JSON.stringify(rec))
      .zadd(k.conflictsAll(), Date.parse(rec.updatedAt), rec.id);
    if (rec.status === 'open') m.zadd(k.conflictsOpen(), Date.parse(rec.openedAt), rec.id);
    else m.zrem(k.conflictsOpen(), rec.id);
    if (opts.active) m.sadd(k.conflictsOfLedger(rec.ledger), rec.id);
    else m.srem(k.conflictsOfLedger(rec.ledger), rec.id);
    for (const b of rec.bookings) {
      if (!b.reservationId) continue;
      if (opts.active) m.sadd(k.conflictsOfReservation(b.reservationId), rec.id);
      else m.srem(k.conflictsOfReservation(b.reservationId), rec.id);
    }
    await m.exec();
  }

  /** Open conflicts the reservation takes part in (through its index: no read of every open conflict). */
  async openWithReservation(reservationId: string): Promise<R[]> {
    const key = this.keys.conflictsOfReservation(reservationId);
    const ids = await this.redis.smembers(key);
    const open = (await this.getMany(ids)).filter((r) => r.status === 'open' && r.bookings.some((b) => b.reservationId === reservationId));
    // save() indexes a record's current bookings only: an id whose record was deleted, resolved
    // or no longer names this reservation is stale here. Drop it on read so the set stays small.
    const stale = ids.filter((id) => !open.some((r) => r.id === id));
    if (stale.length > 0) await this.redis.srem(key, ...stale);
    return open;
  }

  /** Ids of the ledger's conflicts still overbooked (open, or accepted by staff). */
  async activeIds(ledger: string): Promise<string[]> {
    return this.redis.smembers(this.keys.conflictsOfLedger(ledger));
  }

  async openIds(): Promise<string[]> {
    return this.redis.zrange(this.keys.conflictsOpen(), '0', '-1');
  }

  /** Whether the record is listed as open (the index, not the record's own field). */
  async isOpen(id: string): Promise<boolean> {
    return (await this.redis.zscore(this.keys.conflictsOpen(), id)) !== null;
  }

  /** Newest first. */
  async list(status: 'open' | 'resolved' | undefined, limit: number): Promise<R[]> {
    if (status === 'open') return this.getMany(await this.redis.zrevrange(this.keys.conflictsOpen(), 0, limit - 1));
    const out: R[] = [];
    for (let start = 0; out.length < limit; start += 200) {
      const ids = await this.redis.zrevrange(this.keys.conflictsAll(), start, start + 199);
      if (ids.length === 0) break;
      for (const r of await this.getMany(ids)) {
        if (!status || r.status === status) out.push(r);
        if (out.length >= limit) break;
      }
    }
    return out;
  }

  /** Runs `fn` holding the ledger's lock (a lease, renewed while `fn` runs, that lapses if this process dies). */
  async withLock<T>(ledger: string, fn: () => Promise<T>): Promise<T> {
    return this.leases.with(this.keys.conflictLock(ledger), LOCK, fn);
  }

  // ---- what detection reads -------------------------------------------------------------------

  /** One consistent read of the ledger, the live holds and the member sites' source bookings. */
  async snapshot(ask: LedgerAsk, sites: readonly string[]): Promise<LedgerSnapshot> {
    const lua = ask.by === 'night' ? { l: ask.ledger, by: 'night' } : { l: ask.ledger, by: 'time', from: ask.from, to: ask.to };
    const raw = asObject(tryJson(await this.run['conflict-read']([this.keys.holdsByExpiry()],
      [this.keys.prefix, JSON.stringify([lua]), JSON.stringify(sites)]) as string));
    const holds = new Map<string, HubItem[]>();
    for (const [id, items] of asList<[string, string]>(raw.holds)) holds.set(id, decodeItems(items));
    const ledger = asObject(asList<unknown>(raw.ledgers)[0]);
    const rawSites = asList<unknown>(raw.sites);
    const decodeHash = <T>(h: unknown, decode: (id: string, v: unknown) => T) => new Map(Object.entries(asObject(h))
      .flatMap(([id, text]) => {
        const v = tryJson(typeof text === 'string' ? text : undefined);
        return v === undefined ? [] : [[id, decode(id, v)] as const];
      }));
    return {
      now: Number(raw.now),
      holds,
      ledger: ask.by === 'night'
        ? { by: 'night', nights: decodeNightFigures(ledger) }
        : { by: 'time', claims: asList<string>(ledger.t).map(decodeTimeMember).filter((c): c is TimeClaim => c !== null) },
      sites: new Map(sites.map((s, i) => {
        const r = asObject(rawSites[i]);
        return [s, { claims: decodeHash(r.src, decodeSourceClaim), seen: decodeHash(r.meta, (_, v) => decodeSeen(v)) }];
      })),
    };
  }

  /**
   * The live (pending or confirmed) hub reservations with an item on the ledger, found through its
   * index (lr:<ledger>): the cost follows the ledger, not the hub. Only read while it is over capacity.
   */
  async liveReservations(ledger: string): Promise<LiveReservation[]> {
    const ids = await this.redis.smembers(this.keys.ledgerReservations(ledger));
    if (ids.length === 0) return [];
    const pipe = this.redis.pipeline();
    for (const id of ids) pipe.hmget(this.keys.reservation(id), 'status', 'items', 'createdAt', 'updatedAt', 'holdId');
    const rows = (await pipe.exec()) ?? [];
    return rows.flatMap(([, v], i) => {
      const [status, items, createdAt, updatedAt, holdId] = (v ?? []) as Array<string | null>;
      if (status !== 'pending' && status !== 'confirmed') return [];
      return [{ id: ids[i]!, status, holdId: holdId ?? '', items: decodeItems(items),
        createdAt: Number(createdAt ?? 0), updatedAt: Number(updatedAt ?? 0) }];
    });
  }

  /**
   * Builds the per-ledger indexes of live holds and reservations, and the open conflicts' index by
   * reservation, for data written before they existed. Runs its SCAN once per hub (a marker key remembers it); idempotent, so two processes
   * starting together do no harm.
   */
  async indexOnce(): Promise<void> {
    const k = this.keys;
    if (await this.redis.exists(k.ledgerIndexBuilt())) return;
    const index = async (rows: Array<{ zscore?: number; id: string; items: string | null | undefined }>) => {
      const pipe = this.redis.pipeline();
      for (const r of rows) {
        for (const l of itemLedgers(r.items)) {
          if (r.zscore !== undefined) pipe.zadd(k.ledgerHolds(l), r.zscore, r.id);
          else pipe.sadd(k.ledgerReservations(l), r.id);
        }
      }
      await pipe.exec();
    };
    const holds = await this.redis.zrange(k.holdsByExpiry(), '0', '-1', 'WITHSCORES');
    for (let i = 0; i < holds.length; i += 2000) {
      const part = holds.slice(i, i + 2000);
      const pipe = this.redis.pipeline();
      for (let j = 0; j < part.length; j += 2) pipe.hmget(k.hold(part[j]!), 'status', 'items');
      const rows = (await pipe.exec()) ?? [];
      await index(rows.flatMap(([, v], j) => {
        const [status, items] = (v ?? []) as Array<string | null>;
        return status === 'held' ? [{ id: part[2 * j]!, zscore: Number(part[2 * j + 1]), items }] : [];
      }));
    }
    const base = k.reservation('');
    let cursor = '0';
    do {
      const [next, keys] = await this.redis.scan(cursor, 'MATCH', k.reservationPattern(), 'COUNT', 1000);
      cursor = next;
      if (keys.length === 0) continue;
      const pipe = this.redis.pipeline();
      for (const key of keys) pipe.hmget(key, 'status', 'items');
      const rows = (await pipe.exec()) ?? [];
      await index(rows.flatMap(([, v], i) => {
        const [status, items] = (v ?? []) as Array<string | null>;
        return status === 'pending' || status === 'confirmed' ? [{ id: keys[i]!.slice(base.length), items }] : [];
      }));
    } while (cursor !== '0');
    const open = await this.getMany(await this.openIds());
    if (open.length > 0) {
      const pipe = this.redis.pipeline();
      for (const rec of open) {
        for (const b of rec.bookings) if (b.reservationId) pipe.sadd(k.conflictsOfReservation(b.reservationId), rec.id);
      }
      await pipe.exec();
    }
    await this.redis.set(k.ledgerIndexBuilt(), '1');
  }

  /** The ledgers a hub reservation's items claim on (none for an unknown or unreadable one). */
  async reservationLedgers(reservationId: string): Promise<string[]> {
    return itemLedgers(await this.redis.hget(this.keys.reservation(reservationId), 'items'));
  }

  /** A reservation's status, or null when it is gone. */
  async reservationStatus(reservationId: string): Promise<string | null> {
    return this.redis.hget(this.keys.reservation(reservationId), 'status');
  }

  // ---- what detection remembers ---------------------------------------------------------------

  /** Last modification through the API (ms) of each reservation that has one. */
  async modifiedTimes(ids: readonly string[]): Promise<Map<string, number>> {
    if (ids.length === 0) return new Map();
    const v = await this.redis.hmget(this.keys.reservationModified(), ...ids);
    return new Map(ids.flatMap((id, i) => (v[i] ? [[id, Number(v[i])] as const] : [])));
  }

  async markModified(reservationId: string, at: number): Promise<void> {
    await this.redis.hset(this.keys.reservationModified(), reservationId, at);
  }

  /** Remembers a count-only source's inventory by date: it stands in on a sold-out night. */
  async rememberInventory(ledger: string, inventory: Record<string, number>): Promise<void> {
    if (Object.keys(inventory).length > 0) await this.redis.hset(this.keys.sourceInventory(ledger), inventory);
  }

  /**
   * Records the bookings a poll brought, keeping each one's first-seen time (`now` for a new
   * one). A full poll replaces the site's records; a delta forgets `removed`.
   */
  async recordSeen(site: string, poll: { full: boolean; removed: readonly string[]; bookings: readonly SeenInput[]; now: number }): Promise<void> {
    const key = this.keys.seenBookings(site);
    const ids = poll.bookings.map((b) => b.id);
    const before = ids.length > 0 ? await this.redis.hmget(key, ...ids) : [];
    const records: Record<string, string> = {};
    poll.bookings.forEach((b, i) => {
      const prior = tryJson(before[i]);
      records[b.id] = encodeSeen(b, prior === undefined || prior === null ? poll.now : decodeSeen(prior).firstSeen || poll.now);
    });
    const m = this.redis.multi();
    if (poll.full) m.del(key);
    if (poll.removed.length > 0 && !poll.full) m.hdel(key, ...poll.removed);
    if (ids.length > 0) m.hset(key, records);
    await m.exec();
  }

  /** Whether the last polls of `site` still saw the booking. */
  async stillSeen(site: string, externalId: string): Promise<boolean> {
    return (await this.redis.hexists(this.keys.seenBookings(site), externalId)) === 1;
  }
}
