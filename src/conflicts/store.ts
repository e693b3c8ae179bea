import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { HubKeys } from '../store/keys.js';
import { registerScripts, type ScriptName } from '../store/scripts.js';
import type { LuaClaim, MetaRecord } from './evaluate.js';
import type { ConflictRecord } from './types.js';

/*
 * Conflict records and what detection reads, under the hub's prefix (one Cluster slot):
 *   <p>conflict:<id>          hash   status, ledger, data (the record as JSON)
 *   <p>conflicts:open         zset   id -> opened at (ms)
 *   <p>conflicts:all          zset   id -> last change (ms), open and resolved
 *   <p>conflicts:ledger:<l>   set    ids still overbooked on ledger l (open, or accepted by staff)
 *   <p>cf:meta:<site>         hash   externalId -> MetaRecord JSON: first seen, created/updated,
 *                                    and for count-only resources the booking itself
 *   <p>cf:inv:<ledger>        hash   local date -> last inventory seen at a count-only source
 *   <p>cf:mod                 hash   reservationId -> last modification through the API (ms)
 *   <p>cf:lock:<ledger>       string one detection or resolution per ledger at a time
 */

/** A hold's or reservation's item as the scripts store it. */
type HubItem = LuaClaim & { site?: string; res?: string; wb?: number; x?: string };

export interface LiveReservation {
  id: string;
  status: string;
  holdId: string;
  items: HubItem[];
  createdAt: number;
  updatedAt: number;
}

/** A night ledger's figures by local date (see common.lua) and what detection remembers. */
export interface NightRaw {
  n: Record<string, string>;
  sn: Record<string, string>;
  rep: Record<string, string>;
  inv: Record<string, string>;
  /** Units written back to a count-only source that no polled count includes yet. */
  unrep: Record<string, string>;
}

export interface Snapshot {
  now: number;
  /** Live holds: id -> items. */
  holds: Map<string, HubItem[]>;
  ledgers: Array<NightRaw | { t: string[] }>;
  sites: Map<string, { src: Map<string, LuaClaim>; meta: Map<string, MetaRecord> }>;
}

const RELEASE = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0";

const obj = (v: unknown): Record<string, string> => (v && typeof v === 'object' && !Array.isArray(v) ? v as Record<string, string> : {});
const list = <T>(v: unknown): T[] => (Array.isArray(v) ? v as T[] : []);
const globEscape = (s: string) => s.replace(/[*?[\]\\]/g, (c) => `\\${c}`);

export class ConflictStore {
  private readonly run: Record<ScriptName, (keys: string[], args: Array<string | number>) => Promise<unknown>>;
  readonly p: string;

  constructor(private readonly redis: Redis, readonly keys: HubKeys) {
    this.run = registerScripts(redis);
    this.p = keys.prefix;
  }

  key(id: string): string { return `${this.p}conflict:${id}`; }
  openIndex(): string { return `${this.p}conflicts:open`; }
  allIndex(): string { return `${this.p}conflicts:all`; }
  ledgerIndex(ledger: string): string { return `${this.p}conflicts:ledger:${ledger}`; }
  meta(site: string): string { return `${this.p}cf:meta:${site}`; }
  inventory(ledger: string): string { return `${this.p}cf:inv:${ledger}`; }
  modified(): string { return `${this.p}cf:mod`; }

  async get(id: string): Promise<ConflictRecord | null> {
    const data = await this.redis.hget(this.key(id), 'data');
    return data ? JSON.parse(data) as ConflictRecord : null;
  }

  async getMany(ids: readonly string[]): Promise<ConflictRecord[]> {
    if (ids.length === 0) return [];
    const pipe = this.redis.pipeline();
    for (const id of ids) pipe.hget(this.key(id), 'data');
    const out = await pipe.exec();
    return (out ?? []).flatMap(([, v]) => (typeof v === 'string' ? [JSON.parse(v) as ConflictRecord] : []));
  }

  /** Writes the record and keeps the indexes in step, in one MULTI. */
  async save(rec: ConflictRecord, opts: { active: boolean }): Promise<void> {
    const now = Date.parse(rec.updatedAt);
    const m = this.redis.multi()
      .hset(this.key(rec.id), 'status', rec.status, 'ledger', rec.ledger, 'data', JSON.stringify(rec))
      .zadd(this.allIndex(), now, rec.id);
    if (rec.status === 'open') m.zadd(this.openIndex(), Date.parse(rec.openedAt), rec.id);
    else m.zrem(this.openIndex(), rec.id);
    if (opts.active) m.sadd(this.ledgerIndex(rec.ledger), rec.id);
    else m.srem(this.ledgerIndex(rec.ledger), rec.id);
    await m.exec();
  }

  async activeIds(ledger: string): Promise<string[]> {
    return this.redis.smembers(this.ledgerIndex(ledger));
  }

  async openIds(): Promise<string[]> {
    return this.redis.zrange(this.openIndex(), '0', '-1');
  }

  /** Newest first. */
  async list(status: 'open' | 'resolved' | undefined, limit: number): Promise<ConflictRecord[]> {
    if (status === 'open') return (await this.getMany(await this.redis.zrevrange(this.openIndex(), 0, limit - 1)));
    const out: ConflictRecord[] = [];
    for (let start = 0; out.length < limit; start += 200) {
      const ids = await this.redis.zrevrange(this.allIndex(), start, start + 199);
      if (ids.length === 0) break;
      for (const r of await this.getMany(ids)) {
        if (!status || r.status === status) out.push(r);
        if (out.length >= limit) break;
      }
    }
    return out;
  }

  /** One consistent read of the ledgers, live holds and the member sites' source bookings. */
  async snapshot(ledgers: Array<{ l: string; by: 'night' } | { l: string; by: 'time'; from: number; to: number }>, sites: string[]): Promise<Snapshot> {
    const raw = JSON.parse(await this.run['conflict-read']([this.keys.holdsByExpiry()],
      [this.p, JSON.stringify(ledgers), JSON.stringify(sites)]) as string) as Record<string, unknown>;
    const holds = new Map<string, HubItem[]>();
    for (const [id, items] of list<[string, string]>(raw.holds)) holds.set(id, list(JSON.parse(items)));
    const rawSites = list<Record<string, unknown>>(raw.sites);
    return {
      now: Number(raw.now),
      holds,
      ledgers: ledgers.map((a, i) => {
        const l = obj(list<unknown>(raw.ledgers)[i]) as unknown as Record<string, unknown>;
        return a.by === 'night'
          ? { n: obj(l.n), sn: obj(l.sn), rep: obj(l.rep), inv: obj(l.inv), unrep: obj(l.unrep) }
          : { t: list<string>(l.t) };
      }),
      sites: new Map(sites.map((s, i) => {
        const r = rawSites[i] ?? {};
        const parse = <T>(h: Record<string, string>) => new Map(Object.entries(h).flatMap(([k, v]) => {
          try { return [[k, JSON.parse(v) as T] as const]; } catch { return []; }
        }));
        return [s, { src: parse<LuaClaim>(obj(r.src)), meta: parse<MetaRecord>(obj(r.meta)) }];
      })),
    };
  }

  /** Every live (pending or confirmed) hub reservation: only read while a ledger is over capacity. */
  async liveReservations(): Promise<LiveReservation[]> {
    const out: LiveReservation[] = [];
    const base = `${this.p}resv:`;
    let cursor = '0';
    do {
      const [next, keys] = await this.redis.scan(cursor, 'MATCH', `${globEscape(base)}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length === 0) continue;
      const pipe = this.redis.pipeline();
      for (const k of keys) pipe.hmget(k, 'status', 'items', 'createdAt', 'updatedAt', 'holdId');
      const rows = (await pipe.exec()) ?? [];
      rows.forEach(([, v], i) => {
        const [status, items, createdAt, updatedAt, holdId] = (v ?? []) as Array<string | null>;
        if (status !== 'pending' && status !== 'confirmed') return;
        let parsed: HubItem[] = [];
        try { parsed = list(JSON.parse(items ?? '[]')); } catch { /* unreadable: skipped */ }
        out.push({ id: keys[i]!.slice(base.length), status, holdId: holdId ?? '', items: parsed,
          createdAt: Number(createdAt ?? 0), updatedAt: Number(updatedAt ?? 0) });
      });
    } while (cursor !== '0');
    return out;
  }

  async modifiedTimes(ids: readonly string[]): Promise<Map<string, number>> {
    if (ids.length === 0) return new Map();
    const v = await this.redis.hmget(this.modified(), ...ids);
    return new Map(ids.flatMap((id, i) => (v[i] ? [[id, Number(v[i])] as const] : [])));
  }

  async markModified(reservationId: string, at: number): Promise<void> {
    await this.redis.hset(this.modified(), reservationId, at);
  }

  async rememberInventory(ledger: string, inv: Record<string, number>): Promise<void> {
    if (Object.keys(inv).length > 0) await this.redis.hset(this.inventory(ledger), inv);
  }

  /** Runs `fn` holding the ledger's lock (a lease that lapses if this process dies). */
  async withLock<T>(ledger: string, fn: () => Promise<T>): Promise<T> {
    const key = `${this.p}cf:lock:${ledger}`;
    const token = randomBytes(9).toString('base64url');
    const deadline = Date.now() + 20_000;
    while (await this.redis.set(key, token, 'PX', 30_000, 'NX') === null) {
      if (Date.now() > deadline) throw new Error(`conflicts: ledger ${ledger} stayed locked`);
      await new Promise((r) => setTimeout(r, 25));
    }
    try {
      return await fn();
    } finally {
      await this.redis.eval(RELEASE, 1, key, token).catch(() => undefined);
    }
  }
}
