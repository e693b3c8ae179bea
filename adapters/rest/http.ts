import axios, { type AxiosInstance } from 'axios';
import { AdapterAuthError, AdapterRateLimitedError, AdapterUnavailableError } from '../../src/core/adapter/errors.js';
import type { RestSettings } from './settings.js';

/**
 * The adapter's one door to the PMS: JSON over HTTP with the configured auth header, a timeout,
 * and every failure turned into a typed adapter error. The secret never appears in a message.
 */

interface RestResponse {
  status: number;
  /** Parsed JSON, or null for an empty body. */
  body: unknown;
}

interface RestCall {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** A filled path relative to baseUrl (`/bookings?page=2`). */
  path: string;
  body?: unknown;
  signal: AbortSignal;
  /** Statuses the caller handles itself (404 on a cancel) instead of an error. */
  accept?: readonly number[];
}

export type RestClient = (call: RestCall) => Promise<RestResponse>;

/** When `Retry-After` is missing or unreadable. */
export const DEFAULT_RETRY_AFTER_MS = 1_000;

/** `Retry-After` as milliseconds: delta-seconds or an HTTP date (RFC 9110 §10.2.3). */
export function retryAfterMs(header: unknown, now = Date.now()): number {
  if (typeof header !== 'string' || header.trim() === '') return DEFAULT_RETRY_AFTER_MS;
  const value = header.trim();
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? DEFAULT_RETRY_AFTER_MS : Math.max(0, at - now);
}

/** Joins `path` to `baseUrl`: a leading `/` in the path does not leave the base's path. */
export function joinUrl(baseUrl: string, path: string): string {
  const base = baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`;
  return base + path.replace(/^\/+/, '');
}

export function createRestClient(settings: Pick<RestSettings, 'baseUrl' | 'auth' | 'timeoutMs'>): RestClient {
  const http: AxiosInstance = axios.create({
    timeout: settings.timeoutMs,
    responseType: 'text',
    transformResponse: [(data: unknown) => data],
    validateStatus: () => true,
    maxRedirects: 0,
    maxContentLength: 50 * 1024 * 1024,
    headers: {
      Accept: 'application/json',
      ...(settings.auth ? { [settings.auth.header]: settings.auth.value } : {}),
    },
  });

  return async (call) => {
    const where = `${call.method} ${call.path.split('?')[0]}`;
    let res;
    try {
      res = await http.request<string>({
        method: call.method,
        url: joinUrl(settings.baseUrl, call.path),
        signal: call.signal,
        ...(call.body === undefined ? {} : { data: JSON.stringify(call.body), headers: { 'Content-Type': 'application/json' } }),
      });
    } catch (err) {
      const reason = axios.isAxiosError(err) ? (err.code ?? err.message) : String(err);
      throw new AdapterUnavailableError(`rest: ${where} did not answer (${reason})`);
    }
    const { status } = res;
    if (status === 401 || status === 403) {
      throw new AdapterAuthError(`rest: ${where} answered ${status}: the PMS refused the credential`);
    }
    if (status === 429) {
      const wait = retryAfterMs(res.headers['retry-after']);
      throw new AdapterRateLimitedError(`rest: ${where} answered 429; retry after ${wait} ms`, wait);
    }
    if (status >= 500) throw new AdapterUnavailableError(`rest: ${where} answered ${status}`);
    if (!(status >= 200 && status < 300) && !call.accept?.includes(status)) {
      throw new Error(`rest: ${where} answered ${status}${snippet(res.data)}`);
    }
    const text = typeof res.data === 'string' ? res.data : '';
    if (text.trim() === '') return { status, body: null };
    try {
      return { status, body: JSON.parse(text) as unknown };
    } catch {
      if (!(status >= 200 && status < 300)) return { status, body: null };
      throw new Error(`rest: ${where} answered ${status} with a body that is not JSON${snippet(text)}`);
    }
  };
}

/** The start of an error body, for a message staff can act on (a PMS's own error text). */
function snippet(data: unknown): string {
  if (typeof data !== 'string' || data.trim() === '') return '';
  const flat = data.replace(/\s+/g, ' ').trim();
  return `: ${flat.length > 200 ? `${flat.slice(0, 200)}…` : flat}`;
}
