/**
 * Typed failures an adapter reports; the core decides what each means for retries and health.
 * `code` is stable for logs, metrics and alerts.
 */
export abstract class AdapterError extends Error {
  abstract readonly code: string;
}

/** The credential was refused: retrying cannot help; staff must fix the credential. */
export class AdapterAuthError extends AdapterError {
  readonly code = 'ADAPTER.AUTH';
}

/** The source asked us to slow down; wait `retryAfterMs` before the next call. */
export class AdapterRateLimitedError extends AdapterError {
  readonly code = 'ADAPTER.RATE_LIMITED';
  constructor(message: string, readonly retryAfterMs: number) {
    super(message);
  }
}

/** The source did not answer or answered 5xx: retried with backoff; counts toward site health. */
export class AdapterUnavailableError extends AdapterError {
  readonly code = 'ADAPTER.UNAVAILABLE';
}

/** The source no longer accepts the cursor (Google 410, CalDAV invalid sync token): full resync. */
export class CursorRejectedError extends AdapterError {
  readonly code = 'ADAPTER.CURSOR_REJECTED';
}

/**
 * The source answered more than the caller's byte limit: refused instead of buffered whole, so a
 * misbehaving source cannot exhaust the worker's memory. An outage for health and retries.
 */
export class ResponseTooLargeError extends AdapterUnavailableError {
  constructor(message: string, readonly limitBytes: number) {
    super(message);
  }
}

/**
 * The source answered more items (events, calendar objects, reservations) than the site's item
 * limit: refused before they are used, so one source cannot flood the hub. An outage for health.
 */
export class TooManyItemsError extends AdapterUnavailableError {
  constructor(message: string, readonly limitItems: number) {
    super(message);
  }
}
