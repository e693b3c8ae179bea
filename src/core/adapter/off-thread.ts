import { Worker } from 'node:worker_threads';
import {
  AdapterAuthError, AdapterError, AdapterRateLimitedError, AdapterUnavailableError, CursorRejectedError,
  ResponseTooLargeError, TooManyItemsError,
} from './errors.js';

/**
 * Heavy parsing off the API's event loop (issue 14): iCalendar expansion and large XML/JSON
 * answers run in a small pool of worker threads, so a hostile source's 20 MB answer costs a
 * worker some seconds instead of stalling `/healthz` and every other site. Measured: parsing on
 * the event loop put `/healthz` p99 at ~500 ms under the hostile-source suite (test/chaos).
 *
 * The pool is bounded everywhere: a few threads, a bounded queue (smallest job first, so a small
 * feed is never stuck behind a hostile one's 20 MB), a time limit per job past which the worker
 * is terminated (a parser stuck in a pathological document cannot be interrupted any other
 * way), and a heap limit per worker (a document that would need more is refused, the process
 * lives on).
 */

/** Runs named tasks of the process's worker script off the event loop. */
export interface OffThread {
  /**
   * Runs `task` with `input` (structured-cloned; `transfer` moves ArrayBuffers instead of copying
   * them). Typed adapter errors thrown by the task arrive as the same classes; any other error
   * as a plain Error with the task's message.
   * @throws AdapterUnavailableError past the time limit, the heap limit or the queue bound, naming
   *   the limit; the signal's reason when the caller aborts.
   */
  run<O>(task: string, input: unknown, opts: RunOptions): Promise<O>;
}

export interface RunOptions {
  /** Names the source in errors (`ical-feed: the feed at https://x`); never a secret. */
  what: string;
  signal?: AbortSignal | undefined;
  /** Default: the pool's. */
  timeLimitMs?: number | undefined;
  transfer?: ArrayBuffer[];
  /** Input size in bytes: smaller jobs run first. */
  size?: number;
}

export interface WorkerPoolOptions {
  /** The worker script (`.js`, or `.ts` under tsx and vitest). */
  script: URL;
  /** Worker threads at most; default 2. */
  threads?: number;
  /** Jobs waiting at most; more are refused at once. Default 64. */
  maxQueued?: number;
  /** Per job, default 15 s. */
  timeLimitMs?: number;
  /** Heap (old generation) per worker in MB; default 384. */
  maxHeapMb?: number;
}

/** How a task's error crosses the thread boundary. */
export interface EncodedError {
  kind: 'too-large' | 'too-many-items' | 'unavailable' | 'auth' | 'rate-limited' | 'cursor-rejected' | 'error';
  message: string;
  limit?: number;
}

/** Encodes an error thrown by a task, keeping the port's typed errors (worker side). */
export function encodeError(err: unknown): EncodedError {
  const message = err instanceof Error ? err.message : String(err);
  if (err instanceof ResponseTooLargeError) return { kind: 'too-large', message, limit: err.limitBytes };
  if (err instanceof TooManyItemsError) return { kind: 'too-many-items', message, limit: err.limitItems };
  if (err instanceof AdapterRateLimitedError) return { kind: 'rate-limited', message, limit: err.retryAfterMs };
  if (err instanceof AdapterAuthError) return { kind: 'auth', message };
  if (err instanceof CursorRejectedError) return { kind: 'cursor-rejected', message };
  if (err instanceof AdapterError) return { kind: 'unavailable', message };
  return { kind: 'error', message };
}

function decodeError(e: EncodedError): Error {
  switch (e.kind) {
    case 'too-large': return new ResponseTooLargeError(e.message, e.limit ?? 0);
    case 'too-many-items': return new TooManyItemsError(e.message, e.limit ?? 0);
    case 'rate-limited': return new AdapterRateLimitedError(e.message, e.limit ?? 0);
    case 'auth': return new AdapterAuthError(e.message);
    case 'cursor-rejected': return new CursorRejectedError(e.message);
    case 'unavailable': return new AdapterUnavailableError(e.message);
    case 'error': return new Error(e.message);
  }
}

/** Messages between the pool and a worker. */
export interface JobMessage { id: number; task: string; input: unknown }
export type ResultMessage = { id: number; ok: true; value: unknown } | { id: number; ok: false; error: EncodedError };

interface Job {
  id: number;
  task: string;
  input: unknown;
  opts: RunOptions;
  resolve(value: unknown): void;
  reject(err: unknown): void;
  onAbort?: () => void;
}

interface Slot {
  worker: Worker | null;
  /** The worker has loaded its script: job time limits run from here, not from spawning it. */
  ready: boolean;
  job: Job | null;
  timer?: NodeJS.Timeout;
}

/** A worker that has not loaded its script in this long is given up (a broken install). */
const BOOT_LIMIT_MS = 60_000;

/**
 * Spawns a worker for `script`. A `.ts` script (tests, `tsx`) is loaded through tsx's loader,
 * registered inside the worker: Node 20 applies the parent's `--import` hooks to the main thread
 * only. The built `.js` script (production) is loaded as is.
 */
function spawn(script: URL, maxHeapMb: number): Worker {
  const resourceLimits = { maxOldGenerationSizeMb: maxHeapMb };
  if (!script.pathname.endsWith('.ts')) return new Worker(script, { resourceLimits });
  const boot = `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(script.href)}); })`;
  return new Worker(boot, { eval: true, resourceLimits });
}

export class WorkerPool implements OffThread {
  private readonly slots: Slot[];
  private readonly queue: Job[] = [];
  private nextId = 1;
  private closed = false;
  private readonly timeLimitMs: number;
  private readonly maxQueued: number;
  private readonly maxHeapMb: number;

  constructor(private readonly opts: WorkerPoolOptions) {
    this.slots = Array.from({ length: Math.max(1, opts.threads ?? 2) }, () => ({ worker: null, ready: false, job: null }));
    this.timeLimitMs = opts.timeLimitMs ?? 15_000;
    this.maxQueued = opts.maxQueued ?? 64;
    this.maxHeapMb = opts.maxHeapMb ?? 384;
  }

  /** Jobs running and waiting, for tests and metrics. */
  get load(): { running: number; queued: number } {
    return { running: this.slots.filter((s) => s.job !== null).length, queued: this.queue.length };
  }

  run<O>(task: string, input: unknown, opts: RunOptions): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      if (this.closed) { reject(new Error('the parse pool is closed')); return; }
      opts.signal?.throwIfAborted();
      if (this.queue.length >= this.maxQueued) {
        reject(new AdapterUnavailableError(`${opts.what}: ${this.maxQueued} answers are already waiting to be read (the parse queue's limit); try again at the next poll`));
        return;
      }
      const job: Job = { id: this.nextId++, task, input, opts, resolve: resolve, reject };
      if (opts.signal) {
        job.onAbort = () => this.abort(job, opts.signal!.reason);
        opts.signal.addEventListener('abort', job.onAbort, { once: true });
      }
      // Smallest first, first come among equals: a neighbour's small feed is never stuck behind
      // a hostile source's 20 MB.
      const size = opts.size ?? 0;
      const at = this.queue.findIndex((q) => (q.opts.size ?? 0) > size);
      if (at < 0) this.queue.push(job); else this.queue.splice(at, 0, job);
      this.dispatch();
    });
  }

  private dispatch(): void {
    for (const slot of this.slots) {
      if (slot.job !== null) continue;
      const job = this.queue.shift();
      if (!job) return;
      this.start(slot, job);
    }
  }

  private start(slot: Slot, job: Job): void {
    slot.job = job;
    const worker = slot.worker ?? this.attach(slot);
    if (slot.ready) this.startClock(slot);
    else slot.timer = setTimeout(() => this.fail(slot, new AdapterUnavailableError(`${job.opts.what}: the parser did not start within ${BOOT_LIMIT_MS / 1000} s; refused`)), BOOT_LIMIT_MS);
    const message: JobMessage = { id: job.id, task: job.task, input: job.input };
    worker.postMessage(message, job.opts.transfer ?? []);
    // The input now belongs to the worker; the job keeps only what it needs to answer.
    job.input = null;
  }

  /** The running job's time limit, from now. */
  private startClock(slot: Slot): void {
    const job = slot.job;
    if (!job) return;
    clearTimeout(slot.timer);
    const limit = job.opts.timeLimitMs ?? this.timeLimitMs;
    slot.timer = setTimeout(() => {
      this.fail(slot, new AdapterUnavailableError(`${job.opts.what}: reading the answer took longer than ${limit / 1000} s (the parse time limit); refused`));
    }, limit);
  }

  private attach(slot: Slot): Worker {
    const worker = spawn(this.opts.script, this.maxHeapMb);
    slot.ready = false;
    // Idle workers never keep the process alive.
    worker.unref();
    worker.on('message', (msg: ResultMessage | { ready: true }) => {
      if (slot.worker !== worker) return;
      if ('ready' in msg) {
        slot.ready = true;
        this.startClock(slot);
        return;
      }
      const job = slot.job;
      if (!job || job.id !== msg.id) return;
      this.finish(slot);
      if (msg.ok) job.resolve(msg.value);
      else job.reject(decodeError(msg.error));
      this.dispatch();
    });
    const lost = (why: string) => {
      if (slot.worker !== worker) return;
      const job = slot.job;
      slot.worker = null;
      slot.ready = false;
      if (job) {
        this.finish(slot);
        job.reject(new AdapterUnavailableError(`${job.opts.what}: ${why}; refused`));
      }
      this.dispatch();
    };
    worker.on('error', (err: Error & { code?: string }) => lost(err.code === 'ERR_WORKER_OUT_OF_MEMORY'
      ? `reading the answer needed more than ${this.maxHeapMb} MB (the parse memory limit)`
      : `the parser failed (${err.message})`));
    worker.on('exit', (code) => lost(`the parser stopped (exit ${code})`));
    slot.worker = worker;
    return worker;
  }

  /** Clears the slot's job (timer, abort listener); the worker stays. */
  private finish(slot: Slot): void {
    clearTimeout(slot.timer);
    const job = slot.job;
    if (job?.onAbort) job.opts.signal?.removeEventListener('abort', job.onAbort);
    slot.job = null;
  }

  /** Ends the slot's job with `err` and terminates its worker (the only way to stop a parser). */
  private fail(slot: Slot, err: unknown): void {
    const job = slot.job;
    const worker = slot.worker;
    slot.worker = null;
    slot.ready = false;
    this.finish(slot);
    void worker?.terminate();
    job?.reject(err);
    this.dispatch();
  }

  private abort(job: Job, reason: unknown): void {
    const queued = this.queue.indexOf(job);
    if (queued >= 0) {
      this.queue.splice(queued, 1);
      job.reject(reason);
      return;
    }
    const slot = this.slots.find((s) => s.job === job);
    if (slot) this.fail(slot, reason);
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const job of this.queue.splice(0)) job.reject(new Error('the parse pool closed'));
    await Promise.all(this.slots.map(async (slot) => {
      const worker = slot.worker;
      slot.worker = null;
      if (slot.job) { const job = slot.job; this.finish(slot); job.reject(new Error('the parse pool closed')); }
      await worker?.terminate();
    }));
  }
}
