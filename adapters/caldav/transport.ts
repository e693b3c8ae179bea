import {
  AdapterError, AdapterRateLimitedError, AdapterUnavailableError,
} from '../../src/core/adapter/errors.js';
import { limitResponse, parseRetryAfter, retryAfterMs, statusError } from '../../src/core/adapter/http.js';

export type Fetch = typeof globalThis.fetch;

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
 * adds Basic auth, bounds each request by a timeout, maps failures to the port's typed errors, and
 * limits each body to the helper's default size.
 * The password only ever travels in the Authorization header.
 */
export function createTransport(opts: TransportOptions): Fetch {
  const authorization = `Basic ${Buffer.from(`${opts.username}:${opts.password}`, 'utf8').toString('base64')}`;
  const transport = async (input: string | URL | Request, init: RequestInit = {}): Promise<Response> => {
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
      if (timeout.aborted) throw new AdapterUnavailableError(`${what}: no answer within ${opts.timeoutMs} ms`);
      const cause = err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : String(err);
      throw new AdapterUnavailableError(`${what}: ${cause}`, { cause: err });
    }
    const failure = failureOf(res, what, opts.username);
    if (failure) {
      await res.body?.cancel().catch(() => undefined);
      throw failure;
    }
    // tsdav reads bodies whole: past the limit the read fails instead of filling memory.
    const limited = limitResponse(res, { what });
    if (!isXml(limited)) return limited;
    // An XML answer is read here and checked before tsdav's parser sees it: a body that is not
    // XML (garbage stalls the parser for minutes) or that declares entities (expansion bombs)
    // is refused, an outage naming why (issue 14).
    let text: string;
    try {
      text = await limited.text();
    } catch (err) {
      if (err instanceof AdapterError || opts.signal.aborted) throw err;
      if (timeout.aborted) throw new AdapterUnavailableError(`${what}: the answer did not finish within ${opts.timeoutMs} ms`);
      throw classifyError(err, opts.signal);
    }
    const refusal = xmlRefusal(text);
    if (refusal) throw new AdapterUnavailableError(`${what}: the CalDAV server answered ${refusal}; refused unparsed`);
    return new Response(text, { status: res.status, statusText: res.statusText, headers: res.headers });
  };
  return transport;
}

function isXml(res: Response): boolean {
  return res.body !== null && (res.status === 207 || /xml/i.test(res.headers.get('content-type') ?? ''));
}

/** Why `text` is not an XML answer tsdav may parse, or null. A few linear scans, no parsing. */
function xmlRefusal(text: string): string | null {
  const start = text.replace(/^\uFEFF/, '').trimStart();
  if (start !== '' && !start.startsWith('<')) return 'something that is not XML';
  if (/<!(?:DOCTYPE|ENTITY)/i.test(text)) return 'XML with a document type declaration (entities are never expanded)';
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is looked for
  if (/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFD]/.test(text)) return 'bytes that are not well-formed XML text';
  return null;
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
