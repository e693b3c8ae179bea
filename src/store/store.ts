// Long because it is the one typed face of every availability script (claim, confirm, cancel, read,
// poll apply, expiry, search index); the scripts are in lua/, the shapes they speak in types.ts.
import type { RedisClient } from './connection.js';
import { HubKeys } from './keys.js';
import { ScriptBatcher, type ScriptCall } from './batch.js';
import { durableScripts, type Durability } from './replication.js';
import { RateLimited, type RateTicket } from './rate-limits.js';
import type { ScriptRunners } from './scripts.js';
import type {
  ClaimItem, ClaimResult, ConfirmResult, HoldRecord, NightRead, RawRead, ReadAsk, ReservationRecord,
  StoredItem, TimeRead,
} from './types.js';

export interface ClaimRequest {
  holdId: string;
  ttlMs: number;
  items: ClaimItem[];
  /** Client-supplied Idempotency-Key, scoped (per widget key) and fingerprinted (the body). */
  idempotency?: { scope: string; key: string; fingerprint: string };
  /**
   * Caps open holds per (widget key scope, client address); max 0 means no cap. Another key's
   * holds from the same address do not count.
   */
  client?: { scope: string; address: string; maxOpen: number };
  meta?: Record<string, unknown>;
  /** A widget request's rate limit, counted by the claiming script (throws RateLimited when over). */
  rate?: RateTicket | undefined;
  /** The instants (ms, Redis' clock) the caller's rule checks hold for; outside them: `clock`. */
  rulesHold?: { lo: number; hi: number } | undefined;
  /** Sites whose health the claim reads: `refuse` when limited, `report` when limited. */
  health?: { refuse: string[]; report: string[] } | undefined;
}

/**
 * The availability store: every change that must be atomic is one Lua script, and the claiming
 * script is the authority on capacity.
 */
export class AvailabilityStore {
  readonly keys: HubKeys;
  private readonly run: ScriptRunners;
  /**
   * The last raw read of each ask (by its JSON) with its ledger's version: availability-read skips
   * a ledger still at that version, and the read answers from here (least recently used dropped).
   */
  private readonly reads = new Map<string, KeptRead>();
  /** This turn's reads per prepared query, not yet sent (see readPrepared). */
  private readonly readGroups = new Map<PreparedRead, ReadGroup>();
  /** The widget path's scripts (read, claim), batched per event-loop turn. */
  private readonly batch: ScriptBatcher;
  /** Redis' clock minus this process' clock (ms), as last seen in a script's answer. */
  private clockOffset = 0;

  /** `durability`: wait for replicas after each reservation-changing script (`redis.waitReplicas`). */
  constructor(private readonly redis: RedisClient, keyPrefix: string, hubId: string, durability?: Durability) {
    this.keys = new HubKeys(keyPrefix, hubId);
    this.run = durableScripts(redis, durability);
    this.batch = new ScriptBatcher(redis, this.run, durability);
  }

  async claimHold(req: ClaimRequest): Promise<ClaimResult> {
    const k = this.keys;
    const idem = req.idempotency;
    const client = req.client?.address ? `${req.client.scope}|${req.client.address}` : '';
    const reply = await this.batch.call('hold-claim',
      [k.holdsByExpiry(), k.hold(req.holdId),
        idem ? k.idempotency(idem.scope, idem.key) : k.idempotency('-', '-'),
        k.clientHolds(client || '-'), this.rateKey(req.rate)],
      [k.prefix, req.holdId, req.ttlMs, idem?.fingerprint ?? '', req.client?.maxOpen ?? 0, client,
        JSON.stringify(req.items.map(toLua)), JSON.stringify(req.meta ?? {}),
        req.rate?.windowMs ?? 0, req.rate?.max ?? 0,
        req.rulesHold ? JSON.stringify(req.rulesHold) : '',
        req.health?.refuse.length || req.health?.report.length ? JSON.stringify({ refuse: req.health.refuse, report: req.health.report }) : ''],
    ) as string[];
    switch (reply[0]) {
      case 'ok': {
        const now = this.sawClock(reply[3]);
        const limited = JSON.parse(reply[4] ?? '[]') as unknown;
        return { kind: 'ok', holdId: reply[1]!, expiresAt: Number(reply[2]), now, limited: Array.isArray(limited) ? limited.map(String) : [] };
      }
      case 'rate-limited': throw new RateLimited({ count: Number(reply[1]), endsInMs: Number(reply[2]) });
      case 'clock': return { kind: 'clock', now: this.sawClock(reply[1]) };
      case 'site-limited': return { kind: 'site-limited', site: reply[1]! };
      case 'replay':
        return { kind: 'replay', holdId: reply[1]!, expiresAt: Number(reply[2]), status: reply[3]! };
      case 'mismatch': return { kind: 'mismatch', holdId: reply[1]! };
      case 'unavailable':
        return { kind: 'unavailable', itemIndex: Number(reply[1]) - 1, where: String(reply[2]) };
      case 'too-many-holds': return { kind: 'too-many-holds', open: Number(reply[1]) };
      default: throw new Error(`hold-claim answered ${String(reply[0])}`);
    }
  }

  /**
   * The answer already recorded for an Idempotency-Key, or undefined when the key is new. Read
   * before any rule or site health is checked, so a replay gets the original answer whatever
   * changed since (DESIGN §6); hold-claim.lua checks the record again atomically.
   */
  async recordedHold(idem: { scope: string; key: string; fingerprint: string }):
  Promise<Extract<ClaimResult, { kind: 'replay' | 'mismatch' }> | undefined> {
    const prior = await this.redis.get(this.keys.idempotency(idem.scope, idem.key));
    if (prior === null) return undefined;
    const bar = prior.indexOf('|');
    const holdId = prior.slice(0, bar);
    if (prior.slice(bar + 1) !== idem.fingerprint) return { kind: 'mismatch', holdId };
    const [fields, now] = await Promise.all([
      this.redis.hmget(this.keys.hold(holdId), 'expiresAt', 'status'), this.now()]);
    const at = Number(fields[0] ?? 0);
    const status = fields[1] ?? 'expired';
    // A held hold past its expiry is expired, whether or not a sweep has marked it yet.
    const state = status === 'held' && at <= now ? 'expired' : status;
    return { kind: 'replay', holdId, expiresAt: at, status: state };
  }

  async confirmHold(holdId: string, reservationId: string, token: string): Promise<ConfirmResult> {
    const k = this.keys;
    const reply = await this.run['hold-confirm'](
      [k.holdsByExpiry(), k.hold(holdId), k.reservation(reservationId), k.outbox()],
      [k.prefix, holdId, reservationId, token],
    ) as string[];
    const kind = reply[0];
    if (kind === 'ok' || kind === 'already') {
      return { kind, reservationId: reply[1]!, status: reply[2]!, token: reply[3]! };
    }
    if (kind === 'expired' || kind === 'released' || kind === 'missing') return { kind };
    throw new Error(`hold-confirm answered ${String(kind)}`);
  }

  /** Releases a live hold; answers what state the hold was in. */
  async releaseHold(holdId: string): Promise<'ok' | 'missing' | 'confirmed' | 'expired' | 'released'> {
    const k = this.keys;
    const reply = await this.run['hold-release'](
      [k.holdsByExpiry(), k.hold(holdId)], [k.prefix, holdId]) as string[];
    return reply[0] as 'ok' | 'missing' | 'confirmed' | 'expired' | 'released';
  }

  async cancelReservation(id: string, by: string): Promise<{ kind: 'ok'; previous: string } | { kind: 'missing' | 'already' }> {
    const k = this.keys;
    const reply = await this.run['reservation-cancel'](
      [k.reservation(id), k.outbox()], [k.prefix, id, by]) as string[];
    if (reply[0] === 'ok') return { kind: 'ok', previous: reply[1]! };
    return { kind: reply[0] as 'missing' | 'already' };
  }

  /**
   * One round trip: expires what is due and returns raw claims and site health. With `rate`, the
   * same script counts the widget request first (throws RateLimited when over, having read nothing).
   */
  async read(asks: ReadAsk[], sites: string[], rate?: RateTicket): Promise<RawRead> {
    return this.readPrepared(prepareRead(asks, sites), rate);
  }

  /**
   * {@link read} of a read prepared once (its JSON arguments built once per distinct query). When
   * every ask's ledger is still at the version of a raw read kept here, the script only checks
   * versions (and health, and counts the rate limit) and the reads come from here. Every read of
   * the same prepared query made in this turn of the event loop is answered by the same script
   * call (each client's requests counted in its rate-limit window, each refused on its own).
   */
  readPrepared(prep: PreparedRead, rate?: RateTicket): Promise<RawRead> {
    let group = this.readGroups.get(prep);
    if (!group) {
      const g: ReadGroup = { windows: new Map(), waiters: [], unlimited: false };
      this.readGroups.set(prep, g);
      let held: Array<KeptRead | undefined> = [];
      this.batch.late('availability-read', () => {
        this.readGroups.delete(prep);
        const built = this.readCall(prep, g);
        held = built.held;
        return built.call;
      }).then((reply) => this.settleRead(prep, g, held, reply as Array<string | number | unknown[]>),
        (err: unknown) => { for (const w of g.waiters) w.reject(err); });
      group = g;
    }
    const g = group;
    return new Promise((resolve, reject) => {
      if (!rate || rate.max <= 0) {
        g.unlimited = true;
        g.waiters.push({ nth: 0, resolve, reject });
        return;
      }
      const key = this.rateKey(rate);
      let window = g.windows.get(key);
      if (!window) {
        window = { key, ticket: rate, count: 0, index: g.windows.size };
        g.windows.set(key, window);
      }
      g.waiters.push({ window, nth: ++window.count, resolve, reject });
    });
  }

  /** The script call of a turn's reads of `prep`, and the kept reads whose versions it sends. */
  private readCall(prep: PreparedRead, g: ReadGroup): { call: ScriptCall; held: Array<KeptRead | undefined> } {
    const k = this.keys;
    const held = prep.askKeys.map((key) => this.reads.get(key));
    const known = held.map((h) => h?.version ?? '');
    // The hub-wide version vouches for the held reads only if they are the ones it was seen with.
    const seen = prep.seen && sameVersions(prep.seen.versions, known) ? prep.seen.all : '';
    const keys = [k.holdsByExpiry()];
    const args: Array<string | number> = [k.prefix, prep.asksJson, prep.sitesJson, JSON.stringify(known),
      prep.ledgersJson, seen, g.unlimited ? 1 : 0];
    for (const w of g.windows.values()) {
      keys.push(w.key);
      args.push(w.ticket.windowMs, w.ticket.max, w.count);
    }
    return { call: { keys, args }, held };
  }

  private settleRead(prep: PreparedRead, g: ReadGroup, held: Array<KeptRead | undefined>, reply: Array<string | number | unknown[]>): void {
    const limited = reply[0] === 'rate-limited';
    const counts = (limited ? reply[1] : reply[5]) as Array<[number, number]> | undefined;
    let raw: RawRead | undefined;
    let failed: unknown;
    if (!limited) {
      try {
        raw = this.rawRead(prep, held, reply);
      } catch (err) {
        failed = err;
      }
    }
    for (const w of g.waiters) {
      if (w.window) {
        const [n, endsInMs] = counts?.[w.window.index] ?? [0, 0];
        const count = Number(n) - w.window.count + w.nth;
        if (count > w.window.ticket.max) {
          w.reject(new RateLimited({ count, endsInMs: Number(endsInMs) }));
          continue;
        }
      }
      if (raw) w.resolve(raw);
      else w.reject(failed ?? new Error('availability-read answered rate-limited for a request under its limit'));
    }
  }

  /** The raw read of a script reply; ledgers still at a kept read's version come from here. */
  private rawRead(prep: PreparedRead, held: Array<KeptRead | undefined>, reply: Array<string | number | unknown[]>): RawRead {
    const unchanged = reply[1] === 'unchanged';
    const ledgers = unchanged ? [] : (JSON.parse(String(reply[1])) as unknown[]);
    const healthJson = String(reply[2]);
    const health = JSON.parse(healthJson) as unknown;
    // Unchanged: every version is the one the caller sent, the versions of the reads held here.
    const versions = unchanged ? held.map((h) => h?.version ?? '')
      : (JSON.parse(String(reply[3])) as unknown[]).map((v) => (typeof v === 'string' ? v : ''));
    if (typeof reply[4] === 'string') prep.seen = { all: reply[4], versions };
    return {
      now: this.sawClock(reply[0] as string),
      ledgers: prep.asks.map((ask, i) => {
        const raw = ledgers[i];
        const kept = held[i];
        // 0 (or every ask unchanged): the ledger is still at the version of the read held here.
        if ((unchanged || raw === 0) && kept) {
          this.remember(prep.askKeys[i]!, kept);
          return kept.read;
        }
        const read = decodeLedger(ask, raw);
        if (versions[i]) this.remember(prep.askKeys[i]!, { version: versions[i], read });
        return read;
      }),
      versions,
      healthJson,
      health: prep.sites.map((_, i) => healthRecordOf(Array.isArray(health) ? health[i] : undefined)),
    };
  }

  private remember(key: string, entry: KeptRead): void {
    this.reads.delete(key);
    this.reads.set(key, entry);
    if (this.reads.size > READS_KEPT) this.reads.delete(this.reads.keys().next().value!);
  }

  async getHold(id: string): Promise<HoldRecord | null> {
    return holdOf(id, await this.redis.hgetall(this.keys.hold(id)));
  }

  async getReservation(id: string): Promise<ReservationRecord | null> {
    return reservationOf(id, await this.redis.hgetall(this.keys.reservation(id)));
  }

  /**
   * Reservations newest first (by creation), `count` of them from position `offset`, for the
   * admin's list and search. hold-confirm.lua indexes each new one; `indexReservationsOnce` adds
   * those made before the index existed.
   */
  async reservationsNewestFirst(offset: number, count: number): Promise<ReservationRecord[]> {
    const ids = await this.redis.zrevrange(this.keys.reservationsByCreation(), offset, offset + count - 1);
    if (ids.length === 0) return [];
    const pipe = this.redis.pipeline();
    for (const id of ids) pipe.hgetall(this.keys.reservation(id));
    const rows = (await pipe.exec()) ?? [];
    return ids.flatMap((id, i) => {
      const r = reservationOf(id, (rows[i]?.[1] ?? {}) as Record<string, string>);
      return r ? [r] : [];
    });
  }

  /**
   * Live holds (not yet expired, released or confirmed) at `now` (ms, Redis' clock), soonest expiry
   * first, at most `max`. Holds already due are skipped by their deadline: a backlog of them waits
   * for the bounded sweep (includes/common.lua) and must not crowd out the live ones.
   */
  async liveHolds(max: number, now: number): Promise<HoldRecord[]> {
    const ids = await this.redis.zrangebyscore(this.keys.holdsByExpiry(), `(${now}`, '+inf', 'LIMIT', 0, max);
    if (ids.length === 0) return [];
    const pipe = this.redis.pipeline();
    for (const id of ids) pipe.hgetall(this.keys.hold(id));
    const rows = (await pipe.exec()) ?? [];
    return ids.flatMap((id, i) => {
      const h = holdOf(id, (rows[i]?.[1] ?? {}) as Record<string, string>);
      return h?.status === 'held' ? [h] : [];
    });
  }

  /**
   * Adds reservations made before the creation index existed (one SCAN, once per hub: a marker
   * remembers it). Idempotent: two processes running it at once add the same members.
   */
  async indexReservationsOnce(): Promise<void> {
    const k = this.keys;
    if (await this.redis.exists(k.reservationIndexBuilt())) return;
    const base = k.reservation('');
    let cursor = '0';
    do {
      const [next, found] = await this.redis.scan(cursor, 'MATCH', k.reservationPattern(), 'COUNT', 1000);
      cursor = next;
      if (found.length === 0) continue;
      const pipe = this.redis.pipeline();
      for (const key of found) pipe.hget(key, 'createdAt');
      const rows = (await pipe.exec()) ?? [];
      const add = this.redis.pipeline();
      found.forEach((key, i) => {
        const created = Number(rows[i]?.[1]);
        if (Number.isFinite(created) && created > 0) add.zadd(k.reservationsByCreation(), 'NX', created, key.slice(base.length));
      });
      await add.exec();
    } while (cursor !== '0');
    await this.redis.set(k.reservationIndexBuilt(), '1');
  }

  /** A finished write-back: confirmed with the sources' ids (keyed by item index, 1-based). */
  async writebackDone(id: string, externalIds: Record<string, string>): Promise<{ kind: 'ok' | 'missing' } | { kind: 'not-pending'; status: string }> {
    const reply = await this.run['writeback-done']([this.keys.reservation(id)], [this.keys.prefix, id, JSON.stringify(externalIds)]) as string[];
    return reply[0] === 'not-pending' ? { kind: 'not-pending', status: reply[1]! } : { kind: reply[0] as 'ok' | 'missing' };
  }

  /** A write-back out of retries: failed, capacity released, written items cancelled via the outbox. */
  async writebackFailed(id: string, error: string, written: Record<string, string>): Promise<{ kind: 'ok' | 'missing' } | { kind: 'not-pending'; status: string }> {
    const reply = await this.run['writeback-failed']([this.keys.reservation(id), this.keys.outbox()],
      [this.keys.prefix, id, error.slice(0, 500), JSON.stringify(written)]) as string[];
    return reply[0] === 'not-pending' ? { kind: 'not-pending', status: reply[1]! } : { kind: reply[0] as 'ok' | 'missing' };
  }

  /** Moves one item (0-based) of a confirmed reservation; the old claim stays if the new does not fit. */
  async modifyReservation(id: string, index: number, item: ClaimItem):
  Promise<{ kind: 'ok'; status: string } | { kind: 'missing' | 'no-item' } | { kind: 'not-modifiable'; status: string } | { kind: 'unavailable'; where: string }> {
    const reply = await this.run['reservation-modify']([this.keys.reservation(id), this.keys.outbox()],
      [this.keys.prefix, id, index + 1, JSON.stringify(toLua(item))]) as string[];
    switch (reply[0]) {
      case 'ok': return { kind: 'ok', status: reply[1]! };
      case 'not-modifiable': return { kind: 'not-modifiable', status: reply[1]! };
      case 'unavailable': return { kind: 'unavailable', where: reply[1]! };
      default: return { kind: reply[0] as 'missing' | 'no-item' };
    }
  }

  /** Redis' clock, the one hold expiry is judged by. */
  async now(): Promise<number> {
    const [s, us] = await this.redis.time();
    return this.sawClock(Number(s) * 1000 + Math.floor(Number(us) / 1000));
  }

  /**
   * Redis' clock as this process last saw it in an answer, carried forward by the local clock
   * (no round trip). Only for choosing what to check: a script that depends on the instant checks
   * its own clock (ClaimRequest.rulesHold).
   */
  estimatedNow(): number {
    return Date.now() + this.clockOffset;
  }

  private sawClock(value: string | number | undefined): number {
    const now = Number(value);
    if (Number.isFinite(now) && now > 0) this.clockOffset = now - Date.now();
    return now;
  }

  private rateKey(rate: RateTicket | undefined): string {
    return rate ? this.keys.rateLimit(rate.scope, rate.client) : this.keys.rateLimit('-', '-');
  }
}

/** A raw read kept with the version of its ledger it was read at. */
interface KeptRead { version: string; read: NightRead | TimeRead }

/** One client's requests among a turn's reads of one query. */
interface ReadWindow {
  key: string;
  ticket: RateTicket;
  /** This turn's requests of the client. */
  count: number;
  /** Its place among the call's windows (KEYS[2 + index]). */
  index: number;
}

/** A turn's reads of one prepared query: one script call answers them all. */
interface ReadGroup {
  windows: Map<string, ReadWindow>;
  waiters: Array<{ window?: ReadWindow; nth: number; resolve: (raw: RawRead) => void; reject: (err: unknown) => void }>;
  /** Some request has no rate limit (the admin): the script reads even when every client is over. */
  unlimited: boolean;
}

/** The JSON arguments of one availability read, built once per distinct query (see readPrepared). */
export interface PreparedRead {
  asks: ReadAsk[];
  sites: string[];
  askKeys: string[];
  /** The script's larger arguments, encoded once (not again on every read of the same query). */
  asksJson: string;
  sitesJson: string;
  ledgersJson: string;
  /** The hub-wide version ('~all') of the last read of these asks, and the versions it saw. */
  seen?: { all: string; versions: string[] };
}

function sameVersions(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i] || !a[i]) return false;
  return true;
}

/** Prepares a read of `asks` and the health (state, lastSuccessAt) of `sites`. */
export function prepareRead(asks: ReadAsk[], sites: string[]): PreparedRead {
  const luaAsks = asks.map((a) => a.by === 'night'
    ? { l: a.ledger, by: 'night', d: a.dates }
    : { l: a.ledger, by: 'time', from: a.from, to: a.to, b: a.bufferBefore, a: a.bufferAfter });
  return {
    asks, sites,
    askKeys: luaAsks.map((a) => JSON.stringify(a)),
    asksJson: JSON.stringify(luaAsks),
    sitesJson: JSON.stringify(sites),
    ledgersJson: JSON.stringify(asks.map((a) => a.ledger)),
  };
}

/** A site's health as the read script returns it ([state, lastSuccessAt], false when absent). */
function healthRecordOf(raw: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!Array.isArray(raw)) return out;
  if (typeof raw[0] === 'string') out.state = raw[0];
  if (typeof raw[1] === 'string') out.lastSuccessAt = raw[1];
  return out;
}

/** Raw reads kept per process (one per distinct ask: ledger, dates or window, buffers). */
const READS_KEPT = 5_000;

function decodeLedger(ask: ReadAsk, raw: unknown): NightRead | TimeRead {
  // Lua's cjson encodes an empty table as {}: an empty answer is an empty list.
  if (ask.by === 'time') return (Array.isArray(raw) ? raw : []) as TimeRead;
  const [used, source] = (Array.isArray(raw) ? raw : [[], []]) as [unknown, unknown];
  return {
    used: ask.dates.map((_, j) => (Array.isArray(used) ? Number(used[j] ?? 0) : 0)),
    source: ask.dates.map((_, j) => (Array.isArray(source) && typeof source[j] === 'number' ? source[j] : null)),
  } satisfies NightRead;
}

function holdOf(id: string, h: Record<string, string>): HoldRecord | null {
  if (!h.status) return null;
  return {
    id,
    status: h.status,
    expiresAt: Number(h.expiresAt),
    createdAt: Number(h.createdAt),
    items: fromLua(h.items),
    meta: JSON.parse(h.meta || '{}') as Record<string, unknown>,
    ...(h.reservation ? { reservationId: h.reservation } : {}),
  };
}

function reservationOf(id: string, r: Record<string, string>): ReservationRecord | null {
  if (!r.status) return null;
  return {
    id,
    status: r.status,
    holdId: r.holdId ?? '',
    items: fromLua(r.items),
    meta: JSON.parse(r.meta || '{}') as Record<string, unknown>,
    token: r.token ?? '',
    createdAt: Number(r.createdAt),
    updatedAt: Number(r.updatedAt),
    externalIds: JSON.parse(r.externalIds || '{}') as Record<string, string>,
    ...(r.error ? { error: r.error } : {}),
    ...(r.cancelledBy ? { cancelledBy: r.cancelledBy } : {}),
  };
}

function toLua(it: ClaimItem): Record<string, unknown> {
  const base = {
    l: it.ledger, by: it.by, q: it.quantity, cap: it.capacity, b: it.bufferBefore,
    a: it.bufferAfter, site: it.site, res: it.resource, wb: it.writeback ? 1 : 0,
  };
  return it.by === 'night' ? { ...base, d: it.nights ?? [] } : { ...base, s: it.start, e: it.end };
}

function fromLua(json: string | undefined): StoredItem[] {
  const raw = JSON.parse(json || '[]') as Array<Record<string, unknown>>;
  if (!Array.isArray(raw)) return [];
  return raw.map((it) => ({
    site: String(it.site),
    resource: String(it.res),
    quantity: Number(it.q),
    writeback: it.wb === 1,
    ...(typeof it.x === 'string' ? { externalId: it.x } : {}),
    ...(typeof it.px === 'string' ? { previousExternalId: it.px } : {}),
    version: Number(it.v ?? 0),
    ...(it.by === 'night'
      ? { nights: Array.isArray(it.d) ? (it.d as string[]) : [] }
      : { start: Number(it.s), end: Number(it.e) }),
  }));
}
