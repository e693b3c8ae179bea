import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, ADMIN_TOKEN, call, startTestHub, type TestHub } from '../helpers/hub.js';
import { runSeed } from './journal.js';
import { operationsOf, requestsFor, type FuzzRequest, type FuzzWorld } from './fuzz-requests.js';

/**
 * Issue 14: a fuzzer over every operation of the served OpenAPI document. For each operation a
 * few hundred requests (fuzz-requests.ts: valid-ish ones built from the document's own schemas and
 * the hub's real ids, and hostile ones), about 5,000 in all (`FUZZ_REQUESTS`), sent over real
 * sockets to a hub running its api and worker roles, within a time budget (`FUZZ_BUDGET_MS`). No answer may be a 5xx, and every 4xx must
 * be a problem document (`application/problem+json` with `type`, `title` and its own `status`).
 * The seed is printed; `FUZZ_SEED=<seed>` generates the same requests again.
 */

const TOTAL = Number(process.env.FUZZ_REQUESTS ?? 5_000);
const IN_FLIGHT = 8;
/** The run stops sending after this long (the requests are interleaved across operations). */
const BUDGET_MS = Number(process.env.FUZZ_BUDGET_MS ?? 40_000);
const WIDGET_KEY = 'fuzz-widget-key-0123';
const ORIGIN = 'https://hotel.example';
const HEARTBEAT = 'fuzz-heartbeat-token-0123456789';

const YAML = `
auth:
  adminToken: ${ADMIN_TOKEN}
  widgetKeys:
    - { key: ${WIDGET_KEY}, origins: ["${ORIGIN}"], sites: [mitte, pushed], rateLimit: { max: 100000, per: 1m }, maxOpenHolds: 3 }
defaults: { holdTtl: 10m }
groups:
  rooms: { workflow: centralized }
  halls: { workflow: hybrid }
sites:
  - id: mitte
    timezone: Europe/Berlin
    adapter: { kind: none }
    resources:
      - { id: double, kind: pool, capacity: 40, group: rooms, bookedBy: night, rules: { minStay: 1, maxStay: 14, maxAdvance: 300d } }
      - { id: hall, kind: unit, group: halls, rules: { openingHours: { mon-sun: "08:00-22:00" }, bufferAfter: 30m, minNotice: 1h } }
  - id: feed
    timezone: America/New_York
    pollEvery: 1h
    # Nothing listens there: polls and syncs fail fast, as a site whose system is down does.
    adapter: { kind: ical-feed, url: "http://127.0.0.1:9177/calendar.ics" }
    resources: [ { id: hall, kind: unit, group: halls } ]
  - id: pushed
    timezone: Asia/Tokyo
    heartbeatToken: ${HEARTBEAT}
    adapter: { kind: none }
    resources: [ { id: double, kind: pool, capacity: 5, group: rooms, bookedBy: night } ]
`;

let hub: TestHub;
let world: FuzzWorld;
let doc: Record<string, any>;

beforeAll(async () => {
  hub = await startTestHub({
    yaml: YAML, roles: ['api', 'worker'],
    override: (c) => { c.http = { ...c.http, port: 9172, trustProxy: true }; },
  });
  doc = (await call(hub.base, 'GET', '/openapi.json')).body;
  // Real objects for the fuzzer to aim at: a held hold, and a confirmed one with its reservation.
  const hold = async () => (await call(hub.base, 'POST', '/v1/holds', { headers: ADMIN,
    body: { site: 'mitte', resource: 'double', checkIn: '2027-06-01', checkOut: '2027-06-03' } })).body.id as string;
  const held = await hold();
  const confirmed = await hold();
  const resv = (await call(hub.base, 'POST', `/v1/holds/${confirmed}/confirm`, { headers: ADMIN })).body;
  world = {
    adminToken: ADMIN_TOKEN, widgetKey: WIDGET_KEY, allowedOrigin: ORIGIN, heartbeatToken: HEARTBEAT,
    sites: ['mitte', 'feed', 'pushed'], resources: ['double', 'hall'],
    ids: { hold: [held, confirmed], reservation: [resv.reservationId], other: ['c_unknown', 'repeat:1', '1'] },
    reservationToken: resv.token,
  };
});
afterAll(async () => { await hub?.stop(); });

interface Finding { label: string; status: number; why: string; body: string }

async function send(r: FuzzRequest): Promise<Finding | undefined> {
  let res: Response;
  try {
    res = await fetch(hub.base + r.path, { method: r.method, headers: r.headers, body: r.body, signal: AbortSignal.timeout(70_000) });
  } catch (err) {
    return { label: r.label, status: 0, why: `no answer: ${(err as Error).message}`, body: '' };
  }
  const text = await res.text();
  const finding = (why: string) => ({ label: r.label, status: res.status, why, body: text.slice(0, 300) });
  if (res.status >= 500) return finding('5xx');
  if (res.status < 400) return undefined;
  if (!/^application\/problem\+json/.test(res.headers.get('content-type') ?? '')) return finding(`content-type ${res.headers.get('content-type')}`);
  let body: Record<string, unknown>;
  try { body = JSON.parse(text) as Record<string, unknown>; } catch { return finding('problem body is not JSON'); }
  if (typeof body.type !== 'string' || !body.type || typeof body.title !== 'string' || body.status !== res.status) {
    return finding('problem body without type, title or its status');
  }
  return undefined;
}

describe('fuzzing every OpenAPI operation', () => {
  it('answers no 5xx, and every 4xx as a problem document', async () => {
    const seed = runSeed();
    const ops = operationsOf(doc);
    const perOp = Math.ceil(TOTAL / ops.length);
    console.info(`[openapi-fuzz] seed ${seed} (FUZZ_SEED=${seed} repeats it): ${ops.length} operations × ${perOp} requests`);
    // Interleaved (the first request of every operation, then the second…), so a run cut short by
    // the time budget still covers every operation alike.
    const byOp = ops.map((o, i) => requestsFor(o, doc, world, (seed + i) | 0, perOp));
    const requests = Array.from({ length: perOp }, (_, k) => byOp.map((rs) => rs[k]!)).flat();
    const stopAt = Date.now() + BUDGET_MS;
    const findings: Finding[] = [];
    const statuses = new Map<string, number>();
    const started = Date.now();
    let next = 0;
    await Promise.all(Array.from({ length: IN_FLIGHT }, async () => {
      while (next < requests.length && Date.now() < stopAt) {
        const r = requests[next++]!;
        const f = await send(r);
        if (f) findings.push(f);
      }
    }));
    // What the answers were, per status class (shows the requests reached past validation too).
    const byStatus = await call(hub.base, 'GET', '/metrics');
    for (const m of String(byStatus.body).matchAll(/avhub_http_request_duration_seconds_count\{[^}]*status="(\d)\d\d"[^}]*\} (\d+)/g)) {
      statuses.set(`${m[1]}xx`, (statuses.get(`${m[1]}xx`) ?? 0) + Number(m[2]));
    }
    const report = `[openapi-fuzz] seed ${seed}: ${next} of ${requests.length} requests sent over ${ops.length} operations in ${((Date.now() - started) / 1000).toFixed(1)} s; `
      + `answers by class ${JSON.stringify(Object.fromEntries(statuses))}; ${findings.length} findings`;
    console.info(report);
    // One example of each kind of finding (what went wrong, on which operation).
    const kinds = new Map<string, Finding>();
    for (const f of findings) kinds.set(`${f.why} ${f.status} ${f.label.split(/[ ?]/).slice(0, 2).join(' ')}`, f);
    const examples = [...kinds.values()].map((f) => `${f.why}: ${f.status} ${f.label}\n  → ${f.body}`).join('\n');
    expect(findings.length, `${report}\n${examples}`).toBe(0);
    // Bounded in time: on a loaded machine the budget may end the run early, but never before
    // every operation had a fair share.
    expect(next, report).toBeGreaterThanOrEqual(Math.min(requests.length, ops.length * 50));
  }, 85_000);
});
