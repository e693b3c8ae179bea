import type { Readable } from 'node:stream';
import axios from 'axios';
import { AdapterUnavailableError } from '../../src/core/adapter/errors.js';
import {
  allOf, discardBody, headerValue, itemCounter, prefixCheck, readBodyBytes, statusError,
} from '../../src/core/adapter/http.js';
import type { FeedState } from './cursor.js';

/**
 * One conditional GET of a feed (RFC 9110 §13.1): `If-None-Match` with the stored ETag,
 * `If-Modified-Since` with the stored Last-Modified; a 304 means "unchanged" and has no body.
 * Failures become the adapter's typed errors. Messages name the feed's origin only: the path and
 * query of an OTA export URL are often its secret.
 */

export type FeedResponse =
  | { changed: false }
  /** The body unread (its digest and events are the parse pool's work); `state` without the digest. */
  | { changed: true; body: Uint8Array; state: Omit<FeedState, 'digest'> };

export interface FetchFeedRequest {
  url: string;
  /** Validators of the last response; omitted for an unconditional (full) fetch. */
  previous?: FeedState | undefined;
  headers: Readonly<Record<string, string>>;
  /** The whole exchange, body included. */
  timeoutMs: number;
  /** The body, counted while it streams in. */
  maxBytes: number;
  /** Events (`BEGIN:VEVENT`), counted while the body streams in. */
  maxEvents: number;
  signal: AbortSignal;
}

/** When a 429 names no Retry-After. */
const DEFAULT_RETRY_AFTER_MS = 60_000;

const USER_AGENT = 'avhub-ical-feed/1 (+https://www.rfc-editor.org/rfc/rfc5545)';

export async function fetchFeed(req: FetchFeedRequest): Promise<FeedResponse> {
  const where = `feed at ${new URL(req.url).origin}`;
  const headers: Record<string, string> = { Accept: 'text/calendar, */*;q=0.5', 'User-Agent': USER_AGENT, ...req.headers };
  if (req.previous?.etag) headers['If-None-Match'] = req.previous.etag;
  if (req.previous?.lastModified) headers['If-Modified-Since'] = req.previous.lastModified;
  // The whole exchange, body included, within timeoutMs: axios' own timeout only ends an idle
  // socket, so a feed trickling a few bytes a second would hold a poll slot until the poll's limit.
  const deadline = AbortSignal.timeout(req.timeoutMs);
  const signal = AbortSignal.any([req.signal, deadline]);
  const late = () => new AdapterUnavailableError(`ical-feed: the ${where} did not finish answering within ${req.timeoutMs / 1000} s (the site's time limit)`);
  let res;
  try {
    res = await axios.request<Readable>({
      method: 'GET',
      url: req.url,
      headers,
      // A stream, so the body is read with a byte limit instead of buffered whole.
      responseType: 'stream',
      timeout: req.timeoutMs,
      signal,
      validateStatus: () => true,
    });
  } catch (err) {
    if (deadline.aborted && !req.signal.aborted) throw late();
    const reason = axios.isAxiosError(err) ? (err.code ?? err.message) : err instanceof Error ? err.message : String(err);
    throw new AdapterUnavailableError(`ical-feed: the ${where} did not answer (${reason})`);
  }
  const status = res.status;
  const failure = fetchFailure(status, res.headers, where, req.previous !== undefined);
  if (failure) {
    discardBody(res.data);
    throw failure;
  }
  if (status === 304) {
    discardBody(res.data);
    return { changed: false };
  }
  const body = await readBodyBytes(res.data, {
    what: `ical-feed: the ${where}`, maxBytes: req.maxBytes, contentLength: headerValue(res.headers, 'content-length'), signal,
    onChunk: allOf(
      itemCounter({
        marker: 'BEGIN:VEVENT', max: req.maxEvents,
        message: (max) => `ical-feed: the ${where} has more than ${max} events (the site's item limit); refused unparsed`,
      }),
      // BEGIN:VCALENDAR is a calendar's first line; 64 KB leave room for stray text before it.
      prefixCheck(64 * 1024, (prefix) => {
        if (!/BEGIN:VCALENDAR/i.test(prefix)) {
          throw new AdapterUnavailableError(`ical-feed: the ${where} is not a readable iCalendar document (no BEGIN:VCALENDAR in its first 64 KB); refused unread`);
        }
      }),
    ),
  }).catch((err: unknown) => {
    if (deadline.aborted && !req.signal.aborted) throw late();
    throw err;
  });
  const state: Omit<FeedState, 'digest'> = {};
  const etag = headerValue(res.headers, 'etag');
  const lastModified = headerValue(res.headers, 'last-modified');
  if (etag !== null) state.etag = etag;
  if (lastModified !== null) state.lastModified = lastModified;
  return { changed: true, body, state };
}

/** The typed error for an answer that is not a feed (or not "unchanged"), or null. */
function fetchFailure(status: number, headers: unknown, where: string, conditional: boolean): Error | null {
  if (status === 304) {
    return conditional ? null : new AdapterUnavailableError(`ical-feed: the ${where} answered 304 to an unconditional request`);
  }
  const failure = statusError(status, {
    headers,
    retryAfter: { defaultMs: DEFAULT_RETRY_AFTER_MS },
    message: (meaning, wait) => meaning === 'auth'
      ? `ical-feed: the ${where} refused access (${status}); check the feed URL's token or the adapter's headers`
      : meaning === 'rate-limited'
        ? `ical-feed: the ${where} asked to slow down (429); retry in ${Math.ceil(wait / 1000)} s`
        : `ical-feed: the ${where} answered ${status}`,
  });
  if (failure) return failure;
  if (status === 404 || status === 410) {
    return new AdapterUnavailableError(`ical-feed: the ${where} has no such feed (${status}); the export may have been removed or its URL changed`);
  }
  if (status < 200 || status >= 300) return new AdapterUnavailableError(`ical-feed: the ${where} answered ${status}`);
  return null;
}
