import {
  AdapterAuthError, AdapterError, AdapterRateLimitedError, AdapterUnavailableError, CursorRejectedError,
  ResponseTooLargeError, TooManyItemsError,
} from './errors.js';

/**
 * The HTTP habits every adapter shares (DESIGN §5): how long a source asked us to wait, what a
 * status means to the hub, and reading a body without buffering more than a limit. Adapters talk
 * to their sources through axios, fetch or tsdav, so nothing here takes a client's response type:
 * callers pass a status, a header source and a body stream.
 */

/**
 * Response headers as any client hands them back: a fetch `Headers` (also another realm's, as
 * gaxios returns), axios headers, a plain record, or a function from name to value.
 */
export type HeaderSource = unknown;

/** One header's value from a {@link HeaderSource}, or null when absent (names are case-insensitive). */
export function headerValue(headers: HeaderSource, name: string): string | null {
  if (typeof headers === 'function') return asHeader((headers as (n: string) => unknown)(name));
  if (headers === null || typeof headers !== 'object') return null;
  const get = (headers as { get?: unknown }).get;
  if (typeof get === 'function') return asHeader((get as (n: string) => unknown).call(headers, name));
  const record = headers as Record<string, unknown>;
  return asHeader(record[name.toLowerCase()] ?? record[name]);
}

function asHeader(value: unknown): string | null {
  if (typeof value === 'number') return String(value);
  if (Array.isArray(value)) return asHeader(value[0]);
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : null;
}

/** The wait for a rate limit whose `Retry-After` is missing or unreadable, unless the caller says. */
export const DEFAULT_RETRY_AFTER_MS = 30_000;
/** The longest wait a `Retry-After` may impose: a wrong header must not stall a site for days. */
export const MAX_RETRY_AFTER_MS = 60 * 60_000;

export interface RetryAfterOptions {
  /** Epoch ms an HTTP-date is measured from; default now. */
  now?: number;
  /** Returned when the header is missing or unreadable; default {@link DEFAULT_RETRY_AFTER_MS}. */
  defaultMs?: number;
  /** Longer waits are cut to this; default {@link MAX_RETRY_AFTER_MS}. */
  maxMs?: number;
}

/**
 * `Retry-After` in ms (RFC 9110 §10.2.3): delta-seconds, or an HTTP-date measured from `now`
 * (0 when already past). Null when the value is absent or neither form; not capped.
 */
export function parseRetryAfter(value: unknown, now = Date.now()): number | null {
  const text = asHeader(value);
  if (text === null) return null;
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  // Every HTTP-date form names a day or month; this keeps Date.parse from reading "1.5" as a date.
  if (!/[a-z]/i.test(text)) return null;
  const at = Date.parse(text);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

/** The wait a response asks for, in ms: {@link parseRetryAfter} with a default and a cap. */
export function retryAfterMs(value: unknown, opts: RetryAfterOptions = {}): number {
  const wait = parseRetryAfter(value, opts.now) ?? opts.defaultMs ?? DEFAULT_RETRY_AFTER_MS;
  return Math.min(wait, opts.maxMs ?? MAX_RETRY_AFTER_MS);
}

/** The adapter error a status stands for, as {@link statusError} classifies it. */
type StatusMeaning = 'auth' | 'rate-limited' | 'unavailable' | 'cursor-rejected';

export interface StatusErrorOptions {
  /** Where `Retry-After` is read from (a 429). */
  headers: HeaderSource;
  /**
   * The error's message. Name the operation and the status; never a secret, token or request
   * body. `waitMs` is the rate limit's wait (0 for other meanings).
   */
  message: string | ((meaning: StatusMeaning, waitMs: number) => string);
  retryAfter?: Omit<RetryAfterOptions, 'now'>;
  /** Statuses that mean "credential refused"; default 401 and 403 (CalDAV and Mews use 403 otherwise). */
  auth?: readonly number[];
  /** Statuses by which this source rejects a cursor (Google 410); default none. */
  cursorRejected?: readonly number[];
}

/**
 * The port's typed error for a status whose meaning the hub knows: `auth` statuses →
 * AdapterAuthError (not retried), 429 → AdapterRateLimitedError with `Retry-After`, 408 and 5xx →
 * AdapterUnavailableError (retried, counts toward health), `cursorRejected` statuses →
 * CursorRejectedError. Null for every other status (2xx, 3xx, other 4xx): the caller judges those,
 * and handles its source's special cases (CalDAV's 501) before calling this.
 */
export function statusError(status: number, opts: StatusErrorOptions): AdapterError | null {
  const meaning = statusMeaning(status, opts);
  if (meaning === null) return null;
  const waitMs = meaning === 'rate-limited' ? retryAfterMs(headerValue(opts.headers, 'retry-after'), opts.retryAfter) : 0;
  const message = typeof opts.message === 'string' ? opts.message : opts.message(meaning, waitMs);
  switch (meaning) {
    case 'auth': return new AdapterAuthError(message);
    case 'rate-limited': return new AdapterRateLimitedError(message, waitMs);
    case 'cursor-rejected': return new CursorRejectedError(message);
    case 'unavailable': return new AdapterUnavailableError(message);
  }
}

function statusMeaning(status: number, opts: Pick<StatusErrorOptions, 'auth' | 'cursorRejected'>): StatusMeaning | null {
  if ((opts.auth ?? [401, 403]).includes(status)) return 'auth';
  if (status === 429) return 'rate-limited';
  if (opts.cursorRejected?.includes(status)) return 'cursor-rejected';
  if (status === 408 || (status >= 500 && status <= 599)) return 'unavailable';
  return null;
}

/** A body larger than this is refused unless the caller sets its own limit: no answer a hub reads is this big. */
const DEFAULT_MAX_BODY_BYTES = 20 * 1024 * 1024;

export interface BodyLimit {
  /** Names the source in the error (`rest: GET /bookings`); never a secret. */
  what: string;
  /** Default {@link DEFAULT_MAX_BODY_BYTES}. */
  maxBytes?: number;
}

/**
 * Counts bytes as they arrive, starting with what `Content-Length` announces (a body announced
 * too large is refused before it is read); throws ResponseTooLargeError once past the limit.
 */
function byteCounter(limit: BodyLimit, contentLength: string | null | undefined): (chunk: Uint8Array | string) => void {
  const maxBytes = limit.maxBytes ?? DEFAULT_MAX_BODY_BYTES;
  const check = (bytes: number) => {
    if (bytes > maxBytes) {
      throw new ResponseTooLargeError(`${limit.what}: the answer is larger than ${maxBytes} bytes; refused`, maxBytes);
    }
  };
  check(Number(contentLength ?? 0) || 0);
  let seen = 0;
  return (chunk) => {
    seen += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.byteLength;
    check(seen);
  };
}

export interface ReadBodyOptions extends BodyLimit {
  /** The response's `Content-Length`, when sent: a body announced too large is refused unread. */
  contentLength?: string | null;
  /** Sees each chunk as it arrives and may throw to stop reading (an item limit, {@link itemCounter}). */
  onChunk?: (chunk: Uint8Array) => void;
  /** The caller's signal: an abort while reading is rethrown as is, not turned into an outage. */
  signal?: AbortSignal;
}

/**
 * Reads a whole response body (a fetch `ReadableStream`, a Node stream as axios gives with
 * `responseType: 'stream'`) as UTF-8 text, stopping at the limit.
 * @throws ResponseTooLargeError past `maxBytes`; AdapterUnavailableError when the stream breaks off
 *   (connection reset, timeout); the signal's reason when the caller aborted.
 */
export async function readBody(body: AsyncIterable<Uint8Array | string> | null | undefined, opts: ReadBodyOptions): Promise<string> {
  return new TextDecoder().decode(await readBodyBytes(body, opts));
}

/**
 * Reads a whole response body as bytes, stopping at the limit, without decoding or parsing it: the
 * bytes go to a worker thread (`OffThread`) whole, in one buffer of their own (transferable).
 * @throws as {@link readBody}.
 */
export async function readBodyBytes(body: AsyncIterable<Uint8Array | string> | null | undefined, opts: ReadBodyOptions): Promise<Uint8Array> {
  if (!body) return new Uint8Array(0);
  let count: (chunk: Uint8Array | string) => void;
  try {
    count = byteCounter(opts, opts.contentLength);
  } catch (err) {
    discardBody(body);
    throw err;
  }
  const chunks: Uint8Array[] = [];
  let total = 0;
  const take = (chunk: Uint8Array | string) => {
    count(chunk);
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    opts.onChunk?.(bytes);
    chunks.push(bytes);
    total += bytes.byteLength;
  };
  try {
    if (isNodeReadable(body)) await readNodeStream(body, take);
    else for await (const chunk of body) take(chunk);
  } catch (err) {
    if (err instanceof AdapterError) {
      discardBody(body);
      throw err;
    }
    if (opts.signal?.aborted) throw opts.signal.reason;
    const reason = err instanceof Error ? err.message : String(err);
    throw new AdapterUnavailableError(`${opts.what}: the answer broke off (${reason})`, { cause: err });
  }
  // A buffer of its own (not a slice of a pooled one), so it can be transferred to a worker.
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) { out.set(c, at); at += c.byteLength; }
  return out;
}

interface NodeReadable {
  on(event: 'data', listener: (chunk: Uint8Array | string) => void): unknown;
  on(event: 'end' | 'close', listener: () => void): unknown;
  on(event: 'error', listener: (err: unknown) => void): unknown;
  destroy(err?: Error): unknown;
  readableEnded?: boolean;
}

const isNodeReadable = (body: unknown): body is NodeReadable =>
  typeof (body as { on?: unknown }).on === 'function' && typeof (body as { destroy?: unknown }).destroy === 'function';

/**
 * Reads a Node stream (axios' `responseType: 'stream'`) by its `data` events: its async iterator
 * concatenates whatever is buffered into a fresh Buffer on every read, which for a fast source
 * is megabytes of copying on the event loop.
 */
function readNodeStream(body: NodeReadable, take: (chunk: Uint8Array | string) => void): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let done = false;
    const finish = (err?: unknown) => {
      if (done) return;
      done = true;
      if (err === undefined) resolve(); else reject(err instanceof Error ? err : new Error('the stream failed', { cause: err }));
    };
    body.on('data', (chunk) => {
      if (done) return;
      try {
        take(chunk);
      } catch (err) {
        finish(err);
        body.destroy();
      }
    });
    body.on('end', () => finish());
    body.on('error', (err) => finish(err));
    body.on('close', () => finish(body.readableEnded === false ? new Error('the stream closed before its end') : undefined));
  });
}

/**
 * Lets go of a body the caller will not read (an error answer), so its connection is freed: a
 * Node stream is destroyed, a fetch stream cancelled.
 */
export function discardBody(body: unknown): void {
  if (body === null || typeof body !== 'object') return;
  const { destroy, cancel } = body as { destroy?: unknown; cancel?: unknown };
  if (typeof destroy === 'function') (destroy as () => void).call(body);
  else if (typeof cancel === 'function') void (cancel as () => Promise<void>).call(body).catch(() => undefined);
}

/**
 * For clients that read the body themselves (tsdav over a `fetch`): the same response, whose body
 * stream fails with ResponseTooLargeError once more than `maxBytes` arrived.
 */
export function limitResponse(res: Response, limit: BodyLimit): Response {
  // A Response with one of these statuses may not carry a body; fetch gives them none anyway.
  if (!res.body || [101, 204, 205, 304].includes(res.status)) return res;
  let count: (chunk: Uint8Array | string) => void;
  try {
    count = byteCounter(limit, res.headers.get('content-length'));
  } catch (err) {
    void res.body.cancel().catch(() => undefined);
    throw err;
  }
  const limited = res.body.pipeThrough(new TransformStream<Uint8Array, Uint8Array>({
    transform(chunk, controller) {
      count(chunk);
      controller.enqueue(chunk);
    },
  }));
  return new Response(limited, { status: res.status, statusText: res.statusText, headers: res.headers });
}

/**
 * An item limit applied while a body streams in (issue 14): counts `marker` (`BEGIN:VEVENT`, a
 * multistatus `response>`) across chunk boundaries, `perItem` occurrences making one item, and
 * throws TooManyItemsError once past `max` items, so a feed of 100,000 events is refused after
 * its first megabytes instead of read whole. A byte scan (native), no decoding.
 */
export function itemCounter(opts: { marker: string; max: number; perItem?: number; message: (max: number) => string }): (chunk: Uint8Array) => void {
  const marker = Buffer.from(opts.marker, 'latin1');
  const limit = opts.max * (opts.perItem ?? 1);
  let seen = 0;
  let tail: Buffer = Buffer.alloc(0);
  return (chunk) => {
    const bytes = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    // The last marker.length - 1 bytes of the previous chunk: a marker split across two chunks.
    const joined = tail.length > 0 ? Buffer.concat([tail, bytes.subarray(0, marker.length - 1)]) : null;
    if (joined) for (let at = joined.indexOf(marker); at !== -1; at = joined.indexOf(marker, at + 1)) seen += 1;
    for (let at = bytes.indexOf(marker); at !== -1; at = bytes.indexOf(marker, at + marker.length)) seen += 1;
    tail = Buffer.from(bytes.subarray(Math.max(0, bytes.length - (marker.length - 1))));
    if (seen > limit) throw new TooManyItemsError(opts.message(opts.max), opts.max);
  };
}

/**
 * Judges a body by its first bytes while it streams in: `check` sees the first `bytes` bytes (as
 * latin1 text, no decoding) once that many arrived, and throws to stop reading, so 5 MB of
 * garbage is refused after its first chunk instead of read whole. A shorter body is left to
 * whoever reads it.
 */
export function prefixCheck(bytes: number, check: (prefix: string) => void): (chunk: Uint8Array) => void {
  let prefix = '';
  return (chunk) => {
    if (prefix.length >= bytes) return;
    prefix += Buffer.from(chunk.buffer, chunk.byteOffset, Math.min(chunk.byteLength, bytes - prefix.length)).toString('latin1');
    if (prefix.length >= bytes) check(prefix);
  };
}

/** Several chunk observers as one (`ReadBodyOptions.onChunk`). */
export const allOf = (...observers: Array<(chunk: Uint8Array) => void>) => (chunk: Uint8Array) => {
  for (const observe of observers) observe(chunk);
};
