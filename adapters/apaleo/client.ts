import type { Readable } from 'node:stream';
import axios, { type AxiosInstance, type AxiosResponse } from 'axios';
import { AdapterAuthError, AdapterUnavailableError } from '../../src/core/adapter/errors.js';
import { headerValue, readBody } from '../../src/core/adapter/http.js';
import { errorForStatus, messagesOf } from './errors.js';

/** What every call needs from the hub's request: the quota gate and the poll's abort signal. */
export interface CallContext {
  throttle(): Promise<void>;
  signal: AbortSignal;
}

export interface ApaleoClientOptions {
  baseUrl: string;
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  /** Per-request timeout in milliseconds. */
  timeoutMs: number;
  /** One answer's body in bytes (the site's `limits.maxBytes`); default the shared 20 MB. */
  maxBytes?: number | undefined;
  /** A token is renewed this long before apaleo says it expires. */
  tokenMarginMs?: number;
  now?: () => number;
}

export interface ApaleoResponse<T> {
  status: number;
  /** Null for 204 No Content (apaleo's answer to an empty page). */
  data: T | null;
  /** The server's clock (the `Date` header) in epoch ms, when it sent one. */
  serverTime: number | null;
}

type Query = Record<string, string | number | boolean | readonly string[] | undefined>;

/**
 * A small apaleo HTTP client: OAuth2 client credentials with the token cached until shortly
 * before it expires, one token refresh on a 401, and every failure mapped to the hub's typed
 * errors. Array query values are sent comma-separated, as apaleo's list filters expect.
 */
export class ApaleoClient {
  private readonly http: AxiosInstance;
  private token: { value: string; renewAt: number } | null = null;
  private pending: Promise<string> | null = null;
  private readonly now: () => number;

  constructor(private readonly opts: ApaleoClientOptions) {
    this.now = opts.now ?? Date.now;
    this.http = axios.create({
      timeout: opts.timeoutMs,
      validateStatus: () => true,
      // A stream, so the body is read with a byte limit instead of buffered whole (see `send`).
      responseType: 'stream',
      // Redirects to a login page would hide a 401; apaleo's API never redirects.
      maxRedirects: 0,
      headers: { Accept: 'application/json' },
    });
  }

  async get<T>(path: string, query: Query, ctx: CallContext): Promise<ApaleoResponse<T>> {
    return this.call<T>('GET', path, query, undefined, {}, ctx);
  }

  async post<T>(path: string, body: unknown, headers: Record<string, string>, ctx: CallContext): Promise<ApaleoResponse<T>> {
    return this.call<T>('POST', path, {}, body, headers, ctx);
  }

  async put<T>(path: string, ctx: CallContext): Promise<ApaleoResponse<T>> {
    return this.call<T>('PUT', path, {}, undefined, {}, ctx);
  }

  async delete<T>(path: string, ctx: CallContext): Promise<ApaleoResponse<T>> {
    return this.call<T>('DELETE', path, {}, undefined, {}, ctx);
  }

  /** Forgets the cached token (tests; a revoked credential). */
  dropToken(): void {
    this.token = null;
  }

  private async call<T>(method: string, path: string, query: Query, body: unknown,
    headers: Record<string, string>, ctx: CallContext): Promise<ApaleoResponse<T>> {
    for (let attempt = 0; ; attempt++) {
      const token = await this.accessToken(ctx);
      await ctx.throttle();
      const res = await this.send(() => this.http.request({
        method, url: this.opts.baseUrl.replace(/\/+$/, '') + path, params: flatten(query), data: body,
        headers: { ...headers, Authorization: `Bearer ${token}` }, signal: ctx.signal,
      }), `${method} ${path}`, ctx.signal);
      // A token can be revoked or expire early: fetch a fresh one once, then give up.
      if (res.status === 401 && attempt === 0) {
        if (this.token?.value === token) this.token = null;
        continue;
      }
      if (res.status >= 400) throw errorForStatus(`apaleo ${method} ${path}`, res.status, res.headers, res.data);
      const date = typeof res.headers.date === 'string' ? Date.parse(res.headers.date) : Number.NaN;
      return { status: res.status, data: res.status === 204 || res.data === '' ? null : res.data as T, serverTime: Number.isNaN(date) ? null : date };
    }
  }

  private async accessToken(ctx: CallContext): Promise<string> {
    if (this.token && this.now() < this.token.renewAt) return this.token.value;
    // Concurrent callers share one token request.
    this.pending ??= this.fetchToken(ctx).finally(() => { this.pending = null; });
    return this.pending;
  }

  private async fetchToken(ctx: CallContext): Promise<string> {
    await ctx.throttle();
    const form = new URLSearchParams({ grant_type: 'client_credentials' });
    const basic = Buffer.from(`${encodeURIComponent(this.opts.clientId)}:${encodeURIComponent(this.opts.clientSecret)}`).toString('base64');
    const res = await this.send(() => this.http.post(this.opts.tokenUrl, form.toString(), {
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Authorization: `Basic ${basic}` },
      signal: ctx.signal,
    }), 'token request', ctx.signal);
    const data = res.data as Record<string, unknown> | null;
    // The identity server answers a bad client with 400/401 `invalid_client`.
    if (res.status === 400 || res.status === 401) {
      throw new AdapterAuthError(`apaleo token endpoint refused the client: HTTP ${res.status} (${messagesOf(data).join('; ') || 'no detail'})`);
    }
    if (res.status >= 400) throw errorForStatus('apaleo token endpoint', res.status, res.headers, data);
    const value = data?.access_token;
    if (typeof value !== 'string' || value === '') throw new AdapterUnavailableError('apaleo token endpoint answered without an access_token');
    const expiresInMs = (typeof data?.expires_in === 'number' ? data.expires_in : 3600) * 1000;
    // Renew a minute early, or at 90% of a short lifetime.
    const margin = Math.min(this.opts.tokenMarginMs ?? 60_000, expiresInMs / 10);
    this.token = { value, renewAt: this.now() + expiresInMs - margin };
    return value;
  }

  /**
   * Sends a request and reads its body (JSON when it parses, else the text); no answer at all
   * (refused, reset, timeout, aborted) is an outage.
   */
  private async send(fn: () => Promise<AxiosResponse<Readable>>, what: string, signal: AbortSignal): Promise<AxiosResponse<unknown>> {
    let res: AxiosResponse<Readable>;
    try {
      res = await fn();
    } catch (err) {
      const e = err as { code?: string; message?: string };
      throw new AdapterUnavailableError(`apaleo ${what} failed: ${e.code ?? ''} ${e.message ?? String(err)}`.trim());
    }
    const text = await readBody(res.data, {
      what: `apaleo ${what}`, contentLength: headerValue(res.headers, 'content-length'), signal,
      ...(this.opts.maxBytes === undefined ? {} : { maxBytes: this.opts.maxBytes }),
    });
    return { ...res, data: parseJson(text) };
  }
}

/** What axios's default JSON handling gave: the parsed value, or the text when it is not JSON. */
function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

function flatten(query: Query): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(query)) {
    if (v === undefined) continue;
    out[k] = Array.isArray(v) ? v.join(',') : String(v);
  }
  return out;
}
