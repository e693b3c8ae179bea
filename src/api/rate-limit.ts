import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Redis } from 'ioredis';
import type { WidgetKeyConfig } from '../config/types.js';
import type { HubKeys } from '../store/keys.js';

/**
 * Fixed window per widget key and client address, counted in Redis so every API process shares
 * it. The window starts at a client's first request and lasts `per` by Redis' clock (PTTL), so
 * processes with skewed clocks agree. A client may send up to 2 × max across a window boundary;
 * the limit guards the hub against a runaway page, not to the request.
 *
 *   KEYS[1] rl:<key scope>:<client address>   counter, expires with its window
 *   ARGV[1] window length (ms)
 *   Returns {count in this window including this request, ms until the window ends}
 */
const TAKE_LUA = `
local n = redis.call('INCR', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
if n == 1 or ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return {n, ttl}
`;

const COMMAND = 'avhub_rate_limit_take';

export interface RateVerdict {
  allowed: boolean;
  /** Requests left in this window (0 when refused). */
  remaining: number;
  /** Whole seconds until the window ends (at least 1). */
  retryAfter: number;
}

export class RateLimiter {
  constructor(private readonly redis: Redis, private readonly keys: HubKeys) {
    // EVALSHA with an EVAL fallback: one round trip per request.
    if (!(COMMAND in redis)) redis.defineCommand(COMMAND, { numberOfKeys: 1, lua: TAKE_LUA });
  }

  /** Counts one request of `client` with the key `scope` and says whether it is within the limit. */
  async take(scope: string, client: string, limit: WidgetKeyConfig['rateLimit']): Promise<RateVerdict> {
    const run = (this.redis as unknown as Record<string, (key: string, ms: number) => Promise<[number, number]>>)[COMMAND]!;
    const [count, ttl] = await run.call(this.redis, `${this.keys.prefix}rl:${scope}:${client}`, limit.per);
    return {
      allowed: count <= limit.max,
      remaining: Math.max(0, limit.max - count),
      retryAfter: Math.max(1, Math.ceil(Number(ttl) / 1000)),
    };
  }
}

/**
 * Answers 429 `rate-limited` directly: the shared problem handler would put its generic
 * `Retry-After: 5` on a thrown error, and the client should learn when its window really ends.
 */
export function sendRateLimited(req: FastifyRequest, reply: FastifyReply, verdict: RateVerdict, limit: WidgetKeyConfig['rateLimit']): FastifyReply {
  return reply.code(429).header('Retry-After', String(verdict.retryAfter)).type('application/problem+json').send({
    type: 'rate-limited', title: 'Too many requests', status: 429,
    detail: `this widget key allows ${limit.max} requests per ${limit.per / 1000} s from one client address; retry in ${verdict.retryAfter} s`,
    instance: req.url.split('?')[0], retryAfter: verdict.retryAfter,
  });
}

const limiters = new WeakMap<HubKeys, RateLimiter>();

/** One limiter per hub (its key names), made on first use: the API context needs no new part. */
export function rateLimiterFor(redis: Redis, keys: HubKeys): RateLimiter {
  let limiter = limiters.get(keys);
  if (!limiter) limiters.set(keys, limiter = new RateLimiter(redis, keys));
  return limiter;
}
