import type { Readable } from 'node:stream';
import axios, { type AxiosInstance } from 'axios';
import { AdapterAuthError, AdapterUnavailableError } from '../../src/core/adapter/errors.js';
import { discardBody, headerValue, readBody, statusError } from '../../src/core/adapter/http.js';
import type { RestSettings } from './settings.js';

/**
 * The adapter's one door to the PMS: JSON over HTTP with the configured credential (a header, an
 * API key in the query, or an OAuth2 client-credentials token), a timeout, and every failure
 * turned into a typed adapter error. No secret appears in a message: paths are shown without
 * their query, and next-page URLs are followed only on baseUrl's origin.
 */

interface RestResponse {
  status: number;
  /** Parsed JSON, or null for an empty body. */
  body: unknown;
  /** The response headers (a `Link` header for paging). */
  headers: unknown;
  /** The URL asked, for resolving a relative next-page URL (with the credential's query parameter left out). */
  url: string;
}

interface RestCall {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** A filled path relative to baseUrl (`/bookings?page=2`). */
  path: string;
  /**
   * Instead of `path`: an absolute URL the PMS handed out (a next page). It must be on baseUrl's
   * origin, so the credential never goes to another host.
   */
  url?: string;
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

/** A URL as messages show it: no query (it may carry an API key), no credentials. */
function shown(url: URL): string {
  return url.pathname;
}

export function createRestClient(settings: Pick<RestSettings, 'baseUrl' | 'auth' | 'timeoutMs'>,
  deps: { now?: () => number; maxBytes?: number } = {}): RestClient {
  const maxBytes = deps.maxBytes ?? MAX_BODY_BYTES;
  const http: AxiosInstance = axios.create({
    timeout: settings.timeoutMs,
    // A stream, so the body is read with a byte limit instead of buffered whole.
    responseType: 'stream',
    validateStatus: () => true,
    maxRedirects: 0,
    headers: { Accept: 'application/json' },
  });
  const auth = settings.auth;
  const tokens = auth?.oauth2 ? oauth2Tokens(auth.oauth2, settings.timeoutMs, deps.now ?? Date.now) : undefined;
  const origin = new URL(settings.baseUrl).origin;

  const send = async (call: RestCall, url: URL, where: string, token: string | undefined) => {
    const headers: Record<string, string> = {
      ...(auth?.header !== undefined && auth.value !== undefined ? { [auth.header]: auth.value } : {}),
      ...(token !== undefined ? { Authorization: `Bearer ${token}` } : {}),
      ...(call.body === undefined ? {} : { 'Content-Type': 'application/json' }),
    };
    const target = new URL(url);
    if (auth?.query !== undefined && auth.value !== undefined) target.searchParams.set(auth.query, auth.value);
    try {
      return await http.request<Readable>({
        method: call.method, url: target.toString(), signal: call.signal, headers,
        ...(call.body === undefined ? {} : { data: JSON.stringify(call.body) }),
      });
    } catch (err) {
      // Axios's code or message (ECONNREFUSED, "timeout of 10000ms exceeded"), never the URL.
      const reason = axios.isAxiosError(err) ? (err.code ?? 'request failed') : 'request failed';
      throw new AdapterUnavailableError(`rest: ${where} did not answer (${reason})`);
    }
  };

  return async (call) => {
    const url = call.url === undefined ? new URL(joinUrl(settings.baseUrl, call.path)) : new URL(call.url);
    const where = `${call.method} ${shown(url)}`;
    if (url.origin !== origin) {
      throw new Error(`rest: ${where} is on ${url.origin}, not the PMS's ${origin}; not followed (the credential stays with the PMS)`);
    }
    let token = tokens ? await tokens.get(call.signal) : undefined;
    let res = await send(call, url, where, token);
    if (tokens && res.status === 401) {
      // The token expired early or was revoked: one fresh token, one more try.
      discardBody(res.data);
      tokens.forget(token);
      token = await tokens.get(call.signal);
      res = await send(call, url, where, token);
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
    const answer = { status, headers: res.headers, url: url.toString() };
    if (text.trim() === '') return { ...answer, body: null };
    try {
      return { ...answer, body: JSON.parse(text) as unknown };
    } catch {
      if (!(status >= 200 && status < 300)) return { ...answer, body: null };
      throw new Error(`rest: ${where} answered ${status} with a body that is not JSON${snippet(text)}`);
    }
  };
}

type OAuth2 = NonNullable<NonNullable<RestSettings['auth']>['oauth2']>;

/** RFC 6749 §5.2 error codes that mean the client's credentials or grant are wrong: staff must act. */
const REFUSED = new Set(['invalid_client', 'unauthorized_client', 'invalid_grant', 'invalid_scope', 'unsupported_grant_type']);
/** When a token answer has no `expires_in` (RFC 6749 §5.1: only recommended): ask again after this. */
const DEFAULT_TOKEN_LIFE_S = 300;

/** Form encoding for HTTP Basic client authentication (RFC 6749 §2.3.1: encode, then base64). */
const formEncode = (value: string) => new URLSearchParams({ v: value }).toString().slice(2);

/**
 * OAuth2 client credentials (RFC 6749 §4.4): one access token per adapter, kept until shortly
 * before it expires, fetched once for concurrent callers. The secret and the token never appear
 * in a message.
 */
function oauth2Tokens(cfg: OAuth2, timeoutMs: number, now: () => number) {
  let cached: { token: string; renewAt: number } | null = null;
  let inflight: Promise<string> | null = null;
  const endpoint = new URL(cfg.tokenUrl);
  const where = `POST ${endpoint.origin}${endpoint.pathname}`;

  const fetchToken = async (signal: AbortSignal): Promise<string> => {
    const form = new URLSearchParams({ grant_type: 'client_credentials' });
    if (cfg.scope !== undefined) form.set('scope', cfg.scope);
    if (cfg.audience !== undefined) form.set('audience', cfg.audience);
    const headers: Record<string, string> = { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' };
    if (cfg.clientAuth === 'basic') {
      headers.Authorization = `Basic ${Buffer.from(`${formEncode(cfg.clientId)}:${formEncode(cfg.clientSecret)}`).toString('base64')}`;
    } else {
      form.set('client_id', cfg.clientId);
      form.set('client_secret', cfg.clientSecret);
    }
    let res;
    try {
      res = await axios.post<string>(cfg.tokenUrl, form.toString(), {
        headers, timeout: timeoutMs, validateStatus: () => true, maxRedirects: 0, responseType: 'text', signal,
        transformResponse: (x: unknown) => x,
      });
    } catch (err) {
      throw new AdapterUnavailableError(`rest: ${where} (OAuth2 token) did not answer (${axios.isAxiosError(err) ? (err.code ?? 'request failed') : 'request failed'})`);
    }
    let body: Record<string, unknown> = {};
    try { body = JSON.parse(String(res.data)) as Record<string, unknown>; } catch { /* judged below */ }
    const error = typeof body.error === 'string' ? body.error : undefined;
    if (res.status === 401 || res.status === 403 || (res.status === 400 && error !== undefined && REFUSED.has(error))) {
      throw new AdapterAuthError(`rest: ${where} (OAuth2 token) answered ${res.status}${error ? ` ${error}` : ''}: the client credentials were refused`);
    }
    const failure = statusError(res.status, { headers: res.headers, retryAfter: { defaultMs: DEFAULT_RETRY_AFTER_MS }, message: `rest: ${where} (OAuth2 token) answered ${res.status}` });
    if (failure) throw failure;
    const token = body.access_token;
    const type = body.token_type;
    if (res.status !== 200 || typeof token !== 'string' || token === '' || (type !== undefined && String(type).toLowerCase() !== 'bearer')) {
      throw new Error(`rest: ${where} (OAuth2 token) answered ${res.status} without a bearer access_token${error ? ` (${error})` : ''}`);
    }
    const life = typeof body.expires_in === 'number' && body.expires_in > 0 ? body.expires_in : DEFAULT_TOKEN_LIFE_S;
    // Renew a little early (a tenth of its life, at most a minute) so no request carries a token that dies in flight.
    cached = { token, renewAt: now() + life * 1000 - Math.min(60_000, life * 100) };
    return token;
  };

  return {
    async get(signal: AbortSignal): Promise<string> {
      if (cached && now() < cached.renewAt) return cached.token;
      inflight ??= fetchToken(signal).finally(() => { inflight = null; });
      return inflight;
    },
    /** A token the PMS refused: the next get() fetches a new one. */
    forget(token: string | undefined) {
      if (cached?.token === token) cached = null;
    },
  };
}

/** The start of an error body, for a message staff can act on (a PMS's own error text). */
function snippet(data: unknown): string {
  if (typeof data !== 'string' || data.trim() === '') return '';
  const flat = data.replace(/\s+/g, ' ').trim();
  return `: ${flat.length > 200 ? `${flat.slice(0, 200)}…` : flat}`;
}
