import { describe, expect, it } from 'vitest';
import { AdapterAuthError, AdapterUnavailableError } from '../core/adapter/errors.js';
import { withTimeLimit } from './time-limit.js';

/** An adapter call that only ends when its signal aborts, failing with the signal's reason (as fetch does). */
const hang = (signal: AbortSignal) => new Promise<never>((_, reject) => {
  signal.addEventListener('abort', () => reject(signal.reason as Error));
});

describe('withTimeLimit (issue 14, item 6: a timeout says it was one)', () => {
  it('a poll ended by its limit fails as ADAPTER.UNAVAILABLE naming the limit, not "This operation was aborted"', async () => {
    const err = await withTimeLimit(30, 'the poll of site venue', hang).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AdapterUnavailableError);
    expect((err as AdapterUnavailableError).code).toBe('ADAPTER.UNAVAILABLE');
    expect((err as Error).message).toBe('the poll of site venue did not finish within 0.03 s (its time limit)');
  });

  it('answers and other failures pass through unchanged', async () => {
    expect(await withTimeLimit(1_000, 'x', () => Promise.resolve(7))).toBe(7);
    const auth = new AdapterAuthError('refused');
    await expect(withTimeLimit(1_000, 'x', () => Promise.reject(auth))).rejects.toBe(auth);
    const late = await withTimeLimit(10, 'x', (signal) => new Promise((_, reject) => {
      signal.addEventListener('abort', () => reject(auth));
    })).catch((e: unknown) => e);
    expect(late).toBe(auth);
  });
});
