import type { FastifyRequest } from 'fastify';
import { HubError } from '../core/errors.js';
import type { Caller } from './auth.js';
import type { ApiContext } from './context.js';

/** Wrong admin tokens one client address may send per window before it is refused (issue 14). */
const MAX_FAILURES = 10;
const WINDOW_MS = 60_000;
/** The rate-limit scope of failed admin logins (widget key scopes start with `k`). */
const SCOPE = 'admin-auth-failures';

/**
 * Admin authentication with wrong tokens throttled per client address, counted in Redis so every
 * API process shares the count. Past the limit every admin request from that address is 429 until
 * its window ends, a right token included: a guesser cannot tell a hit from a refusal.
 */
export async function throttledAdmin(ctx: ApiContext, req: FastifyRequest): Promise<Caller> {
  const store = ctx.hubStore.rateLimits;
  const sent = req.headers.authorization !== undefined;
  if (sent) {
    const seen = await store.peek(SCOPE, req.ip);
    if (seen.count >= MAX_FAILURES) throw tooMany(seen.endsInMs);
  }
  try {
    return ctx.auth.admin(req);
  } catch (err) {
    if (sent && err instanceof HubError) {
      const window = await store.take(SCOPE, req.ip, WINDOW_MS);
      if (window.count > MAX_FAILURES) throw tooMany(window.endsInMs);
    }
    throw err;
  }
}

function tooMany(endsInMs: number): HubError {
  const retryAfter = Math.max(1, Math.ceil(endsInMs / 1000));
  return new HubError(429, 'rate-limited', 'Too many failed logins',
    `more than ${MAX_FAILURES} wrong admin tokens from this address within ${WINDOW_MS / 1000} s; retry in ${retryAfter} s`,
    { retryAfter });
}
