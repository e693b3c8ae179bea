import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './radicale.js';

const run = promisify(execFile);

/** Debian's redis-server and redis-cli (the package `redis-server`). */
export const REDIS_SERVER_BIN = '/usr/bin/redis-server';
export const REDIS_CLI_BIN = '/usr/bin/redis-cli';

interface ClusterNodeProcess {
  port: number;
  url: string;
  process: ChildProcess | undefined;
}

export interface LocalRedisCluster {
  /** Every node, masters and replicas, by the port it listens on. */
  nodes: ClusterNodeProcess[];
  /** `redis://127.0.0.1:<port>` of every node, the seed list a client takes. */
  urls: string[];
  /** The port of the master that serves `key`'s slot right now. */
  masterOf(key: string): Promise<number>;
  /** Kills one node's process with SIGKILL (a crashed master, not a clean shutdown). */
  kill(port: number): void;
  /** Waits until every live node reports `cluster_state:ok`. */
  waitHealthy(timeoutMs?: number): Promise<void>;
  /** Waits until a replica has taken over every slot of the (killed) master at `port`. */
  waitFailover(port: number, timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Starts a local Redis Cluster of `masters` masters with one replica each, on free ports, with
 * short failover timeouts so a killed master is replaced within a few seconds. Nothing is kept on
 * disk beyond a temporary folder removed on stop.
 */
export async function startRedisCluster(masters = 3): Promise<LocalRedisCluster> {
  const dir = await mkdtemp(join(tmpdir(), 'avhub-cluster-'));
  const nodes: ClusterNodeProcess[] = [];
  for (let i = 0; i < masters * 2; i++) {
    const port = await freePort();
    const child = spawn(REDIS_SERVER_BIN, [
      '--port', String(port), '--bind', '127.0.0.1', '--cluster-enabled', 'yes',
      '--cluster-config-file', join(dir, `nodes-${port}.conf`), '--cluster-node-timeout', '1500',
      '--dir', dir, '--dbfilename', `dump-${port}.rdb`, '--save', '', '--appendonly', 'yes',
      '--appendfilename', `aof-${port}.aof`, '--appenddirname', `aof-${port}`, '--maxmemory-policy', 'noeviction',
      // A replica takes over however long it was cut off: tests kill masters on purpose.
      '--cluster-replica-validity-factor', '0',
    ], { stdio: 'ignore' });
    nodes.push({ port, url: `redis://127.0.0.1:${port}`, process: child });
  }
  const cli = (port: number, ...args: string[]) => run(REDIS_CLI_BIN, ['-p', String(port), ...args], { timeout: 30_000 });
  for (const node of nodes) await waitFor(async () => (await cli(node.port, 'PING')).stdout.trim() === 'PONG', 10_000);
  await run(REDIS_CLI_BIN, ['--cluster', 'create', ...nodes.map((n) => `127.0.0.1:${n.port}`),
    '--cluster-replicas', '1', '--cluster-yes'], { timeout: 60_000 });

  /** CLUSTER SLOTS as `[from, to, [host, port, id], …replicas]`, read through redis-cli's JSON output. */
  const slotsOf = async (port: number) =>
    JSON.parse((await cli(port, '--json', 'CLUSTER', 'SLOTS')).stdout) as Array<[number, number, [string, number, string]]>;
  const alive = () => nodes.filter((n) => n.process !== undefined);
  const waitHealthy = async (timeoutMs = 30_000) => {
    await waitFor(async () => {
      const infos = await Promise.all(alive().map((n) => cli(n.port, 'CLUSTER', 'INFO').then((r) => r.stdout, () => '')));
      return infos.every((info) => info.includes('cluster_state:ok'));
    }, timeoutMs);
  };
  await waitHealthy();
  return {
    nodes,
    urls: nodes.map((n) => n.url),
    async masterOf(key) {
      const node = alive()[0]!;
      const slot = Number((await cli(node.port, 'CLUSTER', 'KEYSLOT', key)).stdout.trim());
      const range = (await slotsOf(node.port)).find(([from, to]) => slot >= from && slot <= to);
      if (!range) throw new Error(`no master serves slot ${slot}`);
      return Number(range[2][1]);
    },
    kill(port) {
      const node = nodes.find((n) => n.port === port);
      node?.process?.kill('SIGKILL');
      if (node) node.process = undefined;
    },
    waitHealthy,
    async waitFailover(port, timeoutMs = 30_000) {
      await waitFor(async () => {
        const views = await Promise.all(alive().map((n) => slotsOf(n.port)));
        return views.every((ranges) => ranges.length > 0 && ranges.every((r) => Number(r[2][1]) !== port));
      }, timeoutMs);
      await waitHealthy(timeoutMs);
    },
    async stop() {
      for (const node of nodes) node.process?.kill('SIGKILL');
      await rm(dir, { recursive: true, force: true });
    },
  };
}

async function waitFor(check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    if (await check().catch(() => false)) return;
    if (Date.now() > until) throw new Error(`Redis cluster: not ready within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
