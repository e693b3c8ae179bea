import { statusError } from '../../src/core/adapter/http.js';

/**
 * A request apaleo understood and refused (400, 404, 409, 422): a bug or a configuration problem,
 * not an outage, so it is not an AdapterError and the core does not retry it as one.
 */
export class ApaleoRequestError extends Error {
  constructor(message: string, readonly status: number, readonly messages: readonly string[] = []) {
    super(message);
  }
}

/** A 429 without a readable Retry-After waits this long. */
const DEFAULT_RETRY_AFTER_MS = 5_000;

/** apaleo's error bodies carry `messages: string[]`; the identity server `error`/`error_description`. */
export function messagesOf(body: unknown): string[] {
  if (body === null || typeof body !== 'object') return typeof body === 'string' && body ? [body.slice(0, 300)] : [];
  const b = body as Record<string, unknown>;
  if (Array.isArray(b.messages)) return b.messages.map(String);
  return [b.error, b.error_description, b.message].filter((x): x is string => typeof x === 'string');
}

/**
 * Maps an HTTP status from apaleo to the hub's typed errors (DESIGN §5): 401/403 the credential,
 * 429 a pause the source asked for, 408 and 5xx an outage; anything else a refused request.
 */
export function errorForStatus(what: string, status: number, headers: unknown, body: unknown): Error {
  const detail = messagesOf(body);
  const text = `${what}: HTTP ${status}${detail.length ? ` (${detail.join('; ')})` : ''}`;
  return statusError(status, { headers, message: text, retryAfter: { defaultMs: DEFAULT_RETRY_AFTER_MS } })
    ?? new ApaleoRequestError(text, status, detail);
}
