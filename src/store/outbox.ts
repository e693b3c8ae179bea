import { openClient, type RedisClient, type RedisTarget } from './connection.js';
import type { HubKeys } from './keys.js';

/** One outbox entry: written in the same script as the reservation change it announces. */
export interface OutboxEntry {
  /** Stream id, e.g. `1795622788488-0` (no ':', so it can be part of a BullMQ job id). */
  id: string;
  fields: Record<string, string>;
}

const GROUP = 'relay';

/**
 * The reservation outbox (a Redis stream) read through a consumer group: at-least-once delivery
 * across worker processes; an entry a dead reader took but never acknowledged comes back.
 * It blocks while waiting, so it has a connection of its own.
 */
export class OutboxReader {
  private readonly redis: RedisClient;
  private readonly stream: string;

  constructor(target: RedisTarget, keys: HubKeys, private readonly consumer: string) {
    this.redis = openClient(target, { forBullMQ: true, lazy: false });
    this.stream = keys.outbox();
  }

  /** Creates the consumer group (and the stream) unless it exists. */
  async ensureGroup(): Promise<void> {
    try {
      await this.redis.xgroup('CREATE', this.stream, GROUP, '0', 'MKSTREAM');
    } catch (err) {
      if (!String((err as Error).message).includes('BUSYGROUP')) throw err;
    }
  }

  /** Entries another reader took more than `idleMs` ago and never acknowledged. */
  async claimAbandoned(idleMs: number, count: number): Promise<OutboxEntry[]> {
    const claimed = await this.redis.xautoclaim(this.stream, GROUP, this.consumer, idleMs, '0-0', 'COUNT', count) as [string, Array<[string, string[]]>];
    return (claimed[1] ?? []).map(toEntry);
  }

  /** New entries, waiting up to `blockMs` for one. */
  async readNew(count: number, blockMs: number): Promise<OutboxEntry[]> {
    const read = await this.redis.xreadgroup('GROUP', GROUP, this.consumer, 'COUNT', count, 'BLOCK', blockMs, 'STREAMS', this.stream, '>') as Array<[string, Array<[string, string[]]>]> | null;
    return (read ?? []).flatMap(([, entries]) => entries.map(toEntry));
  }

  /** Acknowledges and removes a handled entry. */
  async done(id: string): Promise<void> {
    await this.redis.multi().xack(this.stream, GROUP, id).xdel(this.stream, id).exec();
  }

  close(): void {
    this.redis.disconnect();
  }
}

function toEntry([id, list]: [string, string[]]): OutboxEntry {
  const fields: Record<string, string> = {};
  for (let i = 0; i < list.length; i += 2) fields[list[i]!] = list[i + 1]!;
  return { id, fields };
}
