import { readFileSync } from 'node:fs';
import type { Redis } from 'ioredis';

const LUA_DIR = new URL('./lua/', import.meta.url);

/** The store's Lua scripts, by file name without `.lua`. */
const SCRIPT_NAMES = [
  'hold-claim', 'hold-confirm', 'hold-release', 'reservation-cancel', 'availability-read',
  'poll-apply', 'quota-take', 'health-record', 'writeback-done', 'writeback-failed', 'reservation-modify',
  'alert-incident',
  'conflict-read',
] as const;
export type ScriptName = (typeof SCRIPT_NAMES)[number];

/** Inlines `-- @include name` lines so shared helpers live in one file. */
function loadScript(name: string): string {
  const source = readFileSync(new URL(`${name}.lua`, LUA_DIR), 'utf8');
  return source.replace(/^-- @include (\S+)\s*$/gm, (_, inc: string) =>
    readFileSync(new URL(`includes/${inc}.lua`, LUA_DIR), 'utf8'));
}

type ScriptRunner = (numKeys: number, ...args: Array<string | number>) => Promise<unknown>;

/**
 * Registers every script on a connection (EVALSHA with a transparent EVAL fallback, which
 * ioredis' defineCommand does) and returns typed runners.
 */
export function registerScripts(redis: Redis): Record<ScriptName, (keys: string[], args: Array<string | number>) => Promise<unknown>> {
  const out = {} as Record<ScriptName, (keys: string[], args: Array<string | number>) => Promise<unknown>>;
  for (const name of SCRIPT_NAMES) {
    const command = `avhub_${name.replace(/-/g, '_')}`;
    if (!(command in redis)) redis.defineCommand(command, { lua: loadScript(name) });
    const run = (redis as unknown as Record<string, ScriptRunner>)[command]!.bind(redis);
    out[name] = (keys, args) => run(keys.length, ...keys, ...args);
  }
  return out;
}
