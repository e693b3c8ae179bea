import {
  AdapterAuthError, AdapterRateLimitedError, AdapterUnavailableError,
} from '../../src/core/adapter/errors.js';

/**
 * A request apaleo understood and refused (400, 404, 409, 422): a bug or a configuration problem,
 * not an outage, so it is not an AdapterError and the core does not retry it as one.
 */
export class ApaleoRequestError extends Error {
  constructor(message: string, readonly status: number, readonly messages: readonly string[] = []) {
    super(message);
  }
}

/** Retry-After in seconds or as an HTTP date; a missing or odd header waits this long. */
const DEFAULT_RETRY_AFTER_MS = 5_000;

export function retryAfterMs(header: unknown, now = Date.now()): number {
  if (typeof header !== 'string' || header.trim() === '') return DEFAULT_RETRY_AFTER_MS;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.ceil(seconds * 1000);
  const at = Date.parse(header);
  return Number.isNaN(at) ? DEFAULT_RETRY_AFTER_MS : Math.max(0, at - now);
}

/** apaleo's error bodies carry `messages: string[]`; the identity server `error`/`error_description`. */
export function messagesOf(body: unknown): string[] {
  if (body === null || typeof body !== 'object') return typeof body === 'string' && body ? [body.slice(0, 300)] : [];
  const b = body as Record<string, unknown>;
  if (Array.isArray(b.messages)) return b.messages.map(String);
  return [b.error, b.error_description, b.message].filter((x): x is string => typeof x === 'string');
}

/**
 * Maps an HTTP status from apaleo to the hub's typed errors (DESIGN §5): 401/403 the credential,
 * 429 a pause the source asked for, 5xx an outage; anything else a refused request.
 */
export function errorForStatus(what: string, status: number, headers: Record<string, unknown>, body: unknown): Error {
  const detail = messagesOf(body);
  const text = `${what}: HTTP ${status}${detail.length ? ` (${detail.join('; ')})` : ''}`;
  if (status === 401 || status === 403) return new AdapterAuthError(text);
  if (status === 429) return new AdapterRateLimitedError(text, retryAfterMs(headers['retry-after']));
  if (status >= 500) return new AdapterUnavailableError(text);
  return new ApaleoRequestError(text, status, detail);
}
