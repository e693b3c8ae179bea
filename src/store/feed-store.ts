import type { RedisClient } from './connection.js';
import { ConflictStore } from './conflicts/conflict-store.js';
import type { LedgerAsk, LedgerSnapshot } from './conflicts/types.js';
import type { HubKeys } from './keys.js';
import { scriptsFor, type Script } from './scripts.js';

/** A feed's stamp outlives its last fetch by this long (OTAs fetch every few hours). */
const STAMP_TTL_MS = 90 * 86_400_000;

/**
 * What the iCalendar feeds (src/feeds) read and remember: one consistent snapshot of a ledger
 * with the source claims of the sites a feed excludes, and when each feed's content last changed.
 */
export class FeedStore {
  private readonly run: Record<'feed-stamp', Script>;
  private readonly ledgers: ConflictStore;

  constructor(redis: RedisClient, private readonly keys: HubKeys) {
    this.run = scriptsFor(redis);
    // The same one-round-trip read conflict detection uses (conflict-read.lua): the ledger's
    // figures, the live holds on it and the named sites' source claims, consistent with each other.
    this.ledgers = new ConflictStore(redis, keys);
  }

  /** One consistent read of the ledger and of `sites`' source claims (all their ledgers). */
  async snapshot(ask: LedgerAsk, sites: readonly string[]): Promise<LedgerSnapshot> {
    return this.ledgers.snapshot(ask, sites);
  }

  /**
   * Since when (ms, Redis clock) the feed's content has had the digest `etag`: the time moves only
   * when the digest changes, so every API process answers the same Last-Modified for one content.
   * `feed` names the feed (site, resource, exclusions), never its token.
   */
  async stamp(feed: string, etag: string): Promise<number> {
    const reply = await this.run['feed-stamp']([this.keys.feedStamp(feed)], [etag, STAMP_TTL_MS]) as string[];
    return Number(reply[0]);
  }
}
