import type { RedisClient } from '../connection.js';
import type { HubKeys } from '../keys.js';
import { ConflictStore } from './conflict-store.js';
import { MirrorStore } from './mirror-store.js';
import type { StoredConflict } from './types.js';

export { ConflictStore } from './conflict-store.js';
export { MirrorStore } from './mirror-store.js';
export type * from './types.js';

/** The stores the conflict service works through, on the hub's connection. */
export interface ConflictStores<R extends StoredConflict = StoredConflict> {
  conflicts: ConflictStore<R>;
  mirrors: MirrorStore;
}

/** The connection a store is opened on (runtime makes it; only store classes use it). */
export type StoreConnection = RedisClient;

export function openConflictStores<R extends StoredConflict>(redis: StoreConnection, keys: HubKeys): ConflictStores<R> {
  return { conflicts: new ConflictStore<R>(redis, keys), mirrors: new MirrorStore(redis, keys) };
}
