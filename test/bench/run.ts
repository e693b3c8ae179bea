/**
 * `npm run bench`: latency and throughput of the store and the HTTP API, each reported as a ratio
 * to a floor measured in the same run (a bare Redis PING, a bare Node HTTP server), because
 * absolute figures on a small shared machine are noise. Talks only to 127.0.0.1, is bounded in
 * count and time, and cleans up its Redis keys. Exits non-zero when a checked promise is broken:
 * more than two Redis round trips for one availability read, or other than 3 winners of 500
 * concurrent holds on a capacity of 3.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import type { Redis } from 'ioredis';
import { pino } from 'pino';
import type { HubConfig } from '../../src/config/types.js';
import type { RunningHub } from '../../src/runtime/hub.js';
import { ADAPTERS, AvailabilityStore, connectRedis, loadConfig, startHub } from './built.js';
import type { ClaimItem } from '../../src/store/types.js';
import { deleteByPrefix } from '../helpers/redis.js';
import { against, compare, ROUNDS, summarize, within, type Case, type Plan, type Result } from './measure.js';
import { environment, formatTable, writeJson } from './report.js';
import { monitorCommands, recordCommands } from './round-trips.js';

const REDIS_URL = process.env.AVHUB_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const ROOT = resolve(import.meta.dirname, '../..');
const PREFIX = `avhub-bench-${randomBytes(6).toString('hex')}`;
const HARD_LIMIT_MS = 75_000;

const SEQ = { concurrency: 1, warmup: 200, maxMs: 2_500 };
const C16 = { concurrency: 16, warmup: 400, maxMs: 2_500 };
const C32 = { concurrency: 32, warmup: 300, maxMs: 4_000 };
const CONTENDERS = 500;
const BURST_ROUNDS = 3;
/** No single request or clean-up step may take longer: a stuck one fails the run. */
const OP_TIMEOUT_MS = 10_000;

/** Local date `days` after today (UTC), as YYYY-MM-DD. */
const day = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
const nightsFrom = (first: number, count: number) => Array.from({ length: count }, (_, i) => day(first + i));
const FIRST = 30; // every stay starts at least a month ahead, clear of notice rules

interface Check { name: string; value: number; limit: string; ok: boolean }

/** What the run is doing, for the progress lines and for the message should it overrun. */
let phase = 'starting';
const step = (name: string) => {
  phase = name;
  process.stderr.write(`bench: ${name}\n`);
};

async function main(): Promise<void> {
  const results: Result[] = [];
  const checks: Check[] = [];
  const info: Record<string, unknown> = {};
  const section = async (plan: Plan, floor: Case, cases: Case[]) => {
    step(`${[floor, ...cases].map((c) => c.name).join(', ')} at c=${plan.concurrency}`);
    results.push(...await compare(plan, floor, cases));
  };
  const cleanups: Array<() => Promise<void>> = [];
  const redis = await connectRedis(REDIS_URL, { failFast: true });
  cleanups.push(async () => { await deleteByPrefix(redis, PREFIX); redis.disconnect(); });

  try {
    // 1-3. Floor A (one raw Redis round trip) against the store's claim and read scripts.
    const store = new AvailabilityStore(redis, `${PREFIX}-store`, 'bench');
    const item = (resource: string, first: number): ClaimItem => ({
      ledger: `r:bench/${resource}`, by: 'night', quantity: 1, capacity: 1_000_000,
      nights: nightsFrom(first, 3), bufferBefore: 0, bufferAfter: 0, site: 'bench', resource, writeback: false,
    });
    const claim = (name: string, resources: string[], label: string): Case => ({
      name,
      op: async (i) => {
        // Pools far larger than the run can fill; holds expire a minute later, and the prefix is
        // deleted at the end anyway.
        const r = await store.claimHold({ holdId: `${label}-${i}`, ttlMs: 60_000,
          items: resources.map((res) => item(res, FIRST + (i % 28))) });
        if (r.kind !== 'ok') throw new Error(`claimHold answered ${r.kind}`);
      },
    });
    // One site, 3 resources, 31 nights each (the claims make the ledgers non-empty).
    const dates = nightsFrom(FIRST, 31);
    const asks = ['a', 'b', 'c'].map((res) => ({ ledger: `r:bench/${res}`, by: 'night' as const, dates }));
    const read: Case = {
      name: 'store read 3x31 nights',
      op: async () => {
        const r = await store.read(asks, ['bench']);
        if (r.ledgers.length !== 3) throw new Error('store read answered the wrong number of ledgers');
      },
    };
    const ping: Case = { name: 'redis PING', op: () => redis.ping() };
    for (const [plan, tag] of [[{ ...SEQ, n: 2_500 }, 'seq'], [{ ...C16, n: 5_000 }, 'c16']] as const) {
      await section(plan, ping, [
        claim('store claimHold 1 item', ['a'], `one-${tag}`),
        claim('store claimHold 2 items', ['a', 'b'], `two-${tag}`),
        read,
      ]);
    }

    // 4. Floor B (a bare Node HTTP server) against the hub's API, both over keep-alive fetch.
    const bare = await listen(createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"ok":true}');
    }));
    cleanups.push(() => closeServer(bare.server));
    const get = async (url: string, headers: Record<string, string> = {}) => {
      const res = await request(url, { headers });
      if (res.status !== 200) throw new Error(`GET ${url} answered ${res.status}`);
      return res;
    };
    const bareGet: Case = { name: 'bare node http GET', op: () => get(`${bare.base}/`) };

    step('starting the hub (config/demo.yaml)');
    const hub = await startBenchHub();
    cleanups.push(() => hub.stop());
    const ADMIN = { authorization: `Bearer ${hub.config.auth.adminToken}` };
    const availability = `${hub.base}/v1/availability?site=mitte&from=${day(FIRST)}&to=${day(FIRST + 31)}`;
    const postHold = async (body: unknown) => (await request(`${hub.base}/v1/holds`, {
      method: 'POST', headers: { ...ADMIN, 'content-type': 'application/json' }, body: JSON.stringify(body),
    })).status;
    const stay = (resource: string, first: number, nights: number) =>
      ({ site: 'mitte', resource, checkIn: day(first), checkOut: day(first + nights) });

    // Redis commands behind one availability read (DESIGN: at most two round trips). The first
    // read is the hub connection's first script call; the MONITOR count is Redis' own view.
    step('counting Redis commands per request');
    const recorder = recordCommands(hub.redis);
    const first = JSON.parse((await get(availability, ADMIN)).body) as AvailabilitySample;
    const firstCommands = recorder.take();
    await get(availability, ADMIN);
    const warmCommands = recorder.take();
    const holdStatus = await postHold(stay('double', FIRST, 3));
    const holdCommands = recorder.take();
    recorder.restore();
    const monitored = await within(OP_TIMEOUT_MS, 'MONITOR cross-check',
      monitorCommands(REDIS_URL, hub.redis, async () => { await get(availability, ADMIN); }));
    const shape = first.sites?.[0]?.resources?.map((r) => `${r.id}: ${r.nights ? `${r.nights.length} nights` : `${r.intervals?.length} intervals`}`);
    Object.assign(info, {
      availabilityRead: { response: shape, firstCommands, warmCommands, monitoredCommands: monitored },
      holdCreate: { status: holdStatus, commands: holdCommands },
    });
    const readTrips = Math.max(firstCommands.length, warmCommands.length, monitored.length);
    checks.push({ name: 'Redis round trips per GET /v1/availability', value: readTrips, limit: '<= 2', ok: readTrips <= 2 });

    await section({ ...C32, n: 3_000 }, bareGet, [
      { name: 'hub GET /v1/availability', op: () => get(availability, ADMIN) },
      {
        name: 'hub POST /v1/holds',
        op: async (i) => {
          const status = await postHold(stay('double', FIRST + (i % 28), 3));
          if (status !== 201) throw new Error(`POST /v1/holds answered ${status}`);
        },
      },
    ]);

    // 5. Contention: 500 holds at once on a pool of capacity 3 (a fresh stay each round), in
    // rounds alternating with 500 requests at once to the bare server.
    const floorBurst: number[][] = [];
    const holdBurst: number[][] = [];
    const rounds: Array<{ settleMs: number; bareSettleMs: number; statuses: Record<string, number> }> = [];
    for (let round = 0; round < BURST_ROUNDS; round++) {
      step(`contention round ${round + 1}: ${CONTENDERS} requests at once, bare server then POST /v1/holds`);
      const b = await burst(async () => (await get(`${bare.base}/`)).status);
      const h = await burst(() => postHold(stay('suite', FIRST + 40 + 3 * round, 2)));
      floorBurst.push(b.latencies);
      holdBurst.push(h.latencies);
      const statuses: Record<string, number> = {};
      for (const s of h.statuses) statuses[s] = (statuses[s] ?? 0) + 1;
      rounds.push({ settleMs: h.wallMs, bareSettleMs: b.wallMs, statuses });
    }
    const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
    const floorRow = summarize('bare node http GET burst', CONTENDERS, floorBurst.flat(), sum(rounds.map((r) => r.bareSettleMs)));
    const holdRow = summarize('hub POST /v1/holds burst, capacity 3', CONTENDERS, holdBurst.flat(), sum(rounds.map((r) => r.settleMs)));
    results.push(floorRow, against(holdRow, floorRow));
    info.contention = { requests: CONTENDERS, rounds };
    const wins = rounds.map((r) => r.statuses['201'] ?? 0);
    const others = rounds.map((r) => CONTENDERS - (r.statuses['201'] ?? 0) - (r.statuses['409'] ?? 0));
    checks.push({ name: `201 answers of ${CONTENDERS} concurrent holds on capacity 3 (each round)`,
      value: wins.find((w) => w !== 3) ?? 3, limit: '= 3', ok: wins.every((w) => w === 3) });
    checks.push({ name: 'answers neither 201 nor 409 (all rounds)', value: sum(others), limit: '= 0', ok: sum(others) === 0 });
  } finally {
    step('cleaning up');
    for (const cleanup of cleanups.reverse()) {
      await within(OP_TIMEOUT_MS, 'clean-up', cleanup()).catch((err) => console.error('clean-up failed:', err));
    }
  }

  const env = environment();
  console.log(formatTable(env, results));
  console.log(`ratio = median latency / median of the floor, same concurrency c, measured in ${ROUNDS} alternating rounds`);
  console.log('floors: redis PING = one raw Redis round trip; bare node http = node:http answering {"ok":true}');
  const read = info.availabilityRead as { response: string[]; firstCommands: string[]; warmCommands: string[]; monitoredCommands: string[] };
  console.log(`\nRedis commands per GET /v1/availability (mitte: ${read.response.join(', ')}):`);
  console.log(`  first ${fmt(read.firstCommands)}, warm ${fmt(read.warmCommands)}, seen by MONITOR ${fmt(read.monitoredCommands)}`);
  const hold = info.holdCreate as { status: number; commands: string[] };
  console.log(`Redis commands per POST /v1/holds (answered ${hold.status}): ${fmt(hold.commands)}`);
  const c = info.contention as { rounds: Array<{ settleMs: number; bareSettleMs: number; statuses: Record<string, number> }> };
  for (const [i, r] of c.rounds.entries()) {
    console.log(`${CONTENDERS} concurrent holds on capacity 3, round ${i + 1}: settled in ${r.settleMs.toFixed(0)} ms `
      + `(bare server ${r.bareSettleMs.toFixed(0)} ms, ${(r.settleMs / r.bareSettleMs).toFixed(2)}x), statuses ${JSON.stringify(r.statuses)}`);
  }
  for (const check of checks) console.log(`${check.ok ? 'ok  ' : 'FAIL'} ${check.name}: ${check.value} (must be ${check.limit})`);

  const file = resolve(ROOT, 'test-artifacts/bench.json');
  writeJson(file, { environment: env, results, checks, info });
  console.log(`\nwritten to ${file}`);
  if (checks.some((ch) => !ch.ok)) process.exitCode = 1;
}

interface AvailabilitySample {
  sites?: Array<{ resources?: Array<{ id: string; nights?: unknown[]; intervals?: unknown[] }> }>;
}

/** One request over the shared keep-alive pool of global fetch, body read in full. */
async function request(url: string, init: RequestInit = {}): Promise<{ status: number; body: string }> {
  const res = await fetch(url, { ...init, signal: AbortSignal.timeout(OP_TIMEOUT_MS) });
  return { status: res.status, body: await res.text() };
}

const fmt = (commands: string[]) => `${commands.length} (${commands.join(', ') || 'none'})`;

/** Fires `CONTENDERS` requests at once: their statuses, latencies, and the time until all settled. */
async function burst(op: () => Promise<number>): Promise<{ statuses: number[]; latencies: number[]; wallMs: number }> {
  const latencies: number[] = [];
  const start = performance.now();
  const statuses = await Promise.all(Array.from({ length: CONTENDERS }, async () => {
    const t0 = performance.now();
    const status = await op();
    latencies.push(performance.now() - t0);
    return status;
  }));
  return { statuses, latencies, wallMs: performance.now() - start };
}

/** The demo config on its own key prefix and a free port; capacities sized for the benchmark. */
async function startBenchHub(): Promise<{ base: string; config: HubConfig; redis: Redis; stop(): Promise<void> }> {
  const config = loadConfig(resolve(ROOT, 'config/demo.yaml'), {}, ADAPTERS);
  config.redis = { ...config.redis, url: REDIS_URL, keyPrefix: `${PREFIX}-hub` };
  config.http = { ...config.http, host: '127.0.0.1', port: 0 };
  const mitte = config.sites.find((s) => s.id === 'mitte');
  const resource = (id: string) => {
    const r = mitte?.resources.find((x) => x.id === id);
    if (!r) throw new Error(`config/demo.yaml has no mitte/${id}`);
    return r;
  };
  resource('double').capacity = 1_000_000; // POST /v1/holds must keep succeeding
  resource('suite').capacity = 3; // the contention case
  const redis = await connectRedis(config.redis.url, { failFast: true });
  let hub: RunningHub;
  try {
    hub = await startHub(config, redis, new Set(['api']), pino({ level: 'silent' }));
  } catch (err) {
    redis.disconnect();
    throw err;
  }
  return {
    base: hub.address!, config, redis,
    async stop() { await hub.stop(); redis.disconnect(); },
  };
}

async function listen(server: Server): Promise<{ server: Server; base: string }> {
  await new Promise<void>((ok, fail) => server.once('error', fail).listen(0, '127.0.0.1', ok));
  return { server, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

async function closeServer(server: Server): Promise<void> {
  const closed = new Promise<void>((ok) => server.close(() => ok()));
  server.closeAllConnections();
  await closed;
}

const guard = setTimeout(() => {
  console.error(`bench: still running after ${HARD_LIMIT_MS / 1000} s (at: ${phase}), giving up; keys under ${PREFIX}* may remain`);
  process.exit(2);
}, HARD_LIMIT_MS);
guard.unref();

// Exit explicitly once done: an idle keep-alive socket or timer must not keep a finished run alive.
main().then(() => process.exit(), (err: unknown) => {
  console.error(`bench failed (at: ${phase}):`, err);
  process.exit(1);
});
