import type { Readable } from 'node:stream';
import axios, { type AxiosInstance } from 'axios';
import { AdapterUnavailableError } from '../../src/core/adapter/errors.js';
import { discardBody, headerValue, readBody, statusError } from '../../src/core/adapter/http.js';
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
const DEFAULT_RETRY_AFTER_MS = 1_000;
/** A PMS answer larger than this is refused: no page of bookings is this big. */
const MAX_BODY_BYTES = 50 * 1024 * 1024;

/** Joins `path` to `baseUrl`: a leading `/` in the path does not leave the base's path. */
export function joinUrl(baseUrl: string, path: string): string {
  const base = baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`;
  return base + path.replace(/^\/+/, '');
}

export function createRestClient(settings: Pick<RestSettings, 'baseUrl' | 'auth' | 'timeoutMs'>, maxBytes = MAX_BODY_BYTES): RestClient {
  const http: AxiosInstance = axios.create({
    timeout: settings.timeoutMs,
    // A stream, so the body is read with a byte limit instead of buffered whole.
    responseType: 'stream',
    validateStatus: () => true,
    maxRedirects: 0,
    headers: {
      Accept: 'application/json',
      ...(settings.auth ? { [settings.auth.header]: settings.auth.value } : {}),
    },
  });

  return async (call) => {
    const where = `${call.method} ${call.path.split('?')[0]}`;
    let res;
    try {
      res = await http.request<Readable>({
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
    const failure = statusError(status, {
      headers: res.headers,
      retryAfter: { defaultMs: DEFAULT_RETRY_AFTER_MS },
      message: (meaning, wait) => meaning === 'auth' ? `rest: ${where} answered ${status}: the PMS refused the credential`
        : meaning === 'rate-limited' ? `rest: ${where} answered ${status}; retry after ${wait} ms`
          : `rest: ${where} answered ${status}`,
    });
    if (failure) {
      discardBody(res.data);
      throw failure;
    }
    const text = await readBody(res.data, {
      what: `rest: ${where}`, maxBytes, contentLength: headerValue(res.headers, 'content-length'), signal: call.signal,
    });
    if (!(status >= 200 && status < 300) && !call.accept?.includes(status)) {
      throw new Error(`rest: ${where} answered ${status}${snippet(text)}`);
    }
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
