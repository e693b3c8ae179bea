import type { PushSubscription } from '../core/adapter/port.js';
import type { RedisClient } from './connection.js';
import type { HubKeys } from './keys.js';
import { scriptsFor, type ScriptRunners } from './scripts.js';

/** A site's push state as kept in Redis (times in ms, 0 when never). */
export interface PushRecord {
  /** When the latest accepted notification arrived. */
  lastNotifiedAt: number;
  /** Which route it came through (`generic`, `google`, `apaleo`, `mews`). */
  lastSource: string | null;
  /** The first notification no poll has covered yet (0 when all are served). */
  pendingSince: number;
  /** Notification received → poll applied, for the latest served notification. */
  lastLagMs: number | null;
  lastServedAt: number;
  /** Accepted notifications in all. */
  received: number;
}

/** Push notifications' state: when they came, which poll served them, replay memory, subscriptions. */
export class PushStore {
  private readonly run: ScriptRunners;

  constructor(private readonly redis: RedisClient, readonly keys: HubKeys) {
    this.run = scriptsFor(redis);
  }

  /**
   * Remembers `nonce` (a signature, an event id) for `ttlMs`; false when it was seen already
   * within that time (a replay). Atomic, so two copies racing each other cannot both pass.
   */
  async firstSighting(site: string, nonce: string, ttlMs: number): Promise<boolean> {
    const set = await this.redis.set(this.keys.pushNonce(site, nonce), '1', 'PX', Math.max(1, Math.ceil(ttlMs)), 'NX');
    return set === 'OK';
  }

  /**
   * An accepted notification: the latest time, and the first one not yet served by a poll. Times
   * are Redis' clock, the one polls are stamped with, so hosts' clocks cannot skew the lag.
   */
  async noted(site: string, source: string): Promise<void> {
    const key = this.keys.pushState(site);
    const [s, us] = await this.redis.time();
    const at = Number(s) * 1000 + Math.floor(Number(us) / 1000);
    await this.redis.multi()
      .hset(key, 'lastNotifiedAt', at, 'lastSource', source)
      .hsetnx(key, 'pendingSince', at)
      .hincrby(key, 'received', 1)
      .exec();
  }

  /** A notification that says the channel is alive but nothing changed (Google `sync`): no poll owed. */
  async heard(site: string, source: string): Promise<void> {
    const [s, us] = await this.redis.time();
    await this.redis.hset(this.keys.pushState(site), 'lastNotifiedAt', Number(s) * 1000 + Math.floor(Number(us) / 1000), 'lastSource', source);
  }

  /** A poll that started at `pollStartedAt` was applied at `appliedAt`: the lag it served, if any (ms). */
  async served(site: string, pollStartedAt: number, appliedAt: number): Promise<number | null> {
    const lag = Number(await this.run['push-served']([this.keys.pushState(site)], [pollStartedAt, appliedAt]));
    return lag >= 0 ? lag : null;
  }

  async read(site: string): Promise<PushRecord> {
    const h = await this.redis.hgetall(this.keys.pushState(site));
    const n = (v: string | undefined) => Number(v ?? 0) || 0;
    return {
      lastNotifiedAt: n(h.lastNotifiedAt), lastSource: h.lastSource ?? null, pendingSince: n(h.pendingSince),
      lastLagMs: h.lastLagMs === undefined ? null : n(h.lastLagMs), lastServedAt: n(h.lastServedAt), received: n(h.received),
    };
  }

  async subscriptions(site: string): Promise<PushSubscription[]> {
    const all = await this.redis.hvals(this.keys.pushChannels(site));
    return all.map((v) => JSON.parse(v) as PushSubscription);
  }

  async subscription(site: string, id: string): Promise<PushSubscription | null> {
    const v = await this.redis.hget(this.keys.pushChannels(site), id);
    return v ? JSON.parse(v) as PushSubscription : null;
  }

  async keepSubscription(site: string, sub: PushSubscription): Promise<void> {
    await this.redis.multi().hset(this.keys.pushChannels(site), sub.id, JSON.stringify(sub)).sadd(this.keys.pushSites(), site).exec();
  }

  async dropSubscription(site: string, id: string): Promise<void> {
    await this.redis.hdel(this.keys.pushChannels(site), id);
    if (await this.redis.hlen(this.keys.pushChannels(site)) === 0) await this.redis.srem(this.keys.pushSites(), site);
  }

  /** Sites that have (or had) subscriptions, including sites no longer configured. */
  async subscribedSites(): Promise<string[]> {
    return this.redis.smembers(this.keys.pushSites());
  }
}
