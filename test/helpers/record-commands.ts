import { randomBytes } from 'node:crypto';
import { Redis, type Command } from 'ioredis';

/**
 * Records every command a connection sends (ioredis routes plain commands, EVALSHA, its EVAL
 * fallback and pipelined commands through `sendCommand`). Commands are an upper bound on round trips.
 */
export function recordCommands(redis: Redis): { take(): string[]; restore(): void } {
  // eslint-disable-next-line @typescript-eslint/unbound-method -- called with .call(this) below and put back as is by restore()
  const original = redis.sendCommand;
  let seen: string[] = [];
  redis.sendCommand = function (this: Redis, command: Command, ...rest: unknown[]) {
    seen.push(command.name.toLowerCase());
    return (original as (...a: unknown[]) => unknown).call(this, command, ...rest);
  };
  return {
    take() { const out = seen; seen = []; return out; },
    restore() { redis.sendCommand = original; },
  };
}


/**
 * Cross-check from Redis' side: MONITOR on a separate connection, keeping only commands whose
 * client address is `redis`'s connection (a shared Redis sees other clients too). Commands run
 * inside Lua scripts show up with source "lua" and are not round trips, so they are left out.
 */
export async function monitorCommands(url: string, redis: Redis, action: () => Promise<void>): Promise<string[]> {
  const info = String(await redis.call('CLIENT', 'INFO'));
  const addr = /(?:^|\s)addr=(\S+)/.exec(info)?.[1];
  if (!addr) throw new Error(`cannot read the client address from CLIENT INFO: ${info}`);
  const base = new Redis(url, { lazyConnect: true });
  const monitor = await base.monitor();
  const seen: string[][] = [];
  monitor.on('monitor', (_time: string, args: string[], source: string) => {
    if (source === addr) seen.push(args);
  });
  try {
    await action();
    // MONITOR lines arrive asynchronously: a marker after the action tells when all have come.
    const marker = `bench-marker-${randomBytes(4).toString('hex')}`;
    await redis.echo(marker);
    const deadline = Date.now() + 3_000;
    const at = () => seen.findIndex((a) => a[0]?.toLowerCase() === 'echo' && a[1] === marker);
    while (at() < 0) {
      if (Date.now() > deadline) throw new Error('MONITOR did not show the marker within 3 s');
      await new Promise((r) => setTimeout(r, 10));
    }
    return seen.slice(0, at()).map((a) => a[0]!.toLowerCase());
  } finally {
    monitor.disconnect();
    base.disconnect();
  }
}
