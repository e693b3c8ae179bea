import type { RedisTarget } from '../store/connection.js';
import type { HubKeys } from '../store/keys.js';
import { openQueue, type OpenQueue } from '../store/queues.js';
import type { ReservationRecord } from '../store/types.js';

export const WRITEBACK_QUEUE = 'writeback';

export interface WritebackJobData {
  reservation: string;
  op: 'create' | 'cancel';
  /**
   * Set once a create job has withdrawn its booking from the source (the reservation was
   * cancelled meanwhile): a run of the job after a crash must not book again only to withdraw.
   */
  withdrawn?: boolean;
  /**
   * The source bookings (item index → external id) a create job is withdrawing, saved before it
   * cancels them: a run after a crash between the cancel and `withdrawn` cancels these again
   * (cancelling is idempotent) instead of booking anew only to withdraw that too.
   */
  withdrawing?: Record<string, string>;
}

/** The sites a reservation's write-backs go to (none for a reservation that is gone). */
export function writebackSites(resv: Pick<ReservationRecord, 'items'> | null | undefined): string[] {
  return resv ? [...new Set(resv.items.filter((i) => i.writeback).map((i) => i.site))] : [];
}

/** Exponential backoff with full jitter: retries of many reservations do not arrive together. */
export function writebackJobOptions(attempts: number, backoffMs: number) {
  return {
    attempts,
    backoff: { type: 'exponential', delay: backoffMs, jitter: 1 },
    removeOnComplete: { count: 1000 },
    removeOnFail: { count: 1000 },
  } as const;
}

export function openWritebackQueue(target: RedisTarget, keys: HubKeys): OpenQueue<WritebackJobData> {
  return openQueue<WritebackJobData>(target, keys, WRITEBACK_QUEUE);
}
