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
