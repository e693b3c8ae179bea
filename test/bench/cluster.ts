/**
 * `npm run bench:cluster`: holds/s and reads/s of `avhub api` processes on a local Redis Cluster
 * (3 masters + 3 replicas), with one and with two API processes, each figure next to a floor
 * measured in the same run: as many bare `node:http` processes answering the same bytes. The load
 * generator (autocannon) runs in this process, apart from every server. Talks only to 127.0.0.1,
 * runs a fixed time per case and removes the cluster afterwards.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { stringify } from 'yaml';
import { spawnHubProcess, type HubProcess } from '../helpers/hub-process.js';
import { freePort } from '../helpers/radicale.js';
import { startRedisCluster } from '../helpers/redis-cluster.js';

const ADMIN = 'bench-cluster-admin-token-0123';
const SECONDS = Number(process.env.AVHUB_BENCH_SECONDS ?? 8);
const CONNECTIONS = 16;
const day = (d: number) => new Date(Date.now() + d * 86_400_000).toISOString().slice(0, 10);

/** A bare HTTP server in its own process answering every request with `body` and `status`. */
function floorServer(port: number, status: number, body: string): ChildProcess {
  const code = `require('node:http').createServer((q, s) => { q.resume(); q.on('end', () => {
    s.writeHead(${status}, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(${JSON.stringify(body)}) });
    s.end(${JSON.stringify(body)}); }); }).listen(${port}, '127.0.0.1', () => console.log('ready'));`;
  return spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
}

async function waitReady(child: ChildProcess): Promise<void> {
  await new Promise<void>((res) => child.stdout?.once('data', () => res()));
}

interface Load { method: 'GET' | 'POST'; path: string; body?: string }

/** Requests per second over all `bases` at once (CONNECTIONS each), and how many answers were not 2xx. */
async function drive(bases: string[], load: Load): Promise<{ rps: number; non2xx: number }> {
  const runs = await Promise.all(bases.map((url) => autocannon({
    url: `${url}${load.path}`, method: load.method, connections: CONNECTIONS, duration: SECONDS,
    headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
    ...(load.body ? { body: load.body } : {}),
  })));
  return { rps: runs.reduce((s, r) => s + r.requests.average, 0), non2xx: runs.reduce((s, r) => s + r.non2xx, 0) };
}

async function main(): Promise<void> {
  const cluster = await startRedisCluster(3);
  const dir = mkdtempSync(join(tmpdir(), 'avhub-bench-cluster-'));
  const ports = [await freePort(), await freePort()];
  const apis: HubProcess[] = [];
  const floors: ChildProcess[] = [];
  const rows: string[] = [];
  try {
    for (const [i, port] of ports.entries()) {
      writeFileSync(join(dir, `hub-${i}.yaml`), stringify({
        hubId: 'bench', redis: { cluster: { nodes: cluster.urls.slice(0, 3) }, keyPrefix: 'avhub-bench' },
        http: { host: '127.0.0.1', port }, log: { level: 'warn' }, auth: { adminToken: ADMIN },
        groups: { rooms: { workflow: 'centralized' } },
        sites: [{ id: 'central', name: 'Central', timezone: 'Europe/Berlin', adapter: { kind: 'none' },
          resources: [{ id: 'rooms', kind: 'pool', capacity: 1_000_000, group: 'rooms', bookedBy: 'night' }] }],
      }));
    }
    const read: Load = { method: 'GET', path: `/v1/availability?site=central&from=${day(30)}&to=${day(37)}` };
    const hold: Load = { method: 'POST', path: '/v1/holds', body: JSON.stringify({ site: 'central', resource: 'rooms', checkIn: day(40), checkOut: day(42) }) };
    for (const count of [1, 2]) {
      while (apis.length < count) {
        const api = spawnHubProcess('api', join(dir, `hub-${apis.length}.yaml`));
        apis.push(api);
        await api.waitFor('Availability Hub is running', 60_000);
      }
      const bases = ports.slice(0, count).map((p) => `http://127.0.0.1:${p}`);
      // The floor answers the same bytes as the hub does for each case.
      const sample = async (load: Load) => {
        const r = await fetch(`${bases[0]}${load.path}`, { method: load.method, headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' }, ...(load.body ? { body: load.body } : {}) });
        return { status: r.status, body: await r.text() };
      };
      for (const [name, load] of [['availability read (7 nights)', read], ['POST /v1/holds', hold]] as const) {
        const answer = await sample(load);
        const floorPorts = [await freePort(), await freePort()].slice(0, count);
        const started = floorPorts.map((p) => floorServer(p, answer.status, answer.body));
        floors.push(...started);
        await Promise.all(started.map(waitReady));
        const floor = await drive(floorPorts.map((p) => `http://127.0.0.1:${p}`), load);
        for (const f of started) f.kill();
        const hub = await drive(bases, load);
        rows.push(`| ${name} | ${count} | ${Math.round(hub.rps)} | ${Math.round(floor.rps)} | ${(hub.rps / floor.rps).toFixed(2)} | ${hub.non2xx} |`);
        process.stderr.write(`bench:cluster ${name}, ${count} api: ${Math.round(hub.rps)}/s (floor ${Math.round(floor.rps)}/s)\n`);
      }
    }
    console.log(['', `Redis Cluster (3 masters + 3 replicas), ${CONNECTIONS} connections per API process, ${SECONDS} s per case`,
      '', '| case | api processes | hub req/s | floor req/s | hub ÷ floor | non-2xx |', '| --- | --- | --- | --- | --- | --- |', ...rows, ''].join('\n'));
  } finally {
    for (const f of floors) f.kill();
    for (const a of apis) await a.stop(5_000).catch(() => undefined);
    await cluster.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

const watchdog = setTimeout(() => { console.error('bench:cluster: overran 5 minutes'); process.exit(1); }, 300_000);
watchdog.unref();
main().then(() => process.exit(0), (err: unknown) => { console.error(err); process.exit(1); });
