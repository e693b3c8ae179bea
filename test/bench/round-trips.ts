import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';

export { recordCommands } from '../helpers/record-commands.js';

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
