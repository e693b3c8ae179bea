import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';

/**
 * The port of a plain local URL (`redis://127.0.0.1:6379`, `redis://localhost:6380/0`), the only
 * kind the hub may start a Redis for; anything with a password, TLS or another host is someone's
 * server and is never replaced. Undefined otherwise.
 */
export function embeddablePort(url: string): number | undefined {
  const m = /^redis:\/\/(127\.0\.0\.1|localhost)(?::(\d+))?(?:\/0?)?$/.exec(url);
  return m ? Number(m[2] ?? 6379) : undefined;
}

class MissingRedisServerError extends Error {
  constructor() {
    super('no Redis is reachable at the local address and redis-server is not installed: '
      + 'install it (Debian/Ubuntu: apt-get install redis-server; macOS: brew install redis) or set REDIS_URL');
  }
}

/** A redis-server child process with AOF on and its data under `dir`; stopped with the hub. */
export class EmbeddedRedis {
  private child: ChildProcess | undefined;

  constructor(private readonly dir = resolve('data'), private readonly port = 6379) {}

  async start(): Promise<void> {
    const probe = spawnSync('redis-server', ['--version'], { encoding: 'utf8' });
    if (probe.error) throw new MissingRedisServerError();
    mkdirSync(this.dir, { recursive: true });
    this.child = spawn('redis-server', [
      '--port', String(this.port), '--bind', '127.0.0.1', '--dir', this.dir,
      '--appendonly', 'yes', '--save', '', '--maxmemory-policy', 'noeviction',
    ], { stdio: ['ignore', 'ignore', 'pipe'] });
    const child = this.child;
    await new Promise<void>((ok, fail) => {
      child.once('error', fail);
      child.once('exit', (code) => fail(new Error(`redis-server exited with code ${code} (is port ${this.port} taken?)`)));
      // redis-server is ready to accept connections shortly after it starts; the caller pings.
      setTimeout(ok, 300);
    });
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    child.removeAllListeners('exit');
    await new Promise<void>((ok) => {
      child.once('exit', () => ok());
      child.kill('SIGTERM'); // redis-server flushes its AOF on SIGTERM
      setTimeout(() => { child.kill('SIGKILL'); ok(); }, 5_000).unref();
    });
  }
}
