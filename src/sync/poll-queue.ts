import type { RedisTarget } from '../store/connection.js';
import type { HubKeys } from '../store/keys.js';
import { openQueue, type OpenQueue } from '../store/queues.js';

export const POLL_QUEUE = 'poll';

export interface PollJobData {
  site: string;
  /** A full pull of the window regardless of the cursor (admin "sync now" may ask for it). */
  full?: boolean;
}

export function openPollQueue(target: RedisTarget, keys: HubKeys): OpenQueue<PollJobData> {
  return openQueue<PollJobData>(target, keys, POLL_QUEUE);
}
