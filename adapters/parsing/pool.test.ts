import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';
import { AdapterUnavailableError, TooManyItemsError } from '../../src/core/adapter/errors.js';
import { WorkerPool } from '../../src/core/adapter/off-thread.js';
import type { ReadFeedInput, ReadFeedOutput } from '../ical-feed/read.js';
import { sharedParsePool } from './index.js';

const TEST_WORKER = new URL('../../test/helpers/pool-worker.ts', import.meta.url);
const pools: WorkerPool[] = [];
const pool = (opts: Partial<ConstructorParameters<typeof WorkerPool>[0]> = {}) => {
  const p = new WorkerPool({ script: TEST_WORKER, threads: 1, ...opts });
  pools.push(p);
  return p;
};
afterAll(async () => { await Promise.all(pools.map((p) => p.close())); });

const ics = readFileSync(new URL('../ical-feed/fixtures/ota-export.ics', import.meta.url));
const feedInput = (): ReadFeedInput => ({
  bytes: new Uint8Array(ics), previousDigest: null, maxEvents: 100, where: 'feed at http://x',
  calendars: [{ resource: { id: 'r', bookedBy: 'night' }, timezone: 'Europe/Lisbon', window: { start: Date.UTC(2026, 0, 1), end: Date.UTC(2028, 0, 1) }, idPrefix: 'r/' }],
});

describe('the parse pool (issue 14: parsing off the event loop)', () => {
  it('reads a feed on the shared pool, its TypeScript worker loaded under vitest', async () => {
    const input = feedInput();
    const out = await sharedParsePool().run<ReadFeedOutput>('ical-feed/read', input, { what: 'test', transfer: [input.bytes.buffer as ArrayBuffer] });
    expect(out.digest).toMatch(/^[0-9a-f]{64}$/);
    expect(out.results?.[0]?.bookings.length).toBeGreaterThan(0);
    // Transferred, not copied: the caller's buffer is gone.
    expect(input.bytes.byteLength).toBe(0);
  }, 30_000);

  it('ends a job past its time limit by terminating the worker, and the next job gets a new one', async () => {
    const p = pool({ timeLimitMs: 300 });
    await expect(p.run('spin', 5_000, { what: 'feed at http://slow' })).rejects.toThrow(/feed at http:\/\/slow: reading the answer took longer than 0.3 s \(the parse time limit\)/);
    expect(await p.run('echo', 'again', { what: 'x' })).toBe('again');
  }, 30_000);

  it('keeps typed adapter errors across the thread boundary; others arrive as plain errors', async () => {
    const p = pool();
    const err = await p.run('tooMany', 7, { what: 'x' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TooManyItemsError);
    expect((err as TooManyItemsError).limitItems).toBe(7);
    const plain = await p.run('fail', 'not iCalendar', { what: 'x' }).catch((e: unknown) => e);
    expect(plain).not.toBeInstanceOf(AdapterUnavailableError);
    expect((plain as Error).message).toBe('not iCalendar');
  }, 30_000);

  it('refuses a job whose worker runs out of its heap limit, and lives on', async () => {
    const p = pool({ maxHeapMb: 32, timeLimitMs: 20_000 });
    await expect(p.run('hoard', null, { what: 'feed at http://big' })).rejects.toThrow(/needed more than 32 MB \(the parse memory limit\)/);
    expect(await p.run('echo', 1, { what: 'x' })).toBe(1);
  }, 30_000);

  it('bounds its queue, runs the smallest waiting job first, and drops an aborted one', async () => {
    const p = pool({ maxQueued: 3 });
    const order: string[] = [];
    const busy = p.run('spin', 300, { what: 'x' });
    const abort = new AbortController();
    const jobs = [
      p.run('echo', 'big', { what: 'x', size: 1000 }).then((v) => order.push(v as string)),
      p.run('echo', 'small', { what: 'x', size: 10 }).then((v) => order.push(v as string)),
      p.run('echo', 'aborted', { what: 'x', size: 1, signal: abort.signal }).catch((e: unknown) => order.push(`aborted: ${String(e)}`)),
    ];
    await expect(p.run('echo', 'one too many', { what: 'feed at http://x' })).rejects.toThrow(/3 answers are already waiting to be read \(the parse queue's limit\)/);
    abort.abort('gone');
    await busy;
    await Promise.all(jobs);
    expect(order).toEqual(['aborted: gone', 'small', 'big']);
  }, 30_000);

  it('loads a built (JavaScript) worker script as production does', async () => {
    // The pool runs the `.js` beside it from dist/; here the parse worker bundled to plain JS.
    const dir = await mkdtemp(join(tmpdir(), 'avhub-pool-'));
    try {
      const outfile = join(dir, 'worker.cjs');
      await build({ entryPoints: [new URL('./worker.ts', import.meta.url).pathname], bundle: true, platform: 'node', format: 'cjs', outfile, logLevel: 'silent' });
      const p = pool({ script: pathToFileURL(outfile) });
      const input = feedInput();
      const out = await p.run<ReadFeedOutput>('ical-feed/read', input, { what: 'test', transfer: [input.bytes.buffer as ArrayBuffer] });
      expect(out.results?.[0]?.bookings.length).toBeGreaterThan(0);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
