import { WorkerPool, type OffThread } from '../../src/core/adapter/off-thread.js';
import { DEFAULT_LIMITS, type AdapterContext, type AdapterLimits } from '../../src/core/adapter/port.js';

/**
 * The process's parse pool: the worker threads that read what sources answer (iCalendar,
 * multistatus XML, large JSON) off the event loop. `worker.ts` beside this file is the script;
 * under tsx and vitest this module is `index.ts` and the worker is loaded as TypeScript, from
 * `dist/` both are `.js`.
 */

let shared: WorkerPool | undefined;

const script = () => new URL(`./worker${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url);

/** Two threads: parsing is bursty, and the API's own thread must keep a core. */
const THREADS = 2;

/** The shared pool, started on first use; its idle workers never keep the process alive. */
export function sharedParsePool(): WorkerPool {
  shared ??= new WorkerPool({ script: script(), threads: THREADS });
  return shared;
}

/** The context's pool, else the shared one. */
export const offThreadOf = (ctx: Pick<AdapterContext, 'offThread'>): OffThread => ctx.offThread ?? sharedParsePool();

/** The context's limits, else the kind's defaults over the hub's. */
export const limitsOf = (ctx: Pick<AdapterContext, 'limits'>, kindDefaults: Partial<AdapterLimits> = {}): AdapterLimits =>
  ctx.limits ?? { ...DEFAULT_LIMITS, ...kindDefaults };
