import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { Redis } from 'ioredis';
import { eventually } from './hub.js';

/** A free TCP port on 127.0.0.1 (the OS picks it). */
export async function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port: p } = server.address() as { port: number };
      server.close(() => ok(p));
    });
  });
}

/**
 * A redis-server of the test's own on `port` (nothing kept on disk), for tests that stop Redis or
 * read server-wide figures (INFO commandstats) that the shared test Redis mixes with other files'.
 */
export interface PrivateRedis {
  port: number;
  url: string;
  /** SIGKILL, as abrupt as a crash; a no-op once stopped. */
  stop(): Promise<void>;
}

/**
 * `aofDir`: keep an append-only file there, fsynced before every answer (`appendfsync always`), so
 * a server started again on the same directory after a SIGKILL has every write it acknowledged.
 */
export async function startPrivateRedis(port?: number, opts: { aofDir?: string } = {}): Promise<PrivateRedis> {
  const p = port ?? await freePort();
  const persistence = opts.aofDir
    ? ['--appendonly', 'yes', '--appendfsync', 'always', '--dir', opts.aofDir]
    : ['--appendonly', 'no'];
  const proc: ChildProcess = spawn('redis-server', ['--port', String(p), '--bind', '127.0.0.1', '--save', '', ...persistence], {
    stdio: 'ignore',
  });
  let exited = false;
  proc.once('exit', () => { exited = true; });
  // Ready once it answers PING.
  await eventually(async () => {
    if (exited) throw new Error(`redis-server on port ${p} exited`);
    const probe = new Redis({ port: p, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    probe.on('error', () => undefined);
    try {
      // connect() waits for ioredis' ready check, which waits while an AOF is still being loaded.
      await probe.connect();
      await probe.ping();
    } finally {
      probe.disconnect();
    }
  }, 10_000, 50);
  return {
    port: p,
    url: `redis://127.0.0.1:${p}`,
    async stop() {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      await new Promise<void>((ok) => {
        proc.once('exit', () => ok());
        proc.kill('SIGKILL');
      });
    },
  };
}
