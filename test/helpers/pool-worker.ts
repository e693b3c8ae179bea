import { TooManyItemsError } from '../../src/core/adapter/errors.js';
import { serveTasks } from '../../src/core/adapter/off-thread-worker.js';

/** A worker script for the parse pool's own tests: tasks that misbehave on purpose. */
serveTasks({
  echo: (input: unknown) => input,
  /** Holds its thread (a parser stuck in a pathological document). */
  spin: (ms: number) => {
    const until = Date.now() + ms;
    while (Date.now() < until) { /* busy */ }
    return ms;
  },
  tooMany: (max: number) => { throw new TooManyItemsError(`more than ${max} items`, max); },
  fail: (message: string) => { throw new Error(message); },
  /** Grows its heap until the worker's heap limit ends it. */
  hoard: () => {
    const kept: string[][] = [];
    for (;;) kept.push(Array.from({ length: 100_000 }, (_, i) => `${i}-${kept.length}`));
  },
  bytes: (input: Uint8Array) => input.byteLength,
});
