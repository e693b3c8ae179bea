import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { startRestPmsSimulator, type RestPmsSimulator } from '../../adapters/rest/simulator/index.js';
import { startTestHub, type TestHub } from '../helpers/hub.js';
import { compileHub } from './compiled-hub.js';
import { spawnHubProcess, type HubProcess } from '../helpers/hub-process.js';
import { startPrivateRedis, type PrivateRedis } from '../helpers/private-redis.js';
import { REST_TOKEN, restSite } from '../helpers/sources.js';
import type { CheckTarget } from './invariants.js';

/**
 * The stage of the crash tests: a private redis-server with an AOF fsynced before every answer,
 * the REST PMS simulator (in this process, so it outlives every crash and keeps the source's
 * truth), and the hub as real `avhub` processes on that Redis (compiled-hub.ts), each of which
 * may be SIGKILLed and started again on the same config. Everything listens on 127.0.0.1 only.
 */

export const CHAOS_ADMIN = 'chaos-admin-token-0123456789';
export const CHAOS_KEY = 'chaos-widget-key';
export const CHAOS_SITE = 'lakeside';
export const CHAOS_RESOURCE = 'double';
/** The PMS's room type behind `double`; the hub's capacity equals the PMS's inventory. */
const CHAOS_ROOM_TYPE = 'DBL';

/** What the invariant checker judges on this rig: its hub, its PMS, and the clients' nights. */
export function rigTarget(rig: ChaosRig, stay: { firstNight: string; nights: number }): CheckTarget {
  return {
    base: rig.base, adminToken: CHAOS_ADMIN, widgetKey: CHAOS_KEY, site: CHAOS_SITE, resource: CHAOS_RESOURCE,
    roomType: CHAOS_ROOM_TYPE, capacity: rig.capacity, pms: rig.pms, ...stay,
  };
}

const KEY_PREFIX = 'avhub-chaos';

type ProcessRole = 'api' | 'worker' | 'scheduler' | 'start';

export interface ChaosRig {
  base: string;
  pms: RestPmsSimulator;
  capacity: number;
  /** The running process of each started role. */
  proc(role: ProcessRole): HubProcess;
  /** SIGKILL one hub process (no shutdown hooks, locks and sockets simply vanish). */
  kill(role: ProcessRole): Promise<void>;
  /** Starts a role's process again on the same config and waits until it says it runs. */
  restart(role: ProcessRole): Promise<void>;
  killRedis(): Promise<void>;
  /**
   * A new redis-server on the same port and directory: it loads the AOF the killed one wrote.
   * `empty`: the AOF is deleted first (a disk lost with the server), for the checker's control run.
   */
  restartRedis(opts?: { empty?: boolean }): Promise<void>;
  /** Every process's recent output, for failure messages. */
  output(): string;
  stop(): Promise<void>;
}

export interface ChaosRigOptions {
  /** Ports of the task's range: the private Redis, the API, the PMS simulator. */
  redisPort: number;
  apiPort: number;
  pmsPort: number;
  /** `start` runs every role in one process; otherwise api, worker and scheduler each get one. */
  roles: ProcessRole[];
  /**
   * Runs the scheduler role (periodic polls, the watchdog) inside the test's own process instead
   * of as one more `avhub` process: the same code, one process start less on a loaded machine.
   */
  schedulerInProcess?: boolean;
  capacity: number;
}

const READY_LINE: Record<ProcessRole, string> = {
  api: 'Availability Hub is running', start: 'Availability Hub is running', worker: 'worker running', scheduler: 'scheduler running',
};

export async function startChaosRig(opts: ChaosRigOptions): Promise<ChaosRig> {
  const dir = mkdtempSync(join(tmpdir(), 'avhub-chaos-'));
  const aofDir = join(dir, 'redis');
  const configFile = join(dir, 'hub.yaml');
  const procs = new Map<ProcessRole, HubProcess>();
  const dead: HubProcess[] = [];
  let redis: PrivateRedis | undefined;
  let pms: RestPmsSimulator | undefined;
  let scheduler: TestHub | undefined;

  const stop = async () => {
    await scheduler?.stop({ keepData: true });
    for (const p of procs.values()) await p.stop(5_000).catch(() => undefined);
    await redis?.stop();
    await pms?.stop();
    rmSync(dir, { recursive: true, force: true });
    if (compiled) rmSync(compiled.dir, { recursive: true, force: true });
  };
  let compiled: { cli: string; dir: string } | undefined;
  const startRole = async (role: ProcessRole) => {
    const p = spawnHubProcess(role, configFile, {}, compiled?.cli);
    procs.set(role, p);
    await p.waitFor(READY_LINE[role], 45_000);
  };

  try {
    mkdirSync(aofDir);
    compiled = await compileHub();
    redis = await startPrivateRedis(opts.redisPort, { aofDir });
    pms = await startRestPmsSimulator({ token: REST_TOKEN, port: opts.pmsPort, seed: { roomTypes: { [CHAOS_ROOM_TYPE]: opts.capacity } } });
    const site = restSite(pms.url, {
      id: CHAOS_SITE, pollEvery: '1s',
      resources: [{ id: CHAOS_RESOURCE, kind: 'pool', bookedBy: 'night', capacity: opts.capacity, group: 'rooms', source: { id: CHAOS_ROOM_TYPE } }],
    });
    // The simulator is local: its quota may be generous, so polls never wait behind write-backs.
    site.adapter.quota = { perSecond: 100, burst: 200 };
    const configText = stringify({
      redis: { url: redis.url, keyPrefix: KEY_PREFIX },
      http: { host: '127.0.0.1', port: opts.apiPort },
      log: { level: 'info' },
      auth: {
        adminToken: CHAOS_ADMIN,
        widgetKeys: [{ key: CHAOS_KEY, origins: ['*'], sites: [CHAOS_SITE], rateLimit: { max: 100_000, per: '1m' }, maxOpenHolds: 10_000 }],
      },
      defaults: {
        // No hold expires during a run: every hold a client was told about must still be there.
        holdTtl: '30m',
        writeback: { attempts: 10, backoff: '300ms' },
        syncWindow: { past: '1d', future: '40d' },
        // A worker down for seconds must not make the centralized site refuse holds for long.
        limitedAfter: { failures: 3, staleFor: '30s' },
      },
      groups: { rooms: { workflow: 'centralized' } },
      sites: [site],
    });
    writeFileSync(configFile, configText);
    await Promise.all(opts.roles.map(startRole));
    if (opts.schedulerInProcess) {
      scheduler = await startTestHub({ yaml: configText, prefix: KEY_PREFIX, redisUrl: redis.url, roles: ['scheduler'] });
    }
  } catch (err) {
    const out = [...procs.entries()].map(([r, p]) => `--- ${r}\n${p.output()}`).join('\n');
    await stop();
    throw new Error(`${(err as Error).message}\n${out}`, { cause: err });
  }

  return {
    base: `http://127.0.0.1:${opts.apiPort}`,
    pms,
    capacity: opts.capacity,
    proc: (role) => procs.get(role)!,
    async kill(role) {
      const p = procs.get(role)!;
      dead.push(p);
      await p.kill9();
    },
    restart: startRole,
    async killRedis() { await redis!.stop(); },
    async restartRedis({ empty = false } = {}) {
      if (empty) { rmSync(aofDir, { recursive: true, force: true }); mkdirSync(aofDir); }
      redis = await startPrivateRedis(opts.redisPort, { aofDir });
    },
    output: () => [...dead.map((p) => ['killed', p] as const), ...[...procs.entries()]]
      .map(([r, p]) => `--- ${r}\n${p.output().slice(-4_000)}`).join('\n'),
    stop,
  };
}
