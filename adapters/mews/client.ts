import type { Readable } from 'node:stream';
import axios, { type AxiosInstance } from 'axios';
import { AdapterUnavailableError } from '../../src/core/adapter/errors.js';
import { headerValue, readBody, statusError } from '../../src/core/adapter/http.js';
import { MewsRequestError, MewsTimeoutError } from './errors.js';
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

function messageOf(text: string): string {
  try {
    const body = JSON.parse(text) as { Message?: unknown };
    if (typeof body.Message === 'string') return body.Message;
  } catch { /* not JSON */ }
  return text.slice(0, 200);
}

export function createMewsCall(settings: Pick<MewsSettings, 'baseUrl' | 'clientToken' | 'accessToken' | 'client'>, maxBytes?: number): MewsCall {
  const http: AxiosInstance = axios.create({
    timeout: TIMEOUT_MS,
    // A stream, so the body is read with a byte limit instead of buffered whole.
    responseType: 'stream',
    validateStatus: () => true,
    maxRedirects: 0,
    headers: { Accept: 'application/json', 'Content-Type': 'application/json' },
  });
  const base = settings.baseUrl.replace(/\/+$/, '');

  return async (operation, body, ctx) => {
    await ctx.throttle();
    let res;
    try {
      res = await http.post<Readable>(`${base}/api/connector/v1/${operation}`, JSON.stringify({
        ClientToken: settings.clientToken, AccessToken: settings.accessToken, Client: settings.client, ...body,
      }), { signal: ctx.signal });
    } catch (err) {
      const reason = axios.isAxiosError(err) ? (err.code ?? err.message) : String(err);
      throw new AdapterUnavailableError(`mews: ${operation} did not answer (${reason})`);
    }
    const { status } = res;
    const text = await readBody(res.data, {
      what: `mews: ${operation}`, contentLength: headerValue(res.headers, 'content-length'), signal: ctx.signal,
      ...(maxBytes === undefined ? {} : { maxBytes }),
    });
    if (status === 200) {
      try {
        return JSON.parse(text) as unknown;
      } catch {
        throw new AdapterUnavailableError(`mews: ${operation} answered 200 without JSON`);
      }
    }
    const message = messageOf(text);
    if (status === 408) throw new MewsTimeoutError(`mews: ${operation} answered 408 (too heavy): ${message}`);
    // Mews answers 403 for refused business operations (no availability), not for credentials.
    const failure = statusError(status, {
      headers: res.headers,
      auth: [401],
      retryAfter: { defaultMs: DEFAULT_RETRY_AFTER_MS },
      message: (meaning, wait) => meaning === 'rate-limited'
        ? `mews: ${operation} answered 429; retry after ${wait} ms`
        : `mews: ${operation} answered ${status}: ${message}`,
    });
    if (failure) throw failure;
    // 409: data changed meanwhile, try again (408 too heavy and 5xx are outages above).
    if (status === 409) throw new AdapterUnavailableError(`mews: ${operation} answered ${status}: ${message}`);
    throw new MewsRequestError(`mews: ${operation} answered ${status}: ${message}`, status, operation);
  };
}
