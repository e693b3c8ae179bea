import { gaxios } from 'google-auth-library';
import {
  AdapterAuthError,
  AdapterRateLimitedError,
  AdapterUnavailableError,
  ResponseTooLargeError,
} from '../../src/core/adapter/errors.js';
import { headerValue, MAX_RETRY_AFTER_MS, parseRetryAfter, statusError } from '../../src/core/adapter/http.js';

/**
 * Turns what the Google client throws into the hub's adapter errors
 * (https://developers.google.com/calendar/api/guides/errors):
 * - 410 (`fullSyncRequired`, `updatedMinTooLongAgo`) → CursorRejectedError: wipe and resync;
 * - 429, or 403 with a `usageLimits` reason → AdapterRateLimitedError (`Retry-After` when sent);
 * - a token endpoint refusing the credential (`invalid_grant`, `invalid_client`, …), 401, and other
 *   403s (no access to the calendar) → AdapterAuthError: staff must fix the credential or sharing;
 * - 404 on a calendar → AdapterAuthError too: Google answers 404 for calendars the credential cannot see;
 * - 408, 5xx, timeouts, connection failures, an answer over the byte limit → AdapterUnavailableError.
 * Messages carry the operation, status and Google's reason, never tokens or request bodies.
 */

/** Reasons Google uses for quota and rate limits (all in the `usageLimits` domain). */
const RATE_REASONS = new Set(['rateLimitExceeded', 'userRateLimitExceeded', 'quotaExceeded', 'dailyLimitExceeded', 'usageLimits']);

export interface HttpFailure {
  status: number;
  /** Google's `errors[].reason` values, or the OAuth `error` code from a token endpoint. */
  reasons: string[];
  /** True when the answer came from an OAuth token endpoint (`{"error": "invalid_grant"}`). */
  fromTokenEndpoint: boolean;
  domains: string[];
  retryAfterMs: number | null;
}

/** The HTTP answer inside a client error, or null when there was none (network, timeout, bug). */
export function httpFailure(err: unknown): HttpFailure | null {
  if (!(err instanceof gaxios.GaxiosError) || !err.response) return null;
  const { status, headers } = err.response;
  const data: unknown = err.response.data;
  const body = (typeof data === 'string' ? safeJson(data) : data) as Record<string, unknown> | undefined;
  const fromTokenEndpoint = typeof body?.error === 'string';
  const errors = !fromTokenEndpoint && body?.error && typeof body.error === 'object'
    ? ((body.error as { errors?: Array<{ reason?: unknown; domain?: unknown }> }).errors ?? [])
    : [];
  return {
    status,
    reasons: fromTokenEndpoint ? [body.error as string] : errors.map((e) => String(e.reason ?? '')).filter(Boolean),
    domains: errors.map((e) => String(e.domain ?? '')).filter(Boolean),
    fromTokenEndpoint,
    retryAfterMs: parseRetryAfter(headerValue(headers, 'retry-after')),
  };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** True for a Calendar API 401 (a stale access token: worth one refresh), not a token endpoint refusal. */
export function isApiUnauthorized(err: unknown): boolean {
  const f = httpFailure(err);
  return f !== null && f.status === 401 && !f.fromTokenEndpoint;
}

/**
 * The adapter error for a failed call. `what` names the operation for the message
 * (`google: calendar hall@x: events.list`). Errors that are not HTTP or transport failures
 * (programming errors) are returned unchanged.
 */
export function translateError(err: unknown, what: string, defaultRetryAfterMs: number): unknown {
  const f = httpFailure(err);
  if (!f) {
    if (err instanceof gaxios.GaxiosError) {
      // The limited fetch refused a body (auth.ts); gaxios wraps what fetch throws.
      if (err.cause instanceof ResponseTooLargeError) return err.cause;
      const code = typeof err.code === 'string' ? err.code : err.name;
      return new AdapterUnavailableError(`${what}: no answer (${code}: ${err.message})`);
    }
    return err;
  }
  const why = `${what}: HTTP ${f.status}${f.reasons.length ? ` ${f.reasons.join(', ')}` : ''}`;
  const wait = Math.min(f.retryAfterMs ?? defaultRetryAfterMs, MAX_RETRY_AFTER_MS);
  if (f.fromTokenEndpoint) {
    if (f.status === 429) return new AdapterRateLimitedError(`${why} (token endpoint)`, wait);
    if (f.status >= 500) return new AdapterUnavailableError(`${why} (token endpoint)`);
    return new AdapterAuthError(`${why}: the token endpoint refused the credential`);
  }
  if (f.status === 429 || (f.status === 403 && (f.domains.includes('usageLimits') || f.reasons.some((r) => RATE_REASONS.has(r))))) {
    return new AdapterRateLimitedError(why, wait);
  }
  if (f.status === 404) return new AdapterAuthError(`${why}: calendar not found or not shared with this credential`);
  // 429 is answered above, so no Retry-After is read here.
  return statusError(f.status, {
    headers: null,
    cursorRejected: [410],
    message: (meaning) => meaning === 'cursor-rejected' ? `${why}: the sync token is no longer valid`
      : meaning === 'auth' ? `${why}: the credential was refused or lacks access` : why,
  }) ?? new AdapterUnavailableError(why);
}
