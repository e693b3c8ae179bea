import { hostname } from 'node:os';
import type { WorkerRegistry } from '../store/workers.js';

/** A worker that has not beaten for this long counts as gone. */
export const WORKER_STALE_MS = 15_000;
const BEAT_EVERY_MS = 5_000;

/**
 * Announces a live worker process in Redis, so `/readyz` on any API process can tell whether
 * anything is working the queues.
 */
export function startWorkerHeartbeat(workers: WorkerRegistry): { id: string; stop(): Promise<void> } {
  const id = `${hostname()}:${process.pid}`;
  // Workers that died without saying goodbye age out after ten missed windows.
  const beat = () => workers.beat(id, 10 * WORKER_STALE_MS);
  const timer = setInterval(() => { beat().catch(() => undefined); }, BEAT_EVERY_MS);
  timer.unref();
  void beat().catch(() => undefined);
  return {
    id,
    async stop() {
      clearInterval(timer);
      await workers.remove(id).catch(() => undefined);
    },
  };
}

export async function liveWorkers(workers: WorkerRegistry): Promise<number> {
  return workers.live(WORKER_STALE_MS);
}
