import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { startRestPmsSimulator, type RestPmsSimulator } from '../../adapters/rest/simulator/index.js';
import { all, bearer, call, countByStatus, eventually } from '../helpers/hub.js';
import { spawnHubProcess, type HubProcess } from '../helpers/hub-process.js';
import { freePort } from '../helpers/radicale.js';
import { REDIS_CLI_BIN, REDIS_SERVER_BIN, startRedisCluster, type LocalRedisCluster } from '../helpers/redis-cluster.js';
import { describeWithBinary } from '../helpers/requires-binary.js';
import { REST_TOKEN, restSite } from '../helpers/sources.js';

/**
 * The hub on a Redis Cluster (3 masters, 3 replicas), every role its own process: one api, two
 * workers, one scheduler, as an operator scales out. The rest of the suite runs on one Redis.
 */

const run = promisify(execFile);
const ADMIN = 'cluster-admin-token-0123456789';
const DAY = 86_400_000;
const date = (offsetDays: number) => new Date(Math.floor(Date.now() / DAY) * DAY + offsetDays * DAY).toISOString().slice(0, 10);
const REQUIREMENT = {
  binary: REDIS_SERVER_BIN, install: 'apt-get install -y redis-server', suites: 'Redis Cluster tests',
};

let cluster: LocalRedisCluster;
let pms: RestPmsSimulator;
let dir: string;
let configFile: string;
let base: string;
const processes: HubProcess[] = [];
const workers: HubProcess[] = [];

function start(role: 'api' | 'worker' | 'scheduler', file = configFile): HubProcess {
  const p = spawnHubProcess(role, file);
  processes.push(p);
  return p;
}

const admin = { headers: bearer(ADMIN) };
const holdNights = (site: string, resource: string, checkIn: string, checkOut: string) =>
  call(base, 'POST', '/v1/holds', { ...admin, body: { site, resource, checkIn, checkOut } });

async function available(site: string, resource: string, from: string, to: string): Promise<number[]> {
  const r = await call(base, 'GET', `/v1/availability?site=${site}&resource=${resource}&from=${from}&to=${to}`, admin);
  expect(r.status).toBe(200);
  return r.body.sites[0].resources[0].nights.map((n: { available: number }) => n.available);
}

/** Hold and confirm at the PMS site; answers the reservation id. */
async function book(checkIn: string, checkOut: string): Promise<string> {
  const hold = await holdNights('lakeside', 'double', checkIn, checkOut);
  expect(hold.status).toBe(201);
  const confirm = await call(base, 'POST', `/v1/holds/${hold.body.id}/confirm`, admin);
  expect(confirm.status).toBe(202);
  return confirm.body.reservationId as string;
}

const atPms = (id: string) => pms.admin.bookings().filter((b) => (b.externalRef ?? '').startsWith(`avhub-${id}`));

async function confirmedOnce(id: string): Promise<void> {
  await eventually(async () => {
    const r = await call(base, 'GET', `/v1/reservations/${id}`, admin);
    expect(r.body.status).toBe('confirmed');
  }, 45_000, 250);
  expect(atPms(id)).toHaveLength(1);
}

describeWithBinary(REQUIREMENT, 'Redis Cluster: api, two workers and a scheduler as separate processes', () => {
  beforeAll(async () => {
    cluster = await startRedisCluster(3);
    pms = await startRestPmsSimulator({ token: REST_TOKEN, seed: { roomTypes: { DBL: 6, SGL: 2 } } });
    dir = mkdtempSync(join(tmpdir(), 'avhub-cluster-'));
    configFile = join(dir, 'hub.yaml');
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    writeFileSync(configFile, stringify({
      hubId: 'cluster-e2e',
      redis: { cluster: { nodes: cluster.urls.slice(0, 2) }, keyPrefix: 'avhub-cl' },
      http: { host: '127.0.0.1', port },
      log: { level: 'info' },
      auth: { adminToken: ADMIN },
      defaults: { writeback: { attempts: 8, backoff: '200ms' }, syncWindow: { past: '1d', future: '30d' } },
      groups: { rooms: { workflow: 'centralized' } },
      sites: [
        { id: 'central', name: 'Central', timezone: 'Europe/Berlin', adapter: { kind: 'none' },
          resources: [{ id: 'suite', kind: 'pool', capacity: 3, group: 'rooms', bookedBy: 'night' }] },
        restSite(pms.url, { id: 'lakeside', pollEvery: '1s' }),
      ],
    }));
    const api = start('api');
    workers.push(start('worker'), start('worker'));
    const scheduler = start('scheduler');
    await Promise.all([api.waitFor('Availability Hub is running', 60_000), ...workers.map((w) => w.waitFor('worker running', 60_000)),
      scheduler.waitFor('scheduler running', 60_000)]);
    await eventually(async () => expect((await call(base, 'GET', '/readyz')).status).toBe(200), 20_000, 200);
  }, 120_000);

  afterAll(async () => {
    for (const p of processes) await p.stop(5_000).catch(() => undefined);
    await pms?.stop();
    await cluster?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it('a 300-way race on capacity 3 gives exactly 3 holds', async () => {
    const answers = await all(300, () => holdNights('central', 'suite', date(5), date(7)));
    expect(countByStatus(answers)).toEqual({ 201: 3, 409: 297 });
    expect(await available('central', 'suite', date(5), date(7))).toEqual([0, 0]);
  }, 60_000);

  it('a booking made at the site is polled; a write-back happens exactly once', async () => {
    await eventually(async () => expect(await available('lakeside', 'double', date(3), date(4))).toEqual([6]), 20_000, 250);
    pms.admin.createBooking({ roomType: 'DBL', arrival: date(3), departure: date(4), guest: 'Walk-in', rooms: 2 });
    await eventually(async () => expect(await available('lakeside', 'double', date(3), date(4))).toEqual([4]), 20_000, 250);
    const id = await book(date(8), date(9));
    await confirmedOnce(id);
  }, 90_000);

  it('a worker killed with SIGKILL loses nothing: the other one writes back', async () => {
    await workers[0]!.kill9();
    const ids = [await book(date(10), date(11)), await book(date(11), date(12))];
    for (const id of ids) await confirmedOnce(id);
  }, 90_000);

  it('the master serving the hub is killed: a replica takes over and the hub resumes without a restart', async () => {
    const master = await cluster.masterOf('avhub-cl:{cluster-e2e}:holds:exp');
    cluster.kill(master);
    await cluster.waitFailover(master, 45_000);
    // Holds and reads answer again on the promoted replica, served by the same processes.
    await eventually(async () => expect((await holdNights('central', 'suite', date(20), date(21))).status).toBe(201), 30_000, 250);
    const id = await book(date(13), date(14));
    await confirmedOnce(id);
    // What was confirmed before the failover is still there (replication had caught up).
    expect(await available('central', 'suite', date(5), date(7))).toEqual([0, 0]);
    expect((await call(base, 'GET', '/readyz')).status).toBe(200);
  }, 120_000);

  it('pointed at a cluster node through redis.url (without the cluster setting), a process refuses to start and says why', async () => {
    const node = cluster.nodes.find((n) => n.process !== undefined)!;
    const wrong = join(dir, 'wrong.yaml');
    writeFileSync(wrong, stringify({
      hubId: 'cluster-e2e', redis: { url: node.url, keyPrefix: 'avhub-cl' },
      http: { host: '127.0.0.1', port: await freePort() }, auth: { adminToken: ADMIN },
      groups: { rooms: { workflow: 'centralized' } },
      sites: [{ id: 'central', timezone: 'Europe/Berlin', adapter: { kind: 'none' },
        resources: [{ id: 'suite', kind: 'pool', capacity: 3, group: 'rooms', bookedBy: 'night' }] }],
    }));
    const api = start('api', wrong);
    const exit = await api.exited;
    expect(exit.code).toBe(1);
    expect(api.output()).toContain('this Redis is a Cluster node; list the cluster\'s nodes under redis.cluster.nodes instead of redis.url');
  }, 30_000);

  it('two hubs on one cluster keep their state in different slots', async () => {
    const port = String(cluster.nodes.find((n) => n.process !== undefined)!.port);
    const slot = async (key: string) => (await run(REDIS_CLI_BIN, ['-p', port, 'CLUSTER', 'KEYSLOT', key])).stdout.trim();
    expect(await slot('avhub:{hotels-north}:holds:exp')).not.toBe(await slot('avhub:{hotels-south}:holds:exp'));
    // All keys of one hub share its slot, so each script's keys are together.
    expect(await slot('avhub:{hotels-north}:holds:exp')).toBe(await slot('avhub:{hotels-north}:resv:r_1'));
  });
});
