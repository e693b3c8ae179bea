import { readFileSync } from 'node:fs';
import type { RedisClient } from './connection.js';

const LUA_DIR = new URL('./lua/', import.meta.url);

/** The store's Lua scripts, by file name without `.lua`. */
const SCRIPT_NAMES = [
  'hold-claim', 'hold-confirm', 'hold-release', 'reservation-cancel', 'availability-read',
  'poll-apply', 'quota-take', 'health-record', 'writeback-done', 'writeback-failed', 'reservation-modify',
  'alert-incident',
  'conflict-read',
  'rate-limit-take',
  // Feeds out (src/store/feed-store.ts): a feed's Last-Modified, moved only when its content changes.
  'feed-stamp',
  // Leases (src/store/lease.ts): the poller's per-site poll lease and the conflict ledger lock.
  'lease-renew', 'lease-release',
  // Push notifications (src/store/push-store.ts): a poll that covers the pending notification.
  'push-served',
] as const;
export type ScriptName = (typeof SCRIPT_NAMES)[number];

/** A file of lua/ as written (`hold-claim.lua`, `includes/common.lua`). */
export function luaFile(path: string): string {
  return readFileSync(new URL(path, LUA_DIR), 'utf8');
}

/** Inlines `-- @include name` lines so shared helpers live in one file. */
function loadScript(name: string): string {
  return luaFile(`${name}.lua`).replace(/^-- @include (\S+)\s*$/gm, (_, inc: string) => luaFile(`includes/${inc}.lua`));
}

/** Runs one script: its keys, then its arguments. */
export type Script = (keys: string[], args: Array<string | number | Buffer>) => Promise<unknown>;

type ScriptRunner = (numKeys: number, ...args: Array<string | number | Buffer>) => Promise<unknown>;

/** The client command a script is registered as (`hold-claim` → `avhub_hold_claim`). */
export function commandOf(name: ScriptName): string {
  return `avhub_${name.replace(/-/g, '_')}`;
}

/** Every script's runner, by name. */
export type ScriptRunners = Record<ScriptName, Script>;

/**
 * Registers every script on a connection (EVALSHA with a transparent EVAL fallback, which
 * ioredis' defineCommand does) and returns typed runners. Stores call `scriptsFor` instead.
 */
function registerScripts(redis: RedisClient): ScriptRunners {
  const out = {} as ScriptRunners;
  for (const name of SCRIPT_NAMES) {
    const command = commandOf(name);
    if (!(command in redis)) redis.defineCommand(command, { lua: loadScript(name) });
    const run = (redis as unknown as Record<string, ScriptRunner>)[command]!.bind(redis);
    out[name] = (keys, args) => run(keys.length, ...keys, ...args);
  }
  return out;
}

const shared = new WeakMap<RedisClient, ScriptRunners>();

/**
 * The script runners of a connection, registered once and shared by every store class on it
 * (the availability, sync, rate-limit, alert and conflict stores and the leases).
 */
export function scriptsFor(redis: RedisClient): ScriptRunners {
  let run = shared.get(redis);
  if (!run) {
    run = registerScripts(redis);
    shared.set(redis, run);
  }
  return run;
}
