import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
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

declare module 'fastify' {
  interface FastifyRequest {
    /** Set when a widget key allowed this request's Origin: the reply then carries CORS headers. */
    corsOrigin?: string;
  }
}

export type Handler = (req: FastifyRequest, reply: FastifyReply, input: RouteInput) => Promise<unknown>;

/** Registers a route: checks access, validates params/query/body with the spec's schemas. */
export function register(app: FastifyInstance, table: RouteTable, ctx: ApiContext, spec: RouteSpec, handler: Handler): void {
  if (spec.access === 'widget') {
    const own = spec.responses[429];
    const limited = 'the key\'s rate limit for this client address is used up (type rate-limited, with Retry-After)';
    spec = { ...spec, responses: { ...spec.responses, 429: { description: own ? `${own.description}; or ${limited}` : `Too many requests: ${limited}` } } };
  }
  table.add(spec);
  app.route({
    method: spec.method,
    url: spec.url,
    handler: async (req, reply) => {
      let caller: Caller | null = null;
      if (spec.access === 'admin') caller = await throttledAdmin(ctx, req);
      if (spec.access === 'widget') {
        caller = ctx.auth.widget(req);
        if (caller.kind === 'widget' && req.headers.origin) req.corsOrigin = req.headers.origin;
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
        query: spec.query ? parseOr400(spec.query, req.query ?? {}, '') : req.query,
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
