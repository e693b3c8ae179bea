import axios from 'axios';
import {
  AdapterAuthError, AdapterRateLimitedError, AdapterUnavailableError,
} from '../../src/core/adapter/errors.js';
import { sha256 } from './settings.js';
import type { FeedState } from './cursor.js';

/**
 * One conditional GET of a feed (RFC 9110 §13.1): `If-None-Match` with the stored ETag,
 * `If-Modified-Since` with the stored Last-Modified; a 304 means "unchanged" and has no body.
 * Failures become the adapter's typed errors. Messages name the feed's origin only: the path and
 * query of an OTA export URL are often its secret.
 */

export type FeedResponse =
  | { changed: false }
  | { changed: true; body: string; state: FeedState };

export interface FetchFeedRequest {
  url: string;
  /** Validators of the last response; omitted for an unconditional (full) fetch. */
  previous?: FeedState | undefined;
  headers: Readonly<Record<string, string>>;
  timeoutMs: number;
  signal: AbortSignal;
}

/** A feed larger than this is refused: no booking export is this big. */
const MAX_FEED_BYTES = 50 * 1024 * 1024;
/** When a 429 names no Retry-After. */
const DEFAULT_RETRY_AFTER_MS = 60_000;

const USER_AGENT = 'avhub-ical-feed/1 (+https://www.rfc-editor.org/rfc/rfc5545)';

/** Retry-After as delay-seconds or an HTTP-date (RFC 9110 §10.2.3), in ms from `now`. */
function retryAfterMs(value: unknown, now = Date.now()): number {
  if (typeof value !== 'string' || value.trim() === '') return DEFAULT_RETRY_AFTER_MS;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? DEFAULT_RETRY_AFTER_MS : Math.max(0, at - now);
}

const header = (headers: Record<string, unknown>, name: string): string | undefined => {
  const v = headers[name];
  return typeof v === 'string' && v !== '' ? v : undefined;
};

export async function fetchFeed(req: FetchFeedRequest): Promise<FeedResponse> {
  const where = `feed at ${new URL(req.url).origin}`;
  const headers: Record<string, string> = { Accept: 'text/calendar, */*;q=0.5', 'User-Agent': USER_AGENT, ...req.headers };
  if (req.previous?.etag) headers['If-None-Match'] = req.previous.etag;
  if (req.previous?.lastModified) headers['If-Modified-Since'] = req.previous.lastModified;
  let res;
  try {
    res = await axios.request<string>({
      method: 'GET',
      url: req.url,
      headers,
      responseType: 'text',
      transformResponse: (data: unknown) => data,
      timeout: req.timeoutMs,
      signal: req.signal,
      maxContentLength: MAX_FEED_BYTES,
      validateStatus: () => true,
    });
  } catch (err) {
    const reason = axios.isAxiosError(err) ? (err.code ?? err.message) : err instanceof Error ? err.message : String(err);
    throw new AdapterUnavailableError(`ical-feed: the ${where} did not answer (${reason})`);
  }
  const status = res.status;
  const resHeaders = res.headers as Record<string, unknown>;
  if (status === 304) {
    if (!req.previous) throw new AdapterUnavailableError(`ical-feed: the ${where} answered 304 to an unconditional request`);
    return { changed: false };
  }
  if (status === 401 || status === 403) {
    throw new AdapterAuthError(`ical-feed: the ${where} refused access (${status}); check the feed URL's token or the adapter's headers`);
  }
  if (status === 429) {
    const wait = retryAfterMs(resHeaders['retry-after']);
    throw new AdapterRateLimitedError(`ical-feed: the ${where} asked to slow down (429); retry in ${Math.ceil(wait / 1000)} s`, wait);
  }
  if (status === 404 || status === 410) {
    throw new AdapterUnavailableError(`ical-feed: the ${where} has no such feed (${status}); the export may have been removed or its URL changed`);
  }
  if (status < 200 || status >= 300) {
    throw new AdapterUnavailableError(`ical-feed: the ${where} answered ${status}`);
  }
  const body = typeof res.data === 'string' ? res.data : String(res.data ?? '');
  const state: FeedState = { digest: sha256(body) };
  const etag = header(resHeaders, 'etag');
  const lastModified = header(resHeaders, 'last-modified');
  if (etag !== undefined) state.etag = etag;
  if (lastModified !== undefined) state.lastModified = lastModified;
  return { changed: true, body, state };
}
