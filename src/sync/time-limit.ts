import { AdapterError, AdapterUnavailableError } from '../core/adapter/errors.js';

/**
 * Runs `work` with a signal that aborts after `limitMs`. When the limit ends it, the failure is an
 * AdapterUnavailableError that names the limit, not whatever the abort surfaced as inside the
 * adapter (a bare "This operation was aborted"). An adapter's own typed refusal (auth, quota)
 * that arrives as the limit ends is kept.
 */
export async function withTimeLimit<T>(limitMs: number, what: string, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), limitMs);
  try {
    return await work(controller.signal);
  } catch (err) {
    if (controller.signal.aborted && !(err instanceof AdapterError && !(err instanceof AdapterUnavailableError))) {
      throw new AdapterUnavailableError(`${what} did not finish within ${limitMs / 1000} s (its time limit)`, { cause: err });
    }
    throw err;
  } finally {
    clearTimeout(timer);
  }
}
