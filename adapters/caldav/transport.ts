import { calendarQuery, davRequest, propfind, syncCollection, type DAVResponse } from 'tsdav';
import {
  AdapterError, AdapterRateLimitedError, AdapterUnavailableError,
} from '../../src/core/adapter/errors.js';
import { allOf, itemCounter, limitResponse, prefixCheck, parseRetryAfter, readBodyBytes, retryAfterMs, statusError } from '../../src/core/adapter/http.js';
import type { OffThread } from '../../src/core/adapter/off-thread.js';
import { DEFAULT_LIMITS, type AdapterLimits } from '../../src/core/adapter/port.js';
import { sharedParsePool } from '../parsing/index.js';
import type { DavAnswer, DavCallName, DavParams, MultistatusInput } from './multistatus.js';
import { xmlRefusal } from './multistatus.js';

export type Fetch = typeof globalThis.fetch;

/**
 * The source's fetch (tsdav's, for discovery and writes), and `dav`: one WebDAV request whose
 * answer is read to the byte limit here and parsed on the parse pool, never on the event loop.
 */
export type Transport = Fetch & {
  /**
   * Runs tsdav's `fn` with `params` (without `fetch`): the request goes out from here, the answer
   * is parsed by the same tsdav function on a worker thread.
   * @throws TooManyItemsError past the item limit; AdapterUnavailableError for an answer that
   *   is not XML or declares entities, or past the parse limits.
   */
  dav(fn: DavCallName, params: DavParams): Promise<DAVResponse[]>;
};

/** tsdav's request builders, called here only to make the request (their parse sees nothing). */
const BUILDERS = { calendarQuery, davRequest, propfind, syncCollection } as unknown as Record<DavCallName, (params: DavParams & { fetch: Fetch }) => Promise<unknown>>;

/**
 * Answers tsdav parses on the event loop (discovery of the principal and home set, a few hundred
 * bytes each) are refused above this: anything bigger is not a discovery answer.
 */
const MAX_INLINE_XML_BYTES = 1024 * 1024;

export interface TransportOptions {
  fetch: Fetch;
  username: string;
  password: string;
  /** The credential's quota (the core's token bucket): awaited before every request. */
  throttle(): Promise<void>;
  /** The caller's signal: when it aborts, the request is abandoned and the abort is rethrown as is. */
  signal: AbortSignal;
  /** One request (headers and body) may take this long before the source counts as unavailable. */
  timeoutMs: number;
  /** Body size, items and parse time; default {@link DEFAULT_LIMITS}. */
  limits?: AdapterLimits;
  /** Default: the shared parse pool. */
  offThread?: OffThread;
}

/** A 429 without Retry-After waits this long (no vendor documents a default). */
export const DEFAULT_RETRY_AFTER_MS = 30_000;

const describe = (method: string, url: string) => {
  try {
    return `${method} ${new URL(url).pathname}`;
  } catch {
    return `${method} ${url}`;
  }
};

/**
 * Turns an HTTP status that no caller can handle into the port's typed errors: 401 (credential
 * refused), 429 and 503-with-Retry-After (slow down), 408 and other 5xx but 501 (unavailable).
 * Everything else (2xx, 3xx, 403, 404, 409, 412, 501 ...) is returned for the caller to judge.
 */
function failureOf(res: Response, what: string, username: string): AdapterError | null {
  // 501 is an answer, not an outage: the server lacks a method or report (sync-collection).
  if (res.status === 501) return null;
  const retryAfter = res.headers.get('retry-after');
  if (res.status === 503 && parseRetryAfter(retryAfter) !== null) {
    return new AdapterRateLimitedError(`${what}: the CalDAV server asked to retry later (503)`, retryAfterMs(retryAfter));
  }
  // CalDAV answers 403 for failed preconditions (RFC 4791 §1.3): only 401 is the credential.
  return statusError(res.status, {
    headers: res.headers,
    auth: [401],
    retryAfter: { defaultMs: DEFAULT_RETRY_AFTER_MS },
    message: (meaning) => meaning === 'auth' ? `${what}: the CalDAV server refused the credentials of user "${username}" (401)`
      : meaning === 'rate-limited' ? `${what}: rate limited by the CalDAV server (429)`
        : `${what}: the CalDAV server answered ${res.status} ${res.statusText}`.trim(),
  });
}

/**
 * The `fetch` every request to the source goes through (tsdav's and ours): waits for the quota,
 * adds Basic auth, bounds each request by a timeout (body included), maps failures to the port's
 * typed errors, and limits each body to the site's size limit. `dav` reads an answer's bytes and
 * has it parsed off the event loop; answers tsdav reads itself (discovery) are checked and capped
 * at {@link MAX_INLINE_XML_BYTES} first. The password only ever travels in the Authorization header.
 */
export function createTransport(opts: TransportOptions): Transport {
  const authorization = `Basic ${Buffer.from(`${opts.username}:${opts.password}`, 'utf8').toString('base64')}`;
  const limits = opts.limits ?? { ...DEFAULT_LIMITS, timeoutMs: opts.timeoutMs };
  const late = (what: string) => new AdapterUnavailableError(`${what}: the answer did not finish within ${opts.timeoutMs / 1000} s (the site's time limit)`);

  /** The request, its status judged; the body not read yet, but bound by the timeout. */
  const request = async (input: string | URL | Request, init: RequestInit): Promise<{ res: Response; what: string; timeout: AbortSignal }> => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    const method = (init.method ?? (input instanceof Request ? input.method : 'GET')).toUpperCase();
    const what = describe(method, url);
    opts.signal.throwIfAborted();
    await opts.throttle();
    opts.signal.throwIfAborted();
    const timeout = AbortSignal.timeout(opts.timeoutMs);
    const headers = new Headers(init.headers);
    headers.set('Authorization', authorization);
    let res: Response;
    try {
      res = await opts.fetch(input, { ...init, headers, signal: AbortSignal.any([opts.signal, timeout]) });
    } catch (err) {
      if (opts.signal.aborted) throw err;
      if (timeout.aborted) throw new AdapterUnavailableError(`${what}: no answer within ${opts.timeoutMs} ms (the site's time limit)`);
      const cause = err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : String(err);
      throw new AdapterUnavailableError(`${what}: ${cause}`, { cause: err });
    }
    const failure = failureOf(res, what, opts.username);
    if (failure) {
      await res.body?.cancel().catch(() => undefined);
      throw failure;
    }
    return { res, what, timeout };
  };

  const transport = async (input: string | URL | Request, init: RequestInit = {}): Promise<Response> => {
    const { res, what, timeout } = await request(input, init);
    // tsdav reads bodies whole: past the limit the read fails instead of filling memory.
    const limited = limitResponse(res, { what, maxBytes: isXml(res) ? Math.min(limits.maxBytes, MAX_INLINE_XML_BYTES) : limits.maxBytes });
    if (!isXml(limited)) return limited;
    // An XML answer tsdav parses on the event loop is read here and checked first: a body that
    // is not XML (garbage stalls the parser for minutes) or that declares entities (expansion
    // bombs) is refused, an outage naming why (issue 14).
    let text: string;
    try {
      text = await limited.text();
    } catch (err) {
      if (err instanceof AdapterError || opts.signal.aborted) throw err;
      if (timeout.aborted) throw late(what);
      throw classifyError(err, opts.signal);
    }
    const refusal = xmlRefusal(text);
    if (refusal) throw new AdapterUnavailableError(`${what}: the CalDAV server answered ${refusal}; refused unparsed`);
    return new Response(text, { status: res.status, statusText: res.statusText, headers: res.headers });
  };

  /** One answer as bytes, read to the size limit within the time limit. */
  const answer = async (input: string | URL | Request, init: RequestInit = {}): Promise<DavAnswer> => {
    const { res, what, timeout } = await request(input, init);
    const bytes = res.body === null ? null : await readBodyBytes(res.body, {
      what, maxBytes: limits.maxBytes, contentLength: res.headers.get('content-length'), signal: opts.signal,
      // Each multistatus response element opens and closes with `response>`.
      onChunk: allOf(
        itemCounter({
          marker: 'response>', perItem: 2, max: limits.maxItems,
          message: (max) => `${what}: the CalDAV server answered more than ${max} items (the site's item limit); refused`,
        }),
        // The first 4 KB tell garbage and entity declarations apart from XML (the worker checks all).
        prefixCheck(4096, (prefix) => {
          const refusal = isXml(res) ? xmlRefusal(prefix) : null;
          if (refusal) throw new AdapterUnavailableError(`${what}: the CalDAV server answered ${refusal}; refused unparsed`);
        }),
      ),
    }).catch((err: unknown) => {
      if (timeout.aborted && !opts.signal.aborted) throw late(what);
      throw err;
    });
    const headers: Record<string, string> = {};
    for (const name of ['content-type', 'dav', 'etag']) {
      const value = res.headers.get(name);
      if (value !== null) headers[name] = value;
    }
    return { what, status: res.status, statusText: res.statusText, headers, bytes };
  };

  const dav = async (fn: DavCallName, params: DavParams): Promise<DAVResponse[]> => {
    let captured: DavAnswer | undefined;
    // tsdav builds the request and sends it through this; what it then parses is an empty 204.
    await BUILDERS[fn]({
      ...params,
      fetch: (async (input: string | URL | Request, init?: RequestInit) => {
        captured = await answer(input, init);
        return new Response(null, { status: 204 });
      }),
    });
    if (!captured) throw new Error(`tsdav's ${fn} made no request`);
    const input: MultistatusInput = { fn, params, answer: captured, maxItems: limits.maxItems };
    return (opts.offThread ?? sharedParsePool()).run<DAVResponse[]>('caldav/multistatus', input, {
      what: captured.what, signal: opts.signal, timeLimitMs: limits.parseTimeoutMs,
      transfer: captured.bytes ? [captured.bytes.buffer as ArrayBuffer] : [], size: captured.bytes?.byteLength ?? 0,
    });
  };

  return Object.assign(transport, { dav });
}

function isXml(res: Response): boolean {
  return res.body !== null && (res.status === 207 || /xml/i.test(res.headers.get('content-type') ?? ''));
}

/**
 * Maps what escaped a request to the port's errors: typed errors pass, the caller's own abort
 * passes, timeouts and dropped connections while reading a body become AdapterUnavailableError.
 * Anything else (a server that is not CalDAV, a calendar that is not there) stays a plain Error.
 */
export function classifyError(err: unknown, signal: AbortSignal): unknown {
  if (err instanceof AdapterError || signal.aborted) return err;
  if (err instanceof Error) {
    if (err.name === 'TimeoutError' || err.name === 'AbortError') {
      return new AdapterUnavailableError(`the CalDAV server did not answer in time: ${err.message}`, { cause: err });
    }
    if (err instanceof TypeError && /fetch failed|terminated|socket|ECONNRESET|other side closed/i.test(`${err.message} ${String(err.cause ?? '')}`)) {
      return new AdapterUnavailableError(`the connection to the CalDAV server failed: ${err.message}`, { cause: err });
    }
  }
  return err;
}
