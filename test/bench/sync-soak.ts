/**
 * Sync soak: 200 Google sites polling every 5 s against the in-process Google Calendar simulator,
 * one hub in this process (api + worker + scheduler) on the local Redis, for a minute after a
 * warm-up. The promise checked: no site goes longer than two poll intervals (10 s) between
 * successful polls. A benchmark script, not a timed test:
 *
 *   npx tsx test/bench/sync-soak.ts            (SOAK_SITES, SOAK_SECONDS, SOAK_CONCURRENCY override)
 *
 * How it measures: every 500 ms it reads each site's `lastSuccessAt` from Redis (one pipeline), so
 * every successful poll is seen with its Redis timestamp; poll durations come from the hub's own
 * histogram (`avhub_poll_duration_seconds` at GET /metrics, the measured minute only); CPU is
 * `process.cpuUsage()` of this process, which also serves the simulator. As a floor it then sends
 * the same number of bare HTTP GETs (incremental events.list with a sync token, the request an
 * unchanged poll makes) to the same simulator from the same process, and prints the ratio.
 * Exits 1 when a gap exceeds 10 s or a site had no successful poll in the minute. Deletes its
 * Redis keys at the end (the hub's unique key prefix).
 */
import { availableParallelism } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { startGoogleSimulator, type GoogleSimulator, type SimOAuthCredentials } from '../../adapters/google/simulator/index.js';
import { HubKeys } from '../../src/store/keys.js';
import { startTestHub, type TestHub } from '../helpers/hub.js';

const SITES = Number(process.env.SOAK_SITES ?? 200);
const POLL_S = 5;
const MEASURE_S = Number(process.env.SOAK_SECONDS ?? 60);
const CONCURRENCY = Number(process.env.SOAK_CONCURRENCY ?? 20);
const SAMPLE_MS = 500;
const LOOP_SAMPLE_MS = 10;
const MAX_GAP_MS = 2 * POLL_S * 1000;
const EVENTS_PER_CALENDAR = 3;
const ADMIN = 'soak-admin-token-0123456789';
const NY = 'America/New_York';
const DAY = 86_400_000;

const pad = (i: number) => String(i).padStart(3, '0');
const siteId = (i: number) => `soak-${pad(i)}`;
const calendarId = (i: number) => `soak-${pad(i)}@group.calendar.google.com`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const log = (msg: string) => process.stderr.write(`sync-soak: ${msg}\n`);

function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/** Prometheus text → { le → cumulative count } of one histogram, summed over all label sets. */
function histogram(text: string, name: string): Map<number, number> {
  const out = new Map<number, number>();
  const re = new RegExp(`^${name}_bucket\\{([^}]*)\\} (\\S+)$`, 'gm');
  for (const m of text.matchAll(re)) {
    const le = /le="([^"]+)"/.exec(m[1]!)?.[1];
    if (le === undefined) continue;
    const bound = le === '+Inf' ? Number.POSITIVE_INFINITY : Number(le);
    out.set(bound, (out.get(bound) ?? 0) + Number(m[2]));
  }
  return out;
}

/** Counter samples of `name` summed by one label's value. */
function counterBy(text: string, name: string, label: string): Map<string, number> {
  const out = new Map<string, number>();
  const re = new RegExp(`^${name}\\{([^}]*)\\} (\\S+)$`, 'gm');
  for (const m of text.matchAll(re)) {
    const value = new RegExp(`${label}="([^"]*)"`).exec(m[1]!)?.[1] ?? '';
    out.set(value, (out.get(value) ?? 0) + Number(m[2]));
  }
  return out;
}

/** histogram_quantile over the difference of two snapshots (linear inside the bucket). */
function histogramQuantile(before: Map<number, number>, after: Map<number, number>, q: number): number {
  const bounds = [...after.keys()].sort((a, b) => a - b);
  const counts = bounds.map((b) => (after.get(b) ?? 0) - (before.get(b) ?? 0));
  const total = counts[counts.length - 1] ?? 0;
  if (total === 0) return Number.NaN;
  const rank = q * total;
  for (let i = 0; i < bounds.length; i++) {
    if (counts[i]! >= rank) {
      const lower = i === 0 ? 0 : bounds[i - 1]!;
      const upper = bounds[i]!;
      if (!Number.isFinite(upper)) return lower;
      const below = i === 0 ? 0 : counts[i - 1]!;
      const inBucket = counts[i]! - below;
      return lower + (upper - lower) * (inBucket === 0 ? 0 : (rank - below) / inBucket);
    }
  }
  return bounds[bounds.length - 2] ?? Number.NaN;
}

const metricsText = async (hub: TestHub) => (await fetch(`${hub.base}/metrics`)).text();

function config(sim: GoogleSimulator): string {
  const sites = Array.from({ length: SITES }, (_, i) => `
  - id: ${siteId(i)}
    timezone: ${NY}
    pollEvery: ${POLL_S}s
    adapter:
      kind: google
      baseUrl: "${sim.url}"
      credentials: { clientId: "\${C${i}_ID}", clientSecret: "\${C${i}_SECRET}", refreshToken: "\${C${i}_REFRESH}", tokenUrl: "${sim.tokenUrl}" }
    resources:
      - { id: instructor, kind: unit, group: staff, source: { calendarId: "${calendarId(i)}" } }`).join('');
  return `
auth: { adminToken: "${ADMIN}" }
worker: { pollConcurrency: ${CONCURRENCY} }
groups: { staff: { workflow: hybrid } }
sites:${sites}
`;
}

/** The floor: `n` bare incremental events.list GETs (unchanged calendars), `CONCURRENCY` at a time. */
async function rawGets(sim: GoogleSimulator, n: number): Promise<{ wallMs: number; cpuMs: number; failures: number }> {
  const client: SimOAuthCredentials = sim.createOAuthClient();
  const tokenRes = await fetch(sim.tokenUrl, {
    method: 'POST',
    body: new URLSearchParams({ grant_type: 'refresh_token', client_id: client.clientId, client_secret: client.clientSecret, refresh_token: client.refreshToken }),
  });
  const { access_token: accessToken } = await tokenRes.json() as { access_token: string };
  const headers = { authorization: `Bearer ${accessToken}` };
  const url = (i: number, query: Record<string, string>) => {
    const u = new URL(`calendar/v3/calendars/${encodeURIComponent(calendarId(i))}/events`, sim.url);
    for (const [k, v] of Object.entries({ singleEvents: 'true', showDeleted: 'true', maxResults: '2500', ...query })) u.searchParams.set(k, v);
    return u;
  };
  const syncTokens: string[] = [];
  for (let i = 0; i < SITES; i++) {
    const now = Date.now();
    const page = await (await fetch(url(i, { timeMin: new Date(now - 7 * DAY).toISOString(), timeMax: new Date(now + 365 * DAY).toISOString() }), { headers })).json() as { nextSyncToken: string };
    syncTokens.push(page.nextSyncToken);
  }
  let next = 0;
  let failures = 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    for (let k = next++; k < n; k = next++) {
      const i = k % SITES;
      const res = await fetch(url(i, { syncToken: syncTokens[i]! }), { headers });
      await res.arrayBuffer();
      if (res.status !== 200) failures++;
    }
  }));
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  return { wallMs, cpuMs: (cpu.user + cpu.system) / 1000, failures };
}

function table(rows: Array<[string, string]>): string {
  const w = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `${k.padEnd(w)} | ${v}`).join('\n');
}

async function main(): Promise<number> {
  log(`${SITES} sites, poll every ${POLL_S}s, pollConcurrency ${CONCURRENCY}, measuring ${MEASURE_S}s`);
  const sim = await startGoogleSimulator();
  const env: Record<string, string> = {};
  const now = Date.now();
  for (let i = 0; i < SITES; i++) {
    sim.createCalendar(calendarId(i), { timeZone: NY });
    for (let e = 0; e < EVENTS_PER_CALENDAR; e++) {
      const start = now + (2 + e * 3 + (i % 5)) * DAY;
      sim.insertEvent(calendarId(i), { summary: `Class ${e}`, start: { dateTime: new Date(start).toISOString() }, end: { dateTime: new Date(start + 3_600_000).toISOString() } });
    }
    // Its own OAuth client per site: every site its own quota bucket, as separate Google accounts.
    const c = sim.createOAuthClient();
    env[`C${i}_ID`] = c.clientId;
    env[`C${i}_SECRET`] = c.clientSecret;
    env[`C${i}_REFRESH`] = c.refreshToken;
  }

  let hub: TestHub | undefined;
  let sampler: import('ioredis').Redis | undefined;
  const cleanUp = async () => {
    sampler?.disconnect();
    await hub?.stop();
    await sim.stop();
  };
  process.once('SIGINT', () => { void cleanUp().finally(() => process.exit(130)); });
  try {
    hub = await startTestHub({ yaml: config(sim), env, roles: ['api', 'worker', 'scheduler'] });
    log(`hub up on ${hub.base} with key prefix ${hub.prefix}`);
    const keys = new HubKeys(hub.prefix, hub.config.hubId);
    sampler = hub.redis.duplicate();
    const healthKeys = Array.from({ length: SITES }, (_, i) => keys.health(siteId(i)));
    const read = async () => {
      const pipe = sampler!.pipeline();
      for (const k of healthKeys) pipe.hget(k, 'lastSuccessAt');
      const replies = await pipe.exec();
      return (replies ?? []).map(([, v]) => Number(v ?? 0));
    };

    // Warm-up: every site's first (full) poll, then one more interval.
    const warmStart = Date.now();
    for (;;) {
      const last = await read();
      const done = last.filter((v) => v > 0).length;
      if (done === SITES) break;
      if (Date.now() - warmStart > 60_000) throw new Error(`warm-up: only ${done}/${SITES} sites polled within 60 s`);
      await sleep(SAMPLE_MS);
    }
    log(`all sites polled once after ${((Date.now() - warmStart) / 1000).toFixed(1)}s; settling ${POLL_S}s`);
    await sleep(POLL_S * 1000);

    // The measured minute.
    const successes: number[][] = Array.from({ length: SITES }, () => []);
    const metrics0 = await metricsText(hub);
    const requests0 = sim.requestCount('/calendar/v3/');
    const tokens0 = sim.requestCount('/token');
    // The histogram records the whole sampling period (10 ms) plus the lag: the lag is the excess.
    const loop = monitorEventLoopDelay({ resolution: LOOP_SAMPLE_MS });
    loop.enable();
    const [t0] = await sampler.time();
    const start = Number(t0) * 1000;
    const cpu0 = process.cpuUsage();
    const wall0 = performance.now();
    const deadline = Date.now() + MEASURE_S * 1000;
    while (Date.now() < deadline) {
      const last = await read();
      last.forEach((v, i) => {
        const seen = successes[i]!;
        if (v >= start && seen[seen.length - 1] !== v) seen.push(v);
      });
      await sleep(SAMPLE_MS);
    }
    const cpu = process.cpuUsage(cpu0);
    const wallMs = performance.now() - wall0;
    loop.disable();
    const [t1] = await sampler.time();
    const end = Number(t1) * 1000;
    const metrics1 = await metricsText(hub);
    const hubRequests = sim.requestCount('/calendar/v3/') - requests0;
    const tokenRequests = sim.requestCount('/token') - tokens0;

    // Gaps: start → first success, between successes, last success → end.
    const gaps: number[] = [];
    const maxGapBySite = successes.map((seen) => {
      const points = [start, ...seen, end];
      let max = 0;
      for (let k = 1; k < points.length; k++) {
        const gap = points[k]! - points[k - 1]!;
        if (k > 1 && k < points.length - 1) gaps.push(gap); // between two polls
        max = Math.max(max, gap);
      }
      return max;
    });
    const polls = successes.reduce((n, s) => n + s.length, 0);
    const worst = maxGapBySite.map((g, i) => ({ site: siteId(i), gap: g })).sort((a, b) => b.gap - a.gap);
    const over = worst.filter((w) => w.gap > MAX_GAP_MS);
    const silent = successes.filter((s) => s.length === 0).length;

    const outcomes = (text: string) => counterBy(text, 'avhub_polls_total', 'outcome');
    const o0 = outcomes(metrics0);
    const o1 = outcomes(metrics1);
    const outcomeDelta = [...o1.entries()].map(([k, v]) => `${k} ${v - (o0.get(k) ?? 0)}`).join(', ');
    const h0 = histogram(metrics0, 'avhub_poll_duration_seconds');
    const h1 = histogram(metrics1, 'avhub_poll_duration_seconds');
    const cpuMs = (cpu.user + cpu.system) / 1000;

    log('stopping the hub; measuring the floor');
    sampler.disconnect();
    sampler = undefined;
    await hub.stop();
    hub = undefined;
    const floor = await rawGets(sim, hubRequests);

    const f1 = (v: number) => v.toFixed(1);
    const lag = (ns: number) => Math.max(0, ns / 1e6 - LOOP_SAMPLE_MS).toFixed(1);
    const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
    console.log(`\nSync soak: ${SITES} Google sites, pollEvery ${POLL_S}s, pollConcurrency ${CONCURRENCY}, ${MEASURE_S}s measured — node ${process.version}, ${availableParallelism()} CPUs, ${new Date().toISOString()}`);
    console.log(table([
      ['measured window (Redis clock)', s(end - start)],
      ['successful polls seen', `${polls} (${f1(polls / ((end - start) / 1000))}/s; ideal ${f1(SITES / POLL_S)}/s)`],
      ['poll outcomes (metrics)', outcomeDelta],
      ['sites with no successful poll', String(silent)],
      ['poll gap p50 / p95 (all sites)', `${s(percentile(gaps, 50))} / ${s(percentile(gaps, 95))}`],
      ['max gap per site: median / worst', `${s(percentile(maxGapBySite, 50))} / ${s(worst[0]!.gap)} (${worst[0]!.site})`],
      [`sites with a gap > ${MAX_GAP_MS / 1000} s`, String(over.length)],
      ['poll duration p50 / p95 (metrics histogram, interpolated)', `${(histogramQuantile(h0, h1, 0.5) * 1000).toFixed(0)} ms / ${(histogramQuantile(h0, h1, 0.95) * 1000).toFixed(0)} ms`],
      ['Calendar API requests (hub)', `${hubRequests} (${(hubRequests / Math.max(1, polls)).toFixed(3)} per poll); token requests ${tokenRequests}`],
      ['event loop lag p50 / p99 / max', [loop.percentile(50), loop.percentile(99), loop.max].map(lag).join(' / ') + ' ms'],
      ['CPU of this process (hub + simulator)', `${f1(cpuMs / 1000)} s in ${f1(wallMs / 1000)} s = ${f1((100 * cpuMs) / wallMs)}% of one core; ${(cpuMs / Math.max(1, polls)).toFixed(2)} ms per poll`],
      ['floor: same number of bare GETs', `${hubRequests} in ${s(floor.wallMs)}, CPU ${f1(floor.cpuMs / 1000)} s = ${(floor.cpuMs / Math.max(1, hubRequests)).toFixed(2)} ms per GET${floor.failures ? `, ${floor.failures} failed` : ''}`],
      ['ratio: CPU per poll / CPU per bare GET', `${((cpuMs / Math.max(1, polls)) / (floor.cpuMs / Math.max(1, hubRequests))).toFixed(1)}x`],
    ]));
    if (over.length > 0) console.log(`over ${MAX_GAP_MS / 1000} s: ${over.slice(0, 10).map((w) => `${w.site} ${s(w.gap)}`).join(', ')}`);
    const ok = over.length === 0 && silent === 0;
    console.log(ok ? `OK: no site went longer than ${MAX_GAP_MS / 1000} s without a successful poll` : 'FAILED: polls were skipped for longer than two intervals');
    return ok ? 0 : 1;
  } finally {
    await cleanUp();
  }
}

main().then((code) => process.exit(code), (err) => {
  console.error(err);
  process.exit(1);
});
