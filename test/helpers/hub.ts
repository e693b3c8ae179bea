import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Redis } from 'ioredis';
import { pino, type Logger } from 'pino';
import { loadConfig, type Env } from '../../src/config/index.js';
import type { HubConfig } from '../../src/config/types.js';
import { startHub, type Role, type RunningHub } from '../../src/runtime/hub.js';
import { connectRedis } from '../../src/runtime/redis.js';
import { ADAPTERS } from '../../src/sync/registry.js';
import { deleteByPrefix, TEST_REDIS_URL, uniquePrefix } from './redis.js';

const DEMO_CONFIG = resolve(import.meta.dirname, '../../config/demo.yaml');

export interface TestHubOptions {
  /** The YAML text of the config; without it `config/demo.yaml` is loaded. */
  yaml?: string;
  /** Environment for `${NAME}` references (never `process.env`). */
  env?: Env;
  /** Redis key prefix; a fresh unique one by default. Reuse one to restart a hub on the same data. */
  prefix?: string;
  /** Redis URL; the shared test Redis by default. */
  redisUrl?: string;
  roles?: Role[];
  /** Last-minute changes to the resolved config (after validation). */
  override?: (config: HubConfig) => void;
  /** The hub's logger; silent by default (a test that checks what is logged hands in its own). */
  logger?: Logger;
}

export interface TestHub {
  /** `http://127.0.0.1:PORT` of the listening API. */
  base: string;
  config: HubConfig;
  redis: Redis;
  prefix: string;
  running: RunningHub;
  /** Closes the hub and disconnects; deletes the prefix's keys unless `keepData`. */
  stop(opts?: { keepData?: boolean }): Promise<void>;
}

/**
 * Starts a whole hub (API and worker roles) on a free port against a real Redis, like
 * `avhub start` does: the API's connection fails fast while Redis is away.
 */
export async function startTestHub(opts: TestHubOptions = {}): Promise<TestHub> {
  let dir: string | undefined;
  let file = DEMO_CONFIG;
  if (opts.yaml !== undefined) {
    dir = mkdtempSync(join(tmpdir(), 'avhub-test-'));
    file = join(dir, 'hub.yaml');
    writeFileSync(file, opts.yaml);
  }
  let config: HubConfig;
  try {
    config = loadConfig(file, opts.env ?? {}, ADAPTERS);
  } finally {
    if (dir) rmSync(dir, { recursive: true, force: true });
  }
  const prefix = opts.prefix ?? uniquePrefix();
  config.redis = { ...config.redis, url: opts.redisUrl ?? TEST_REDIS_URL, keyPrefix: prefix };
  config.http = { ...config.http, host: '127.0.0.1', port: 0 };
  opts.override?.(config);

  const redis = await connectRedis(config.redis.url, { failFast: true });
  let running: RunningHub;
  try {
    running = await startHub(config, redis, new Set(opts.roles ?? ['api', 'worker']), opts.logger ?? pino({ level: 'silent' }));
  } catch (err) {
    redis.disconnect();
    throw err;
  }
  let stopped = false;
  return {
    base: running.address!, config, redis, prefix, running,
    async stop({ keepData = false } = {}) {
      if (stopped) return;
      stopped = true;
      await running.stop();
      if (!keepData) await deleteByPrefix(redis, prefix).catch(() => undefined);
      redis.disconnect();
    },
  };
}

export interface Answer {
  status: number;
  headers: Headers;
  /** Parsed JSON, or the text when the body is not JSON. */
  body: any; // tests inspect bodies freely (the no-unsafe rules are off for tests)
}

/** One HTTP request against a test hub over a real socket. */
export async function call(base: string, method: string, path: string,
  opts: { body?: unknown; headers?: Record<string, string> } = {}): Promise<Answer> {
  const headers: Record<string, string> = { ...opts.headers };
  let body: string | undefined;
  if (opts.body !== undefined) {
    headers['content-type'] ??= 'application/json';
    body = typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body);
  }
  const res = await fetch(base + path, { method, headers, body });
  const text = await res.text();
  let parsed: unknown = text;
  if (text.length > 0 && /json/.test(res.headers.get('content-type') ?? '')) parsed = JSON.parse(text);
  return { status: res.status, headers: res.headers, body: parsed };
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** Resolves when `check` passes, retrying until `ms` has passed. */
export async function eventually<T>(check: () => Promise<T>, ms = 5_000, every = 100): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      return await check();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, every));
    }
  }
}

/** Admin token of the test configs below (at least 16 characters, as the schema demands). */
export const ADMIN_TOKEN = 'test-admin-token-0123456789';
export const ADMIN = bearer(ADMIN_TOKEN);
export const DEMO_ADMIN = bearer('demo-admin-token-change-me');
export const DEMO_KEY = { 'x-api-key': 'demo-widget-key' };

/** `n` requests at once, each over the shared fetch pool (which opens a socket per request in flight). */
export function all<T>(n: number, make: (i: number) => Promise<T>): Promise<T[]> {
  return Promise.all(Array.from({ length: n }, (_, i) => make(i)));
}

/** How many answers had each status. */
export function countByStatus(answers: Answer[]): Record<number, number> {
  const out: Record<number, number> = {};
  for (const a of answers) out[a.status] = (out[a.status] ?? 0) + 1;
  return out;
}

/** Tracks how many requests the hub's HTTP server holds open at once (to show load was concurrent). */
export function trackInFlight(hub: TestHub): { peak(): number; connections(): number; stop(): void } {
  const server = hub.running.app!.server;
  let now = 0;
  let peak = 0;
  const sockets = new Set<unknown>();
  const onRequest = (req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => {
    sockets.add(req.socket);
    now += 1;
    peak = Math.max(peak, now);
    res.once('close', () => { now -= 1; });
  };
  server.on('request', onRequest);
  return { peak: () => peak, connections: () => sockets.size, stop: () => { server.off('request', onRequest); } };
}
