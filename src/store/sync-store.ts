import type { Redis } from 'ioredis';
import type { SourceClaim } from '../core/claims.js';
import type { HubKeys } from './keys.js';
import { registerScripts, type ScriptName } from './scripts.js';

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

/** Poll results, cursors, quota buckets and health records, each change one Lua script. */
export class SyncStore {
  private readonly run: Record<ScriptName, (keys: string[], args: Array<string | number>) => Promise<unknown>>;

  constructor(private readonly redis: Redis, readonly keys: HubKeys) {
    this.run = registerScripts(redis);
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
        JSON.stringify((req.seen ?? []).map((b) => (b.createdAt ? { id: b.id, c: b.createdAt } : { id: b.id })))],
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

  /** External ids the site's source currently holds, as the hub recorded them. */
  async sourceBookingIds(site: string): Promise<string[]> {
    return this.redis.hkeys(this.keys.sourceBookings(site));
  }
}
