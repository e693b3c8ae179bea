import type { Command, Redis } from 'ioredis';

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
 * Watches the server with MONITOR and keeps the commands clients sent (not those scripts ran) that
 * name a key under `prefix`: what actually reached Redis, whatever the client library did.
 */
export async function monitorCommands(redis: Redis, prefix: string): Promise<{ take(): Promise<string[]>; stop(): Promise<void> }> {
  const monitor = await redis.monitor();
  let seen: string[] = [];
  monitor.on('monitor', (_time: string, args: string[], source: string) => {
    if (source === 'lua') return;
    if (args.some((a) => a.includes(prefix))) seen.push(String(args[0]).toLowerCase());
  });
  // MONITOR lines may trail the replies by a moment.
  const settle = () => new Promise((ok) => setTimeout(ok, 100));
  return {
    async take() { await settle(); const out = seen; seen = []; return out; },
    stop() { monitor.disconnect(); return Promise.resolve(); },
  };
}
