/**
 * The hub as shipped: `npm run bench` builds dist/ first and measures the compiled JavaScript that
 * `npm start` and `avhub` run, not tsx's on-the-fly transform of src/ (which, among other things,
 * wraps closures in a name-keeping helper: a few per cent of a hold's CPU time). Types come from
 * src/, the code from dist/.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const ROOT = resolve(import.meta.dirname, '../..');

async function load<T>(path: string): Promise<T> {
  const file = resolve(ROOT, 'dist', path);
  if (!existsSync(file)) throw new Error(`${file} is missing: run \`npm run build\` first (npm run bench does)`);
  return await import(pathToFileURL(file).href) as T;
}

export const { loadConfig } = await load<typeof import('../../src/config/index.js')>('src/config/index.js');
export const { startHub } = await load<typeof import('../../src/runtime/hub.js')>('src/runtime/hub.js');
export const { connectRedis } = await load<typeof import('../../src/runtime/redis.js')>('src/runtime/redis.js');
export const { AvailabilityStore } = await load<typeof import('../../src/store/store.js')>('src/store/store.js');
export const { ADAPTERS } = await load<typeof import('../../src/sync/registry.js')>('src/sync/registry.js');
