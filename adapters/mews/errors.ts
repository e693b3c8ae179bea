import { AdapterUnavailableError } from '../../src/core/adapter/errors.js';

/**
 * Mews refused a request for a reason retrying cannot fix: 400 (our request is wrong, e.g. an
 * invalid identifier) or 403 (a business rule, e.g. no availability left, or a reservation that
 * cannot be canceled). Deliberately not an AdapterError: the core treats it as unexpected.
 */
export class MewsRequestError extends Error {
  constructor(message: string, readonly status: number, readonly operation: string) {
    super(message);
  }
}

/**
 * 408: "heavy request that takes too long to process ... request data in smaller batches" (Mews
 * Responses guideline). An outage for the core; the reservation reader first retries with smaller
 * pages.
 */
export class MewsTimeoutError extends AdapterUnavailableError {}
