import type { RedisClient } from './connection.js';
import type { SourceClaim } from '../core/claims.js';
import type { HealthState } from '../domain/types.js';
import type { HubKeys } from './keys.js';
import { Leases, type Lease } from './lease.js';
import { ResourceStatusStore } from './resource-status.js';
import { scriptsFor, type ScriptName } from './scripts.js';

/** Sync state the core owns per site (STYLE habit 3): the adapter never sees Redis. */

export interface SyncState {
  generation: number;
  cursor: string | null;
  lastFullAt: number;
  appliedAt: number;
  /** No poll before this instant (a source asked us to wait, or backoff after failures). */
  notBefore: number;
}

export interface ApplyRequest {
  site: string;
  mode: 'full' | 'delta';
  expectedGeneration: number;
  cursor: string | null;
  upserts: SourceClaim[];
  removed: string[];
  fullPull: boolean;
  /** Per-night counts of a count-only source, by ledger. */
  counts: Array<{ ledger: string; date: string; count: number }>;
  /** Redis time when the poll started (before the adapter's first request). */
  pollStartedAt: number;
  /** Ledgers whose resource failed in this poll: a full poll keeps their claims (last good data). */
  keepLedgers?: string[];
  /** Bookings of count-only sources: not claims, but counted for booking velocity. */
  seen?: Array<{ id: string; createdAt?: number }>;
}

export type ApplyResult =
  | { kind: 'ok'; generation: number; added: number; removed: number }
  | { kind: 'stale'; generation: number };

export type HealthOutcome =
  | { kind: 'success'; dataTime?: number }
  | { kind: 'failure'; code: string; message: string }
  | { kind: 'stale'; message: string };

/** A site's health record as the health-record script keeps it (times in ms, 0 when never). */
export interface HealthRecord {
  state: HealthState;
  /** Consecutive failed polls. */
  failures: number;
  lastSuccessAt: number;
  lastPollAt: number;
  lastErrorAt: number;
  lastError: string | null;
  lastErrorCode: string | null;
}

/** The state in a raw health hash; a site never recorded is healthy. */
export function healthStateOf(h: Record<string, string>): HealthState {
  return h.state === 'degraded' || h.state === 'limited' ? h.state : 'healthy';
}

/** Poll results, cursors, quota buckets and health records, each change one Lua script. */
export class SyncStore {
  private readonly run: Record<ScriptName, (keys: string[], args: Array<string | number>) => Promise<unknown>>;

  /** Per-resource outcome of the polls (failures, skipped entries). */
  readonly resources: ResourceStatusStore;

  constructor(private readonly redis: RedisClient, readonly keys: HubKeys) {
    this.resources = new ResourceStatusStore(redis, keys);
    this.run = scriptsFor(redis);
  }

  async state(site: string): Promise<SyncState> {
    const h = await this.redis.hgetall(this.keys.syncState(site));
    return {
      generation: Number(h.generation ?? 0),
      cursor: h.cursor ? h.cursor : null,
      lastFullAt: Number(h.lastFullAt ?? 0),
      appliedAt: Number(h.appliedAt ?? 0),
      notBefore: Number(h.notBefore ?? 0),
    };
  }

  async setNotBefore(site: string, at: number): Promise<void> {
    await this.redis.hset(this.keys.syncState(site), 'notBefore', at);
  }

  /** Forgets the cursor so the next poll is a full one (a rejected cursor, an admin's resync). */
  async resetCursor(site: string): Promise<void> {
    await this.redis.hdel(this.keys.syncState(site), 'cursor', 'lastFullAt');
  }

  async apply(req: ApplyRequest): Promise<ApplyResult> {
    const k = this.keys;
    const upserts = req.upserts.map((u) => ({
      ...(u.by === 'night'
        ? { id: u.id, l: u.ledger, by: 'night', q: u.quantity, d: u.nights ?? [] }
        : { id: u.id, l: u.ledger, by: 'time', q: u.quantity, s: u.start, e: u.end }),
      // Kept with the claim for the conflict policies (src/conflicts): created, updated.
      ...(u.createdAt !== undefined ? { c: u.createdAt } : {}),
      ...(u.updatedAt !== undefined ? { u: u.updatedAt } : {}),
    }));
    const reply = await this.run['poll-apply'](
      [k.sourceBookings(req.site), k.syncState(req.site)],
      [k.prefix, req.site, req.mode, req.expectedGeneration, req.cursor ?? '',
        JSON.stringify(upserts), JSON.stringify(req.removed), req.fullPull ? '1' : '0',
        JSON.stringify(req.counts.map((c) => ({ l: c.ledger, d: c.date, c: c.count }))), req.pollStartedAt,
        JSON.stringify((req.seen ?? []).map((b) => (b.createdAt ? { id: b.id, c: b.createdAt } : { id: b.id }))),
        JSON.stringify(req.keepLedgers ?? [])],
    ) as Array<string | number>;
    if (reply[0] === 'stale') return { kind: 'stale', generation: Number(reply[1]) };
    return { kind: 'ok', generation: Number(reply[1]), added: Number(reply[2]), removed: Number(reply[3]) };
  }

  /** Takes a token from the credential's bucket; answers how long to wait when there is none. */
  async takeQuota(credential: string, perSecond: number, burst: number): Promise<number> {
    return Number(await this.run['quota-take']([this.keys.quota(credential)], [perSecond, burst]));
  }

  async recordHealth(site: string, outcome: HealthOutcome, thresholds: { failures: number; recover: number }):
  Promise<{ state: string; previous: string }> {
    const k = this.keys;
    const args = outcome.kind === 'success'
      ? ['success', thresholds.failures, thresholds.recover, '', '', outcome.dataTime ?? 0]
      : outcome.kind === 'stale'
        ? ['stale', thresholds.failures, thresholds.recover, 'STALE', outcome.message, 0]
        : ['failure', thresholds.failures, thresholds.recover, outcome.code, outcome.message.slice(0, 500), 0];
    const [state, previous] = await this.run['health-record']([k.health(site), k.healthLog(site)], args) as string[];
    return { state: state!, previous: previous! };
  }

  async healthRecord(site: string): Promise<HealthRecord> {
    const h = await this.redis.hgetall(this.keys.health(site));
    return {
      state: healthStateOf(h),
      failures: Number(h.failures ?? 0),
      lastSuccessAt: Number(h.lastSuccessAt ?? 0),
      lastPollAt: Number(h.lastPollAt ?? 0),
      lastErrorAt: Number(h.lastErrorAt ?? 0),
      lastError: h.lastError ?? null,
      lastErrorCode: h.lastErrorCode ?? null,
    };
  }

  async healthHistory(site: string, limit = 20): Promise<Array<{ at: number; from: string; to: string; reason: string }>> {
    const raw = await this.redis.lrange(this.keys.healthLog(site), 0, limit - 1);
    return raw.map((r) => JSON.parse(r) as { at: number; from: string; to: string; reason: string });
  }

  /** Bookings new to the hub per hour (epoch hour → count), the last 8 days. */
  async velocity(site: string): Promise<Map<number, number>> {
    const raw = await this.redis.hgetall(this.keys.velocity(site));
    return new Map(Object.entries(raw).map(([h, n]) => [Number(h), Number(n)]));
  }

  /** Counts a poll's outcome for the site's success rate. */
  async countPoll(site: string, ok: boolean): Promise<void> {
    await this.redis.hincrby(this.keys.pollStats(site), ok ? 'ok' : 'failed', 1);
  }

  async pollStats(site: string): Promise<{ ok: number; failed: number }> {
    const h = await this.redis.hgetall(this.keys.pollStats(site));
    return { ok: Number(h.ok ?? 0), failed: Number(h.failed ?? 0) };
  }

  /** Redis' clock: the time reference of write-backs and polls. */
  async now(): Promise<number> {
    const [s, us] = await this.redis.time();
    return Number(s) * 1000 + Math.floor(Number(us) / 1000);
  }

  /** How many bookings the site's source currently holds, as the hub recorded them. */
  async sourceBookingCount(site: string): Promise<number> {
    return this.redis.hlen(this.keys.sourceBookings(site));
  }

  // ---- the poller's reads and its lease (src/sync/poller.ts) ----------------------------------

  /** Consecutive failed polls of the site, as its health record counts them. */
  async consecutiveFailures(site: string): Promise<number> {
    return Number(await this.redis.hget(this.keys.health(site), 'failures') ?? 0);
  }

  /** Which of these ids are hub reservations (live or past): bookings the hub wrote back. */
  async existingReservations(ids: readonly string[]): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    const pipe = this.redis.pipeline();
    for (const id of ids) pipe.exists(this.keys.reservation(id));
    const found = (await pipe.exec()) ?? [];
    return new Set(ids.filter((_, i) => found[i]?.[1] === 1));
  }

  /** The site's poll lease (one poll per site at a time), or null while another poll holds it. */
  async pollLease(site: string, ttlMs: number): Promise<Lease | null> {
    return new Leases(this.redis).acquire(this.keys.pollLease(site), { ttlMs });
  }

  /** External ids the site's source currently holds, as the hub recorded them. */
  async sourceBookingIds(site: string): Promise<string[]> {
    return this.redis.hkeys(this.keys.sourceBookings(site));
  }
}
