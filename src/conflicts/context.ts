import type { Logger } from 'pino';
import type { AlertSink } from '../core/alerts.js';
import type { Catalog } from '../core/catalog.js';
import type { HubConfig } from '../config/types.js';
import type { ConflictStore, MirrorStore } from '../store/conflicts/index.js';
import type { AvailabilityStore } from '../store/store.js';
import type { Ledgers } from './ledgers.js';
import type { ConflictRecord } from './types.js';

/** What every part of the conflict service works with; built once by the ConflictService facade. */
export interface ConflictContext {
  data: ConflictStore<ConflictRecord>;
  mirrors: MirrorStore;
  store: AvailabilityStore;
  catalog: Catalog;
  config: HubConfig;
  alerts: AlertSink;
  logger: Logger;
  ledgers: Ledgers;
  clock: Clock;
}

/**
 * The service's time. Without an injected `now` it is as it always was: Redis' time where a
 * consistent read brings it (detection), the process' clock elsewhere (first seen, modified).
 */
export interface Clock {
  /** The process' time (ms), or the injected one. */
  now(): number;
  /** `redisNow` (the time a Redis read took place), or the injected time. */
  or(redisNow: number): number;
}

export function clockOf(now?: () => number): Clock {
  return now ? { now, or: () => now() } : { now: () => Date.now(), or: (redisNow) => redisNow };
}
