import axios, { type AxiosInstance } from 'axios';
import { AdapterAuthError, AdapterRateLimitedError, AdapterUnavailableError } from '../../src/core/adapter/errors.js';
import { MewsRequestError } from './errors.js';
import type { MewsSettings } from './settings.js';

/**
 * The adapter's one door to the Connector API: `POST {baseUrl}/api/connector/v1/{operation}` with
 * the tokens in the JSON body, the quota taken before each call, and every failure turned into a
 * typed error (Mews "Responses" guideline). Tokens never appear in a message.
 */

export interface CallContext {
  signal: AbortSignal;
  throttle(): Promise<void>;
}

export type MewsCall = (operation: string, body: Record<string, unknown>, ctx: CallContext) => Promise<unknown>;

const DEFAULT_RETRY_AFTER_MS = 1_000;
const TIMEOUT_MS = 30_000;

/** `Retry-After` as milliseconds: delta-seconds or an HTTP date. */
function retryAfterMs(header: unknown, now = Date.now()): number {
  if (typeof header !== 'string' || header.trim() === '') return DEFAULT_RETRY_AFTER_MS;
  const value = header.trim();
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? DEFAULT_RETRY_AFTER_MS : Math.max(0, at - now);
}

function messageOf(text: string): string {
  try {
    const body = JSON.parse(text) as { Message?: unknown };
    if (typeof body.Message === 'string') return body.Message;
  } catch { /* not JSON */ }
  return text.slice(0, 200);
}

export function createMewsCall(settings: Pick<MewsSettings, 'baseUrl' | 'clientToken' | 'accessToken' | 'client'>): MewsCall {
  const http: AxiosInstance = axios.create({
    timeout: TIMEOUT_MS,
    responseType: 'text',
    transformResponse: [(data: unknown) => data],
    validateStatus: () => true,
    maxRedirects: 0,
    headers: { Accept: 'application/json', 'Content-Type': 'application/json' },
  });
  const base = settings.baseUrl.replace(/\/+$/, '');

  return async (operation, body, ctx) => {
    await ctx.throttle();
    let res;
    try {
      res = await http.post<string>(`${base}/api/connector/v1/${operation}`, JSON.stringify({
        ClientToken: settings.clientToken, AccessToken: settings.accessToken, Client: settings.client, ...body,
      }), { signal: ctx.signal });
    } catch (err) {
      const reason = axios.isAxiosError(err) ? (err.code ?? err.message) : String(err);
      throw new AdapterUnavailableError(`mews: ${operation} did not answer (${reason})`);
    }
    const { status } = res;
    const text = typeof res.data === 'string' ? res.data : '';
    if (status === 200) {
      try {
        return JSON.parse(text) as unknown;
      } catch {
        throw new AdapterUnavailableError(`mews: ${operation} answered 200 without JSON`);
      }
    }
    const message = messageOf(text);
    if (status === 401) throw new AdapterAuthError(`mews: ${operation} answered 401: ${message}`);
    if (status === 429) {
      const wait = retryAfterMs(res.headers['retry-after']);
      throw new AdapterRateLimitedError(`mews: ${operation} answered 429; retry after ${wait} ms`, wait);
    }
    // 408: too heavy, try again (smaller); 409: data changed meanwhile; 5xx: Mews is in trouble.
    if (status === 408 || status === 409 || status >= 500) {
      throw new AdapterUnavailableError(`mews: ${operation} answered ${status}: ${message}`);
    }
    throw new MewsRequestError(`mews: ${operation} answered ${status}: ${message}`, status, operation);
  };
}
