import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { spawnHubProcess, type HubProcess } from '../helpers/hub-process.js';
import { eventually } from '../helpers/hub.js';

/**
 * Issue 14 (5): one SIGTERM ends the process whatever Redis does. The hub runs as its own process
 * (`avhub start`) against a private redis-server on 127.0.0.1, which is SIGKILLed before the
 * hub is asked to stop.
 */

let redis: ChildProcess | undefined;
let hub: HubProcess | undefined;

afterAll(async () => {
  await hub?.kill9();
  if (redis && redis.exitCode === null && redis.signalCode === null) redis.kill('SIGKILL');
});

async function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => ok(port));
    });
  });
}

async function startRedis(port: number): Promise<ChildProcess> {
  const proc = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  await eventually(async () => {
    const probe = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    probe.on('error', () => undefined);
    try { await probe.connect(); await probe.ping(); } finally { probe.disconnect(); }
  }, 5_000, 50);
  return proc;
}

describe('shutdown always ends', () => {
  it('one SIGTERM ends `avhub start` while Redis is unreachable (no second signal, no SIGKILL)', async () => {
    const port = await freePort();
    redis = await startRedis(port);
    const dir = mkdtempSync(join(tmpdir(), 'avhub-chaos-'));
    const file = join(dir, 'hub.yaml');
    writeFileSync(file, `redis: { url: "redis://127.0.0.1:${port}" }
http: { port: 0 }
auth: { adminToken: "0123456789abcdef" }
groups: { rooms: { workflow: centralized } }
sites:
  - { id: mitte, timezone: Europe/Berlin, adapter: { kind: none },
      resources: [ { id: double, kind: pool, capacity: 2, group: rooms, bookedBy: night } ] }
`);
    hub = spawnHubProcess('start', file);
    await hub.waitFor('Availability Hub is running');
    const gone = redis;
    await new Promise<void>((ok) => { gone.once('exit', () => ok()); gone.kill('SIGKILL'); });
    // Let the hub notice: its connections are reconnecting when the signal comes.
    await hub.waitFor(/ECONNREFUSED/, 10_000);
    hub.child.kill('SIGTERM');
    // A fallback SIGKILL long after the promised 10 s, so a hang shows as a signal, not a timeout.
    const fallback = setTimeout(() => hub?.child.kill('SIGKILL'), 25_000);
    const { code, signal } = await hub.exited;
    clearTimeout(fallback);
    expect(signal, hub.output()).toBeNull();
    // 0: every part was stopped or given up on within the budget, then the process ended.
    expect(code, hub.output()).toBe(0);
    expect(hub.output()).toContain('shutting down');
    expect(hub.output()).not.toContain('second signal');
  }, 60_000);
});
