import type { Logger } from 'pino';
import type { ConflictService } from './service.js';

/**
 * Re-checks every ledger with an open conflict at a steady pace: catches what no trigger saw (a
 * write-back that failed and released its capacity on a site that is not polled, a config change).
 * Polls, hub cancellations, modifications, confirms and staff decisions re-check on their own.
 */
export function startConflictSweeper(opts: { conflicts: ConflictService; every: number; logger: Logger }): { stop(): Promise<void> } {
  let running: Promise<void> | null = null;
  const timer = setInterval(() => {
    if (running) return;
    running = opts.conflicts.recheckOpen()
      .catch((err: unknown) => opts.logger.warn({ err: (err as Error).message }, 'conflict sweep failed; the next one retries'))
      .finally(() => { running = null; });
  }, opts.every);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
