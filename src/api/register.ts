import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { ByteLru } from '../reservations/answer-cache.js';
import { throttledAdmin } from './admin-throttle.js';
import type { Caller } from './auth.js';
import type { ApiContext } from './context.js';
import { RateLimited, type RateTicket } from '../store/rate-limits.js';
import { sendRateLimited, takeRequest, verdictOf } from './rate-limit.js';
import type { RouteSpec, RouteTable } from './route-table.js';
import { parseOr400 } from './validate.js';

interface RouteInput {
  query: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- typed by each spec's schema
  params: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- typed by each spec's schema
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- typed by each spec's schema
  caller: Caller | null;
  /** A widget caller's rate limit, for a spec with `rateLimitInStore` (the store script counts it). */
  rate?: RateTicket | undefined;
}

export type Handler = (req: FastifyRequest, reply: FastifyReply, input: RouteInput) => Promise<unknown>;

/**
 * A widget key allowed the request's Origin: the answer, whatever it turns out to be (an error
 * included: reply headers set here stay on the error handler's problem), is readable there.
 * Set here rather than in an onSend hook, which would run for every request of every route.
 */
function allowOrigin(reply: FastifyReply, origin: string): void {
  reply.header('Access-Control-Allow-Origin', origin);
  reply.header('Access-Control-Expose-Headers', 'Location, Retry-After, Idempotent-Replayed');
  reply.header('Vary', 'Origin');
}

/** Bound on the parsed queries kept per route (by the query strings' length). */
const KEPT_QUERIES_BYTES = 1024 * 1024;

/** The route's query, validated; with `kept`, validated once per query string and then shared (frozen). */
function parseQuery(schema: z.ZodType, req: FastifyRequest, kept: ByteLru<unknown> | undefined): unknown {
  if (!kept) return parseOr400(schema, req.query ?? {}, '');
  const at = req.url.indexOf('?');
  const raw = at < 0 ? '' : req.url.slice(at + 1);
  let query = kept.get(raw);
  if (query === undefined) {
    query = deepFreeze(parseOr400(schema, req.query ?? {}, ''));
    kept.set(raw, query, 2 * raw.length + 256);
  }
  return query;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

/** Registers a route: checks access, validates params/query/body with the spec's schemas. */
export function register(app: FastifyInstance, table: RouteTable, ctx: ApiContext, spec: RouteSpec, handler: Handler): void {
  if (spec.access === 'widget') {
    const own = spec.responses[429];
    const limited = 'the key\'s rate limit for this client address is used up (type rate-limited, with Retry-After)';
    spec = { ...spec, responses: { ...spec.responses, 429: { description: own ? `${own.description}; or ${limited}` : `Too many requests: ${limited}` } } };
  }
  table.add(spec);
  const keptQueries = spec.query && spec.keepParsedQueries ? new ByteLru<unknown>(KEPT_QUERIES_BYTES) : undefined;
  app.route({
    method: spec.method,
    url: spec.url,
    handler: async (req, reply) => {
      let caller: Caller | null = null;
      if (spec.access === 'admin') caller = await throttledAdmin(ctx, req);
      // Reservation routes authenticate with the reservation token, so a widget on another origin
      // could not see its own reservation. The widget sends its key along: when that key allows
      // the page's Origin, the answer is readable there. Access is still decided by the token alone.
      if (spec.access === 'reservation' && req.headers.origin && ctx.auth.keyAllowsOrigin(req.headers['x-api-key'], req.headers.origin)) {
        allowOrigin(reply, req.headers.origin);
      }
      if (spec.access === 'widget') {
        caller = ctx.auth.widget(req);
        if (caller.kind === 'widget' && req.headers.origin) allowOrigin(reply, req.headers.origin);
        // Widget keys are public: each is limited per client address (the admin is not).
        if (caller.kind === 'widget' && !spec.rateLimitInStore) {
          const verdict = await takeRequest(ctx.hubStore.rateLimits, caller.scope, req.ip, caller.key.rateLimit);
          if (!verdict.allowed) return sendRateLimited(req, reply, verdict, caller.key.rateLimit);
        }
      }
      const limit = caller?.kind === 'widget' ? caller.key.rateLimit : undefined;
      const input: RouteInput = {
        caller,
        params: spec.params ? parseOr400(spec.params, req.params, '') : req.params,
        query: spec.query ? parseQuery(spec.query, req, keptQueries) : req.query,
        body: spec.body ? parseOr400(spec.body, req.body ?? {}, '') : undefined,
        ...(limit && spec.rateLimitInStore && caller?.kind === 'widget'
          ? { rate: { scope: caller.scope, client: req.ip, windowMs: limit.per, max: limit.max } } : {}),
      };
      if (!limit || !spec.rateLimitInStore) return handler(req, reply, input);
      try {
        return await handler(req, reply, input);
      } catch (err) {
        if (err instanceof RateLimited) return sendRateLimited(req, reply, verdictOf(err.window, limit), limit);
        throw err;
      }
    },
  });
}
