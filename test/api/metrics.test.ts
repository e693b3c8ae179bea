import { spawn } from 'node:child_process';
import { Worker } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConflictRecord } from '../../src/conflicts/types.js';
import { healthThresholds } from '../../src/core/health-thresholds.js';
import { openWritebackQueue } from '../../src/reservations/writeback-queue.js';
import { HubStore } from '../../src/store/hub-store.js';
import { bullConnection, type OpenQueue } from '../../src/store/queues.js';
import type { WritebackJobData } from '../../src/reservations/writeback-queue.js';
import { call, DEMO_ADMIN, startTestHub, type TestHub } from '../helpers/hub.js';
import { itWithBinary } from '../helpers/requires-binary.js';

/**
 * The operator gauges of issue 16 (limited sites, open conflicts, failed write-backs) read from
 * Redis at scrape time, and the whole /metrics page checked by Prometheus' own linter.
 */
const PROMTOOL = {
  binary: '/usr/bin/promtool', install: 'apt-get install -y prometheus', suites: 'check of /metrics against Prometheus\' conventions',
};

let hub: TestHub;
let store: HubStore;
let writebacks: OpenQueue<WritebackJobData>;

const metrics = async (): Promise<string> => {
  const res = await call(hub.base, 'GET', '/metrics');
  expect(res.status).toBe(200);
  return res.body as string;
};
const value = (text: string, series: string): number | undefined => {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
};

function conflict(id: string, status: 'open' | 'resolved'): ConflictRecord {
  const at = new Date().toISOString();
  return {
    id, status, ledger: 's:ballroom', shared: 'ballroom', bookedBy: 'time', group: 'halls', workflow: 'centralized',
    policy: 'first-come', capacity: 1, when: { start: '2027-03-10T09:00:00.000Z', end: '2027-03-10T11:00:00.000Z' }, excess: 1,
    sites: ['mitte', 'north-hall'],
    resources: [{ site: 'mitte', resource: 'ballroom' }, { site: 'north-hall', resource: 'main-hall' }],
    bookings: [], outcome: null, openedAt: at, updatedAt: at, audit: [],
  };
}

describe('GET /metrics: operator gauges', () => {
  beforeAll(async () => {
    hub = await startTestHub({ roles: ['api'] });
    store = new HubStore(hub.redis, { target: hub.config.redis, keyPrefix: hub.prefix, hubId: hub.config.hubId });
    writebacks = openWritebackQueue(hub.config.redis, store.keys);
  }, 60_000);
  afterAll(async () => {
    await writebacks?.close();
    await hub?.stop();
  });

  it('avhub_site_limited, avhub_conflicts_open and avhub_writebacks_failed follow what Redis holds', async () => {
    const before = await metrics();
    expect(before).toContain('# TYPE avhub_site_limited gauge');
    for (const site of hub.config.sites) expect(value(before, `avhub_site_limited{site="${site.id}"}`), site.id).toBe(0);
    expect(value(before, 'avhub_conflicts_open{site="mitte",group="halls"}')).toBe(0);
    expect(value(before, 'avhub_conflicts_open{site="mitte",group="rooms"}')).toBe(0);
    expect(value(before, 'avhub_writebacks_failed{site="riverside-hall"}')).toBe(0);
    expect(before).not.toMatch(/^avhub_writebacks_failed\{site="mitte"\}/m); // the hub keeps mitte itself: nothing to write back

    // alpine's source fails until the site is limited.
    const thresholds = healthThresholds(hub.config);
    for (let i = 0; i < thresholds.failures; i += 1) {
      await store.sync.recordHealth('alpine', { kind: 'failure', code: 'ADAPTER.UNAVAILABLE', message: 'connect ECONNREFUSED' }, thresholds);
    }
    // One open conflict on the shared ballroom (both its sites), and one resolved that counts nowhere.
    const conflicts = store.conflictStores<ConflictRecord>().conflicts;
    await conflicts.save(conflict('c_open', 'open'), { active: true });
    await conflicts.save(conflict('c_done', 'resolved'), { active: false });
    // A reservation at riverside-hall (CalDAV) whose write-back runs out of attempts.
    const hold = await call(hub.base, 'POST', '/v1/holds', {
      headers: DEMO_ADMIN,
      body: { site: 'riverside-hall', resource: 'garden-room', start: '2027-03-10T10:00:00Z', end: '2027-03-10T11:00:00Z' },
    });
    expect(hold.status, JSON.stringify(hold.body)).toBe(201);
    const confirmed = await call(hub.base, 'POST', `/v1/holds/${hold.body.id as string}/confirm`, { headers: DEMO_ADMIN });
    expect(confirmed.status).toBe(202);
    const job = await writebacks.queue.add('writeback', { reservation: confirmed.body.reservationId as string, op: 'create' }, { attempts: 1 });
    const connection = bullConnection(hub.config.redis);
    const failing = new Worker<WritebackJobData>(writebacks.queue.name, () => Promise.reject(new Error('CalDAV server refused the PUT')),
      { connection, prefix: store.keys.queuePrefix() });
    try {
      await expect.poll(() => job.getState(), { timeout: 10_000 }).toBe('failed');
    } finally {
      await failing.close();
      await connection.quit();
    }

    const after = await metrics();
    expect(value(after, 'avhub_site_limited{site="alpine"}')).toBe(1);
    expect(value(after, 'avhub_site_limited{site="bayside"}')).toBe(0);
    expect(value(after, 'avhub_conflicts_open{site="mitte",group="halls"}')).toBe(1);
    expect(value(after, 'avhub_conflicts_open{site="north-hall",group="halls"}')).toBe(1);
    expect(value(after, 'avhub_conflicts_open{site="harbor",group="rooms"}')).toBe(0);
    expect(value(after, 'avhub_writebacks_failed{site="riverside-hall"}')).toBe(1);
    expect(value(after, 'avhub_writebacks_failed{site="studio"}')).toBe(0);
    // Retried (here: by BullMQ directly), the job leaves the failed set and the gauge falls.
    await job.retry('failed');
    expect(value(await metrics(), 'avhub_writebacks_failed{site="riverside-hall"}')).toBe(0);
  }, 60_000);

  itWithBinary(PROMTOOL, '`promtool check metrics` finds nothing to complain about in /metrics', async () => {
    const text = await metrics();
    const run = await new Promise<{ code: number | null; out: string }>((resolve, reject) => {
      const child = spawn(PROMTOOL.binary, ['check', 'metrics']);
      let out = '';
      child.stdout.on('data', (d) => { out += String(d); });
      child.stderr.on('data', (d) => { out += String(d); });
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, out }));
      child.stdin.end(text);
    });
    expect(run.out).toBe('');
    expect(run.code).toBe(0);
  }, 30_000);
});
