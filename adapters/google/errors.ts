import { gaxios } from 'google-auth-library';
import {
  AdapterAuthError,
  AdapterRateLimitedError,
  AdapterUnavailableError,
  CursorRejectedError,
} from '../../src/core/adapter/errors.js';

/**
 * Turns what the Google client throws into the hub's adapter errors
 * (https://developers.google.com/calendar/api/guides/errors):
 * - 410 (`fullSyncRequired`, `updatedMinTooLongAgo`) → CursorRejectedError: wipe and resync;
 * - 429, or 403 with a `usageLimits` reason → AdapterRateLimitedError (`Retry-After` when sent);
 * - a token endpoint refusing the credential (`invalid_grant`, `invalid_client`, …), 401, and other
 *   403s (no access to the calendar) → AdapterAuthError: staff must fix the credential or sharing;
 * - 404 on a calendar → AdapterAuthError too: Google answers 404 for calendars the credential cannot see;
 * - 5xx, timeouts, connection failures → AdapterUnavailableError.
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

function header(headers: unknown, name: string): string | null {
  // gaxios hands back a fetch Headers, not necessarily this realm's class: duck-type it.
  const get = (headers as { get?: unknown } | null)?.get;
  if (typeof get === 'function') return (get as (n: string) => string | null).call(headers, name);
  if (headers && typeof headers === 'object') {
    const v = (headers as Record<string, unknown>)[name] ?? (headers as Record<string, unknown>)[name.toLowerCase()];
    return typeof v === 'string' ? v : null;
  }
  return null;
}

/** `Retry-After` as delay-seconds or an HTTP date, in ms. */
function parseRetryAfter(value: string | null, now = Date.now()): number | null {
  if (value === null || value.trim() === '') return null;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
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
    retryAfterMs: parseRetryAfter(header(headers, 'retry-after')),
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
      const code = typeof err.code === 'string' ? err.code : err.name;
      return new AdapterUnavailableError(`${what}: no answer (${code}: ${err.message})`);
    }
    return err;
  }
  const why = `${what}: HTTP ${f.status}${f.reasons.length ? ` ${f.reasons.join(', ')}` : ''}`;
  if (f.fromTokenEndpoint) {
    if (f.status === 429) return new AdapterRateLimitedError(`${why} (token endpoint)`, f.retryAfterMs ?? defaultRetryAfterMs);
    if (f.status >= 500) return new AdapterUnavailableError(`${why} (token endpoint)`);
    return new AdapterAuthError(`${why}: the token endpoint refused the credential`);
  }
  if (f.status === 410) return new CursorRejectedError(`${why}: the sync token is no longer valid`);
  if (f.status === 429 || (f.status === 403 && (f.domains.includes('usageLimits') || f.reasons.some((r) => RATE_REASONS.has(r))))) {
    return new AdapterRateLimitedError(why, f.retryAfterMs ?? defaultRetryAfterMs);
  }
  if (f.status === 401 || f.status === 403) return new AdapterAuthError(`${why}: the credential was refused or lacks access`);
  if (f.status === 404) return new AdapterAuthError(`${why}: calendar not found or not shared with this credential`);
  return new AdapterUnavailableError(why);
}
