import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { startRestPmsSimulator, type RestPmsSimulator } from '../../adapters/rest/simulator/index.js';
import { bearer, call, eventually, startTestHub, type TestHub } from '../helpers/hub.js';
import { spawnHubProcess, type HubProcess } from '../helpers/hub-process.js';
import { startInterceptProxy, type InterceptProxy } from '../helpers/intercept-proxy.js';
import { TEST_REDIS_URL, uniquePrefix } from '../helpers/redis.js';
import { freshPoll, REST_TOKEN, restSite } from '../helpers/sources.js';
import { WRITEBACK_QUEUE } from '../../src/reservations/writeback-queue.js';
import { HubKeys } from '../../src/store/keys.js';
import { bullConnection } from '../../src/store/queues.js';

/**
 * "Each reservation appears in its source exactly once — also when the worker process is killed
 * with SIGKILL in the middle of the write-back and restarted."
 *
 * The API runs in this process; the worker is a separate `avhub worker` process on the same Redis
 * and key prefix. A proxy in front of the PMS stalls the two write-backs at the worst moments:
 *  - A: the PMS has MADE the booking but its answer never reaches the worker, so the hub does not
 *    know the booking exists (a retry must find it by the hub's reference, not book again);
 *  - B: the create request never reaches the PMS (a retry must book it, once).
 * Then the worker is killed with SIGKILL (no shutdown, no lock release) and a new one started.
 *
 * Why this test takes ~10-20 s: nothing tells BullMQ the worker died. The jobs stay "active"
 * until their lock (lockDuration) has lapsed AND a stalled-jobs check has seen them twice: once to
 * mark them as candidates, once more (stalledInterval later) to move them back to wait. With
 * BullMQ's defaults (30 s / 30 s) that took 30-60 s; the write-back worker sets lockDuration 10 s
 * and stalledInterval 5 s (src/reservations/writeback-worker.ts), so recovery is ~10-20 s.
 */

const ADMIN = 'worker-crash-admin-token';
const ROOMS = 4;
const DAY = 86_400_000;
const date = (offsetDays: number) => new Date(Math.floor(Date.now() / DAY) * DAY + offsetDays * DAY).toISOString().slice(0, 10);
const IN = date(15);
const OUT = date(17);
const SITE = 'lakeside';

let pms: RestPmsSimulator;
let proxy: InterceptProxy;
let hub: TestHub;
let dir: string;
let configFile: string;
const workers: HubProcess[] = [];

const refOf = (body: string) => (JSON.parse(body) as { externalRef?: string }).externalRef ?? '';
const isCreate = (e: { method: string; path: string }) => e.method === 'POST' && /\/bookings\/?$/.test(e.path.split('?')[0]!);
const atPms = (id: string) => pms.admin.bookings()
  .filter((b) => b.externalRef === `avhub-${id}` || (b.externalRef ?? '').startsWith(`avhub-${id}.`));
const reservation = async (id: string) => (await call(hub.base, 'GET', `/v1/reservations/${id}`, { headers: bearer(ADMIN) })).body;

async function doubles(): Promise<number[]> {
  const r = await call(hub.base, 'GET', `/v1/availability?site=${SITE}&resource=double&from=${IN}&to=${OUT}`, { headers: bearer(ADMIN) });
  expect(r.status).toBe(200);
  return r.body.sites[0].resources[0].nights.map((n: { available: number }) => n.available);
}

async function holdAndConfirm(): Promise<string> {
  const hold = await call(hub.base, 'POST', '/v1/holds', { headers: bearer(ADMIN), body: { site: SITE, resource: 'double', checkIn: IN, checkOut: OUT } });
  expect(hold.status).toBe(201);
  const confirm = await call(hub.base, 'POST', `/v1/holds/${hold.body.id}/confirm`, { headers: bearer(ADMIN) });
  expect(confirm.status).toBe(202);
  expect(confirm.body.status).toBe('pending');
  return confirm.body.reservationId as string;
}

async function startWorker(): Promise<HubProcess> {
  const w = spawnHubProcess('worker', configFile);
  workers.push(w);
  await w.waitFor('worker running', 30_000);
  return w;
}

describe('write-back survives SIGKILL of the worker mid-call, exactly once at the PMS', () => {
  beforeAll(async () => {
    pms = await startRestPmsSimulator({ token: REST_TOKEN, seed: { roomTypes: { DBL: ROOMS, SGL: 2 } } });
    proxy = await startInterceptProxy(pms.url);
    const prefix = uniquePrefix();
    dir = mkdtempSync(join(tmpdir(), 'avhub-crash-'));
    configFile = join(dir, 'hub.yaml');
    writeFileSync(configFile, stringify({
      redis: { url: TEST_REDIS_URL, keyPrefix: prefix },
      log: { level: 'info' },
      auth: { adminToken: ADMIN },
      defaults: { writeback: { attempts: 5, backoff: '100ms' }, syncWindow: { past: '1d', future: '30d' } },
      groups: { rooms: { workflow: 'centralized' } },
      sites: [restSite(`${proxy.url}/api/`, { id: SITE })],
    }));
    // The API here, without scheduler (polls only when asked, so the kill never lands mid-poll).
    hub = await startTestHub({ yaml: readFileSync(configFile, 'utf8'), prefix, roles: ['api'] });
  }, 60_000);

  afterAll(async () => {
    for (const w of workers) await w.stop().catch(() => undefined);
    await hub?.stop();
    await proxy?.stop();
    await pms?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('the booking made before the kill is found, not made again; the one that never arrived is made once', async () => {
    const first = await startWorker();
    await freshPoll(hub.base, ADMIN, SITE);
    expect(await doubles()).toEqual([ROOMS, ROOMS]);

    // First create: answered by the PMS, answer withheld. Second: never delivered.
    let creates = 0;
    proxy.setRule((req) => {
      if (!isCreate(req)) return 'pass';
      creates += 1;
      return creates === 1 ? 'hold-response' : 'hold-request';
    });
    const ids = [await holdAndConfirm(), await holdAndConfirm()];
    await eventually(async () => {
      expect(proxy.seen().filter((e) => isCreate(e) && e.action !== 'pass')).toHaveLength(2);
      expect(proxy.seen().find((e) => e.action === 'hold-response')?.heldStatus).toBe(201);
    }, 15_000);
    const held = proxy.seen().filter((e) => isCreate(e) && e.action !== 'pass');
    const madeBeforeKill = ids.find((id) => refOf(held.find((e) => e.action === 'hold-response')!.body).startsWith(`avhub-${id}`))!;
    const neverArrived = ids.find((id) => id !== madeBeforeKill)!;
    expect(madeBeforeKill).toBeDefined();
    expect(atPms(madeBeforeKill)).toHaveLength(1);
    expect(atPms(neverArrived)).toHaveLength(0);
    for (const id of ids) expect((await reservation(id)).status).toBe('pending');

    const killedAt = Date.now();
    await first.kill9();
    proxy.setRule(null);
    const createsBeforeRestart = proxy.seen().filter(isCreate).length;

    // Watch the write-back jobs from here (state changes, seconds after the kill) to explain the time.
    const keys = new HubKeys(hub.config.redis.keyPrefix, hub.config.hubId);
    const connection = bullConnection(hub.config.redis);
    const queue = new Queue(WRITEBACK_QUEUE, { connection, prefix: keys.queuePrefix() });
    const timeline: string[] = [];
    const last = new Map<string, string>();
    let watching = true;
    const watcher = (async () => {
      while (watching) {
        for (const job of await queue.getJobs(['active', 'waiting', 'completed', 'failed', 'delayed'])) {
          if (!job?.id || !ids.includes(job.data.reservation) || job.data.op !== 'create') continue;
          const state = await job.getState();
          if (last.get(job.id) !== state) {
            last.set(job.id, state);
            timeline.push(`${((Date.now() - killedAt) / 1000).toFixed(1)}s ${job.data.reservation === madeBeforeKill ? 'A' : 'B'} ${state}`);
          }
        }
        await new Promise((r) => setTimeout(r, 250));
      }
    })();

    const second = await startWorker();
    const restartedAfter = Date.now() - killedAt;
    await eventually(async () => {
      for (const id of ids) {
        const r = await reservation(id);
        if (r.status === 'failed') throw new Error(`${id} failed: ${r.error}`);
        expect(r.status).toBe('confirmed');
      }
    }, 50_000, 250);
    const recoveredAfter = Date.now() - killedAt;
    await new Promise((r) => setTimeout(r, 500)); // one more look at the jobs
    watching = false;
    await watcher;
    await queue.close();
    connection.disconnect();
    console.info(`[worker-crash] SIGKILL → new worker running: ${(restartedAfter / 1000).toFixed(1)} s; `
      + `SIGKILL → both reservations confirmed: ${(recoveredAfter / 1000).toFixed(1)} s (write-back worker: lockDuration 10 s, stalledInterval 5 s); `
      + `create jobs (A: booked before the kill, B: never arrived): ${timeline.join(', ')}`);

    // Exactly one booking per reservation at the PMS, each the one the hub recorded.
    for (const id of ids) {
      const mine = atPms(id);
      expect(mine, `bookings at the PMS for ${id}`).toHaveLength(1);
      expect(mine[0]!.state).toBe('CONFIRMED');
      expect(Object.values((await reservation(id)).externalIds)).toEqual([mine[0]!.id]);
    }
    // The retry of A looked its reference up and found the booking: only B was POSTed again.
    const createsAfter = proxy.seen().filter(isCreate).slice(createsBeforeRestart);
    expect(createsAfter.map((e) => refOf(e.body).startsWith(`avhub-${neverArrived}`))).toEqual([true]);

    // And the hub counts each once: 4 rooms, 2 booked by the hub, seen by a poll after both.
    await freshPoll(hub.base, ADMIN, SITE);
    expect(await doubles()).toEqual([ROOMS - 2, ROOMS - 2]);
    expect(pms.admin.free('DBL', IN)).toBe(ROOMS - 2);
    await second.stop();
  }, 80_000);
});
