import type { RedisClient } from './connection.js';
import type { HubKeys } from './keys.js';
import { scriptsFor } from './scripts.js';

/** One client's count in its current rate-limit window. */
export interface WindowCount {
  /** Requests in this window, including the one just counted. */
  count: number;
  /** Milliseconds until the window ends (by Redis' clock). */
  endsInMs: number;
}

/**
 * A widget request's rate limit, counted by the very script that serves the request (availability
 * reads and holds: one round trip); `max` requests per `windowMs` per key scope and client address.
 */
export interface RateTicket {
  scope: string;
  client: string;
  windowMs: number;
  max: number;
}

/** A store method's script found the request over its rate limit, and did nothing else. */
export class RateLimited extends Error {
  constructor(readonly window: WindowCount) {
    super('rate limited');
    this.name = 'RateLimited';
  }
}

/** Rate-limit windows per widget key and client address, counted in Redis so every API process shares them. */
export class RateLimitStore {
  private readonly run;

  constructor(private readonly redis: RedisClient, private readonly keys: HubKeys) {
    this.run = scriptsFor(redis);
  }

  /** The current window's count without counting (0 when no window is open). */
  async peek(scope: string, client: string): Promise<WindowCount> {
    const key = this.keys.rateLimit(scope, client);
    const [count, ttl] = await Promise.all([this.redis.get(key), this.redis.pttl(key)]);
    return { count: Number(count ?? 0), endsInMs: Math.max(0, ttl) };
  }

  /** Counts one request of `client` under `scope` in a window of `windowMs`: one round trip. */
  async take(scope: string, client: string, windowMs: number): Promise<WindowCount> {
    const [count, ttl] = await this.run['rate-limit-take']([this.keys.rateLimit(scope, client)], [windowMs]) as [number, number];
    return { count: Number(count), endsInMs: Number(ttl) };
  }
}
