/**
 * `npm run bench` (first part): the widget path as a browser meets it. The hub and each floor run
 * in this process; the load comes from autocannon in a process of its own (so the client does not
 * cap the floor). Each floor is a bare `node:http` server answering the very bytes the hub answered
 * for the same request (for holds: it parses the JSON body and runs one small Lua script, a write
 * and a read, on the same Redis, and answers 201). Requests carry a widget key, so the rate limit
 * is on the path (its window is set wide enough never to refuse). Ratios only: the machine is shared.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { pino } from 'pino';
import { ADAPTERS, AvailabilityStore, connectRedis, loadConfig, startHub } from './built.js';
import { deleteByPrefix } from '../helpers/redis.js';
import { environment } from './report.js';

const REDIS_URL = process.env.AVHUB_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const ROOT = resolve(import.meta.dirname, '../..');
const PREFIX = `avhub-bench-w-${randomBytes(6).toString('hex')}`;
const KEY = 'bench-widget-key';
const CONNECTIONS = 32;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 2);
/** Floor and hub alternate this many times per case; the ratio is the median of the rounds' ratios. */
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
/** `BENCH_ONLY=<regex>`: only the cases whose name matches ("confirm" for the confirm latency), e.g. to profile one. */
const ONLY = process.env.BENCH_ONLY ? new RegExp(process.env.BENCH_ONLY, 'i') : null;
const wanted = (name: string) => !ONLY || ONLY.test(name);
const run = promisify(execFile);

const day = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
const FIRST = 30;
const RESOURCE_COUNTS = [1, 10, 100];

function yaml(sites: number): string {
  const lines = [
    'auth:', '  adminToken: bench-admin-token-0123456789', '  widgetKeys:',
    `    - { key: ${KEY}, origins: ["*"], sites: [${Array.from({ length: sites }, (_, i) => `s${i}`).concat('units', ...RESOURCE_COUNTS.map((n) => `r${n}`)).join(', ')}], rateLimit: { max: 100000000, per: 1m }, maxOpenHolds: 100000000 }`,
    'groups:', '  rooms: { workflow: centralized }', '  halls: { workflow: centralized }', 'sites:',
  ];
  for (let i = 0; i < sites; i++) {
    lines.push(`  - id: s${i}`, '    timezone: Europe/Berlin', '    adapter: { kind: none }', '    resources:');
    for (const r of ['a', 'b', 'c']) lines.push(`      - { id: ${r}, kind: pool, capacity: 1000000, group: rooms, bookedBy: night }`);
  }
  // Growth in resources: one site each with 1, 10 and 100 night pools.
  for (const n of RESOURCE_COUNTS) {
    lines.push(`  - id: r${n}`, '    timezone: Europe/Berlin', '    adapter: { kind: none }', '    resources:');
    for (let r = 0; r < n; r++) lines.push(`      - { id: p${r}, kind: pool, capacity: 1000000, group: rooms, bookedBy: night }`);
  }
  lines.push('  - id: units', '    timezone: Europe/Berlin', '    adapter: { kind: none }', '    resources:');
  for (const r of ['u1', 'u2', 'u3']) {
    lines.push(`      - { id: ${r}, kind: unit, group: halls, rules: { openingHours: { mon-fri: "08:00-22:00", sat: "10:00-16:00" }, bufferBefore: 15m, bufferAfter: 30m } }`);
  }
  return `${lines.join('\n')}\n`;
}

const CASES = {
  a: '(a) 1 site, 3 pools by night, 31 nights',
  b: '(b) 1 site, 3 units with opening hours and buffers, 7 days',
  c: '(c) 8 sites x 3 pools x 7 nights',
  sites50: '50 sites x 3 pools x 7 nights',
  nights365: '1 site, 3 pools, 365 nights',
  nights7: '1 site, 3 pools, 7 nights',
  holds: 'POST /v1/holds (floor: parse + one small Lua script + 201)',
};

interface Row { name: string; hub: number; floor: number; ratio: number; errors: number; bytes: number }

/**
 * Floor and hub in alternating rounds (the machine's load drifts within seconds), after a 1 s
 * warm-up of the hub, all from one autocannon child process per case (a child per run cost
 * seconds of start-up each on the loaded machine): requests/s are the medians over the rounds,
 * the ratio the median of each round's hub ÷ floor.
 */
async function rounds(floorUrl: string, hubUrl: string, opts: { method?: string; body?: string } = {}) {
  const runs = [{ url: hubUrl, seconds: 1 }];
  for (let r = 0; r < ROUNDS; r++) runs.push({ url: floorUrl, seconds: SECONDS }, { url: hubUrl, seconds: SECONDS });
  const [, ...results] = await cannon(runs, opts);
  const floors: number[] = [];
  const hubs: number[] = [];
  const ratios: number[] = [];
  let errors = 0;
  for (let r = 0; r < ROUNDS; r++) {
    const f = results[2 * r]!;
    const h = results[2 * r + 1]!;
    floors.push(f.requests.average);
    hubs.push(h.requests.average);
    ratios.push(h.requests.average / f.requests.average);
    errors += h.non2xx + h.errors;
  }
  return { hub: median(hubs), floor: median(floors), ratio: median(ratios), errors };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

interface Cannon { requests: { average: number }; non2xx: number; errors: number }

/** The child: runs autocannon against each URL in turn (one at a time) and prints the results. */
const CHILD = `
const autocannon = require(process.argv[1]);
const [runs, opts] = JSON.parse(process.argv[2]);
(async () => {
  const out = [];
  for (const r of runs) {
    const res = await autocannon({ url: r.url, duration: r.seconds, ...opts });
    out.push({ requests: res.requests, non2xx: res.non2xx, errors: res.errors });
  }
  process.stdout.write(JSON.stringify(out));
})().catch((err) => { console.error(err); process.exit(1); });
`;

/** autocannon in a child process against the URLs in turn, `CONNECTIONS` connections each. */
async function cannon(runs: Array<{ url: string; seconds: number }>, opts: { method?: string; body?: string } = {}): Promise<Cannon[]> {
  const headers: Record<string, string> = { 'X-Api-Key': KEY, ...(opts.body ? { 'content-type': 'application/json' } : {}) };
  const options = { connections: CONNECTIONS, headers, ...(opts.method ? { method: opts.method } : {}), ...(opts.body ? { body: opts.body } : {}) };
  const { stdout } = await run(process.execPath, ['-e', CHILD, resolve(ROOT, 'node_modules/autocannon'), JSON.stringify([runs, options])],
    { maxBuffer: 16 * 1024 * 1024 });
  return JSON.parse(stdout) as Cannon[];
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((ok, fail) => server.once('error', fail).listen(0, '127.0.0.1', ok));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const readBody = (req: IncomingMessage) => new Promise<string>((ok) => {
  let s = '';
  req.on('data', (c: Buffer) => { s += c.toString(); });
  req.on('end', () => ok(s));
});

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'avhub-bench-'));
  writeFileSync(join(dir, 'hub.yaml'), yaml(50));
  const config = loadConfig(join(dir, 'hub.yaml'), {}, ADAPTERS);
  config.redis = { ...config.redis, url: REDIS_URL, keyPrefix: PREFIX };
  config.http = { ...config.http, host: '127.0.0.1', port: 0 };
  const redis = await connectRedis(REDIS_URL, { failFast: true });
  const hub = await startHub(config, redis, new Set(['api']), pino({ level: 'warn' }, pino.destination(2)));
  const base = hub.address!;
  const servers: Server[] = [];
  const rows: Row[] = [];
  let confirms: { live: number; p50: number; p95: number; slow: number[] } | undefined;
  let burst: Awaited<ReturnType<typeof holdsFallingDueTogether>> | undefined;
  try {
    const sites = (n: number) => Array.from({ length: n }, (_, i) => `s${i}`).join(',');
    const window = (nights: number) => `from=${day(FIRST)}&to=${day(FIRST + nights)}`;
    const reads: Array<[string, string]> = [
      [CASES.a, `/v1/availability?site=s0&${window(31)}`],
      [CASES.b, `/v1/availability?site=units&${window(7)}`],
      [CASES.c, `/v1/availability?site=${sites(8)}&${window(7)}`],
      [CASES.sites50, `/v1/availability?site=${sites(50)}&${window(7)}`],
      [CASES.nights365, `/v1/availability?site=s0&${window(365)}`],
      [CASES.nights7, `/v1/availability?site=s0&${window(7)}`],
      ...RESOURCE_COUNTS.map((n): [string, string] => [`1 site, ${n} pool${n > 1 ? 's' : ''}, 7 nights`, `/v1/availability?site=r${n}&${window(7)}`]),
    ];
    for (const [name, path] of reads.filter(([name]) => wanted(name))) {
      const sample = await fetch(`${base}${path}`, { headers: { 'X-Api-Key': KEY } });
      const bytes = Buffer.from(await sample.arrayBuffer());
      if (sample.status !== 200) throw new Error(`${path} answered ${sample.status}: ${bytes.toString()}`);
      const type = sample.headers.get('content-type') ?? 'application/json';
      const floor = createServer((_req, res) => { res.writeHead(200, { 'content-type': type, 'content-length': bytes.length }); res.end(bytes); });
      servers.push(floor);
      const floorBase = await listen(floor);
      process.stderr.write(`bench: ${name}\n`);
      rows.push({ name, ...await rounds(`${floorBase}${path}`, `${base}${path}`), bytes: bytes.length });
    }
    if (wanted(CASES.holds)) {
      // Holds: the floor parses the body, runs one small script (a write and a read) and answers 201.
      const body = JSON.stringify({ site: 's0', resource: 'a', checkIn: day(FIRST), checkOut: day(FIRST + 2) });
      const lua = `redis.call('HSET', KEYS[1], 'status', 'held', 'items', ARGV[1]); return redis.call('HGET', KEYS[1], 'status')`;
      let n = 0;
      const holdFloor = createServer((req, res) => {
        void readBody(req).then(async (text) => {
          const parsed = JSON.parse(text) as Record<string, unknown>;
          const id = `h_${n++}`;
          await redis.eval(lua, 1, `${PREFIX}:{floor}:hold:${id}`, JSON.stringify(parsed));
          const out = JSON.stringify({ id, expiresAt: new Date(Date.now() + 900_000).toISOString(), status: 'held' });
          res.writeHead(201, { 'content-type': 'application/json; charset=utf-8' });
          res.end(out);
        });
      });
      servers.push(holdFloor);
      const holdBase = await listen(holdFloor);
      process.stderr.write('bench: POST /v1/holds\n');
      rows.push({ name: CASES.holds, ...await rounds(`${holdBase}/v1/holds`, `${base}/v1/holds`, { method: 'POST', body }), bytes: 0 });
    }
    if (wanted('confirm')) confirms = await confirmsWithLiveHoldsElsewhere(base, new AvailabilityStore(redis, PREFIX, config.hubId), redis);
    if (wanted('expiry')) burst = await holdsFallingDueTogether(base, new AvailabilityStore(redis, PREFIX, config.hubId), redis);
  } finally {
    for (const s of servers) { s.closeAllConnections(); s.close(); }
    await hub.stop();
    await deleteByPrefix(redis, PREFIX);
    redis.disconnect();
  }
  const env = environment();
  console.log(`widget path, ${CONNECTIONS} connections, autocannon in a separate process, ${ROUNDS} alternating rounds of ${SECONDS} s (floor, hub) per case; medians`);
  console.log(JSON.stringify(env));
  const row = (name: string) => rows.find((r) => r.name === name);
  const line = (label: string, r: Row | undefined) => (r
    ? `| ${label} | ${r.hub.toFixed(0)} | ${r.floor.toFixed(0)} | ${r.ratio.toFixed(3)} | ${r.bytes || '-'} | ${r.errors} |` : `| ${label} | - | - | - | - | - |`);
  const table = (title: string, list: Array<[string, string]>) => {
    console.log(`\n${title}\n| case | hub req/s | floor req/s | hub ÷ floor | answer bytes | non-2xx/errors |\n| --- | --- | --- | --- | --- | --- |`);
    for (const [label, name] of list) console.log(line(label, row(name)));
  };
  table('issue 11 cases (targets: 0.5, the last two 0.25 on a quiet machine)', [
    [CASES.a, CASES.a], [CASES.b, CASES.b], [CASES.c, CASES.c], [CASES.holds, CASES.holds],
    [CASES.sites50, CASES.sites50], [CASES.nights365, CASES.nights365],
  ]);
  table('growth in nights (1 site, 3 pools)', [['7 nights', CASES.nights7], ['31 nights', CASES.a], ['365 nights', CASES.nights365]]);
  table('growth in resources (1 site, 7 nights)', RESOURCE_COUNTS.map((n) => [`${n}`, `1 site, ${n} pool${n > 1 ? 's' : ''}, 7 nights`]));
  table('growth in sites (3 pools each, 7 nights)', [['1', CASES.nights7], ['8', CASES.c], ['50', CASES.sites50]]);
  if (confirms) {
    console.log(`\nconfirm with ${confirms.live} live holds on other resources: p50 ${confirms.p50.toFixed(1)} ms, p95 ${confirms.p95.toFixed(1)} ms; `
      + `SLOWLOG entries of this hub over 10 ms: ${confirms.slow.length}${confirms.slow.length > 0 ? ` (max ${Math.max(...confirms.slow) / 1000} ms)` : ''}`);
  }
  if (burst) {
    console.log(`\n${burst.count} holds falling due at one instant, then widget reads: all expired ${burst.drainedMs.toFixed(0)} ms after the first read; `
      + `SLOWLOG entries of this hub over 10 ms: ${burst.slow.length}${burst.slow.length > 0 ? ` (max ${Math.max(...burst.slow) / 1000} ms)` : ''}; `
      + `a read of one of their ledgers right after the instant: ${burst.exact ? 'exact (nothing held)' : 'NOT EXACT'}`);
  }
}

/** Hold + confirm, one after another, with 50,000 live holds on other ledgers (made through the claim script). */
async function confirmsWithLiveHoldsElsewhere(base: string, store: InstanceType<typeof AvailabilityStore>, redis: Awaited<ReturnType<typeof connectRedis>>) {
  const LIVE = 50_000;
  process.stderr.write(`bench: ${LIVE} live holds elsewhere, then confirms\n`);
  for (let i = 0; i < LIVE; i += 2_000) {
    await Promise.all(Array.from({ length: 2_000 }, (_, j) => store.claimHold({
      holdId: `bulk-${i + j}`, ttlMs: 1_800_000,
      items: [{ ledger: `elsewhere-${(i + j) % 500}`, by: 'night', quantity: 1, capacity: 1_000_000, nights: [day(FIRST)],
        bufferBefore: 0, bufferAfter: 0, site: 'elsewhere', resource: 'x', writeback: false }],
    })));
  }
  // SLOWLOG times are whole seconds: start counting on a fresh second after the bulk load, so
  // only the confirms' commands (and the conflict checks after them) are judged.
  await new Promise((ok) => setTimeout(ok, 1_100));
  const since = Math.ceil(Date.now() / 1000);
  await new Promise((ok) => setTimeout(ok, since * 1000 - Date.now() + 10));
  const headers = { 'X-Api-Key': KEY, 'content-type': 'application/json' };
  const times: number[] = [];
  for (let i = 0; i < 200; i++) {
    const hold = await fetch(`${base}/v1/holds`, { method: 'POST', headers,
      body: JSON.stringify({ site: 's1', resource: 'b', checkIn: day(FIRST + (i % 60)), checkOut: day(FIRST + (i % 60) + 1) }) });
    const { id } = await hold.json() as { id: string };
    const t0 = performance.now();
    const res = await fetch(`${base}/v1/holds/${id}/confirm`, { method: 'POST', headers: { 'X-Api-Key': KEY } });
    await res.arrayBuffer();
    times.push(performance.now() - t0);
    if (res.status !== 202) throw new Error(`confirm answered ${res.status}`);
  }
  await new Promise((ok) => setTimeout(ok, 500)); // the conflict checks run after each answer
  const slow = await slowSince(redis, since);
  times.sort((a, b) => a - b);
  return { live: LIVE, p50: times[Math.floor(times.length * 0.5)]!, p95: times[Math.floor(times.length * 0.95)]!, slow };
}

/** Entries of this hub's commands in SLOWLOG over 10 ms since `since` (whole seconds), in µs. */
async function slowSince(redis: Awaited<ReturnType<typeof connectRedis>>, since: number): Promise<number[]> {
  const log = await redis.call('SLOWLOG', 'GET', '1000') as Array<[number, number, number, string[]]>;
  const slow = log.filter(([, at, us, args]) => at >= since && us > 10_000 && args.some((a) => String(a).includes(PREFIX)));
  for (const [, , us, args] of slow) process.stderr.write(`bench: slow ${us / 1000} ms: ${args.slice(0, 4).join(' ').slice(0, 160)}\n`);
  return slow.map(([, , us]) => us);
}

/**
 * 50,000 holds (on 500 other ledgers) made to fall due at one instant, as a burst of holds made
 * together does 15 minutes later; then widget reads from autocannon. Every script expires a
 * bounded share of such a backlog (SWEEP_LIMIT), so none may show in SLOWLOG; a read of one of
 * those ledgers right after the instant must already see it empty.
 */
async function holdsFallingDueTogether(base: string, store: InstanceType<typeof AvailabilityStore>, redis: Awaited<ReturnType<typeof connectRedis>>) {
  const COUNT = 50_000;
  process.stderr.write(`bench: ${COUNT} holds falling due together\n`);
  const dueAt = Date.now() + 30_000;
  const item = (i: number) => ({ ledger: `burst-${i % 500}`, by: 'night' as const, quantity: 1, capacity: 1_000_000, nights: [day(FIRST)],
    bufferBefore: 0, bufferAfter: 0, site: 'burst', resource: 'x', writeback: false });
  for (let i = 0; i < COUNT; i += 2_000) {
    const ttlMs = dueAt - Date.now();
    if (ttlMs < 2_000) throw new Error('making the holds took too long for them to fall due together');
    const made = await Promise.all(Array.from({ length: 2_000 }, (_, j) => store.claimHold({ holdId: `burst-${i + j}`, ttlMs, items: [item(i + j)] })));
    if (made.some((r) => r.kind !== 'ok')) throw new Error('a burst hold was refused');
  }
  await new Promise((ok) => setTimeout(ok, Math.max(0, dueAt - Date.now()) + 1_100));
  const since = Math.ceil(Date.now() / 1000);
  await new Promise((ok) => setTimeout(ok, since * 1000 - Date.now() + 10));
  const first = await store.read([{ ledger: 'burst-7', by: 'night', dates: [day(FIRST)] }], []);
  const read = first.ledgers[0];
  const exact = read !== undefined && 'used' in read && read.used[0] === 0;
  if (!exact) throw new Error(`a ledger whose holds all fell due still reads ${JSON.stringify(read)}`);
  const t0 = performance.now();
  const exp = `${store.keys.prefix}holds:exp`;
  let drainedMs = Number.NaN;
  const watch = (async () => {
    while (performance.now() - t0 < 20_000) {
      if (await redis.zcount(exp, '-inf', String(dueAt + 60_000)) === 0) { drainedMs = performance.now() - t0; return; }
      await new Promise((ok) => setTimeout(ok, 20));
    }
  })();
  await cannon([{ url: `${base}/v1/availability?site=s0&from=${day(FIRST)}&to=${day(FIRST + 31)}`, seconds: 3 }]);
  await watch;
  return { count: COUNT, drainedMs, exact, slow: await slowSince(redis, since) };
}

main().then(() => process.exit(), (err: unknown) => {
  console.error('bench failed:', err);
  process.exit(1);
});
