import type { RedisClient } from '../connection.js';
import type { SourceClaim } from '../../core/claims.js';
import type { HubKeys } from '../keys.js';
import { decodeBlock, decodeSourceClaim, encodeBlock, tryJson } from './decode.js';
import type { MirroredBlock } from './types.js';

/**
 * The registry of busy blocks the hub mirrored into members' calendars (src/conflicts/mirror.ts),
 * per shared resource and target site, keyed by the original's site and external id.
 */
export class MirrorStore {
  constructor(private readonly redis: RedisClient, private readonly keys: HubKeys) {}

  /** The site's source claims on `ledger`, as its last polls recorded them, by external id. */
  async sourceClaims(site: string, ledger: string): Promise<Map<string, SourceClaim>> {
    const out = new Map<string, SourceClaim>();
    for (const [id, text] of Object.entries(await this.redis.hgetall(this.keys.sourceBookings(site)))) {
      const v = tryJson(text);
      if (v === undefined) continue;
      const c = decodeSourceClaim(id, v);
      if (c.ledger === ledger) out.set(id, c);
    }
    return out;
  }

  /** Blocks in `target`'s calendar mirroring bookings of `from`, by the original's external id. */
  async blocks(shared: string, target: string, from: string): Promise<Map<string, MirroredBlock>> {
    const out = new Map<string, MirroredBlock>();
    for (const [field, text] of Object.entries(await this.redis.hgetall(this.keys.mirrorBlocks(shared, target)))) {
      if (!field.startsWith(`${from}|`)) continue;
      const b = decodeBlock(tryJson(text));
      if (b) out.set(field.slice(from.length + 1), b);
    }
    return out;
  }

  async saveBlock(shared: string, target: string, from: string, externalId: string, block: MirroredBlock): Promise<void> {
    await this.redis.hset(this.keys.mirrorBlocks(shared, target), `${from}|${externalId}`, encodeBlock(block));
  }

  async forgetBlock(shared: string, target: string, from: string, externalId: string): Promise<void> {
    await this.redis.hdel(this.keys.mirrorBlocks(shared, target), `${from}|${externalId}`);
  }
}
