import type { FastifyReply, FastifyRequest } from 'fastify';
import type { WidgetKeyConfig } from '../config/types.js';
import type { RateLimitStore, WindowCount } from '../store/rate-limits.js';

export interface RateVerdict {
  allowed: boolean;
  /** Requests left in this window (0 when refused). */
  remaining: number;
  /** Whole seconds until the window ends (at least 1). */
  retryAfter: number;
}

/**
 * Counts one request of `client` with the key `scope` and says whether it is within the limit.
 * A fixed window per widget key and client address, shared by every API process (the store keeps
 * it by Redis' clock). A client may send up to 2 × max across a window boundary; the limit guards
 * the hub against a runaway page, not to the request.
 */
export async function takeRequest(limits: RateLimitStore, scope: string, client: string, limit: WidgetKeyConfig['rateLimit']): Promise<RateVerdict> {
  return verdictOf(await limits.take(scope, client, limit.per), limit);
}

/** The verdict on a window's count (counted by rate-limit-take, or by the script serving the request). */
export function verdictOf({ count, endsInMs }: WindowCount, limit: WidgetKeyConfig['rateLimit']): RateVerdict {
  return {
    allowed: count <= limit.max,
    remaining: Math.max(0, limit.max - count),
    retryAfter: Math.max(1, Math.ceil(endsInMs / 1000)),
  };
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
