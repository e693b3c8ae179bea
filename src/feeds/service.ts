import { createHash } from 'node:crypto';
import type { FeedConfig } from '../config/types.js';
import type { Catalog, CatalogEntry } from '../core/catalog.js';
import { HubError, notFound } from '../core/errors.js';
import { addDays, localDateOf, localMidnight } from '../domain/index.js';
import { sameSecret } from '../domain/same-secret.js';
import type { FeedStore } from '../store/feed-store.js';
import { busyIntervals, busyNights } from './blocks.js';
import { type FeedCalendar, renderFeed } from './ics.js';

const DAY_MS = 86_400_000;
/**
 * Time claims that start this long before today are read too, so a busy stretch that began
 * before today keeps its true start (its UID) instead of being cut at the window's edge.
 */
const LOOK_BACK_MS = 7 * DAY_MS;

/** One feed's answer: the text and its validators. */
export interface BuiltFeed {
  body: string;
  /** A strong entity tag (quoted): the content's digest and the time it first had it. */
  etag: string;
  /** When the content last changed (ms, Redis clock); DTSTAMP of every event. */
  lastModified: number;
}

export interface FeedServiceDeps {
  catalog: Catalog;
  store: FeedStore;
  /** The hub's id: part of every UID, so two hubs' feeds never share one. */
  hubId: string;
  /** The clock that says which day is today (tests pin it). */
  now?: () => number;
}

const unauthorized = (detail: string) => new HubError(401, 'unauthorized', 'Unauthorized', detail);
const digest = (text: string) => createHash('sha256').update(text).digest('base64url');

/**
 * The iCalendar feeds out (issue 17): per configured feed, the resource's busy blocks from the
 * hub's holds and reservations and every source but the excluded sites, as OTAs import them.
 */
export class FeedService {
  private readonly now: () => number;

  constructor(private readonly deps: FeedServiceDeps) {
    this.now = deps.now ?? Date.now;
  }

  /**
   * The feed of `site`/`resource` the token opens. Every feed of the resource is compared, each in
   * constant time, so the answer's timing says nothing about which token came close.
   * @throws HubError 404 `not-found` when the resource has no feed, 401 `unauthorized` for a
   *   missing or wrong token.
   */
  open(site: string, resource: string, token: string | undefined): FeedConfig {
    const feeds = this.deps.catalog.config.feeds.filter((f) => f.site === site && f.resource === resource);
    if (feeds.length === 0) throw notFound('feed', `${site}/${resource}`);
    if (token === undefined || token === '') throw unauthorized('send the feed\'s token as ?token=<token>');
    let found: FeedConfig | undefined;
    for (const feed of feeds) if (sameSecret(token, feed.token) && found === undefined) found = feed;
    if (found === undefined) throw unauthorized('the token does not open this feed');
    return found;
  }

  /** The feed's text now, with its ETag and Last-Modified. */
  async build(feed: FeedConfig): Promise<BuiltFeed> {
    const entry = this.deps.catalog.entry(feed.site, feed.resource);
    // Config validation checked every feed's resource; a miss here is a bug, not a client error.
    if (!entry) throw new Error(`feed names unknown resource ${feed.site}/${feed.resource}`);
    const tz = entry.site.timezone;
    const today = localDateOf(this.now(), tz);
    const until = addDays(today, Math.ceil(feed.horizon / DAY_MS));
    const exclude = [...new Set(feed.exclude)].sort();
    const identity = `${this.deps.hubId}|${feed.site}/${feed.resource}|${exclude.join(',')}|${feed.units}|${feed.horizon}`;
    const blocks = await this.blocks(entry, feed, exclude, today, until);
    const name = `${entry.site.name}: ${entry.resource.name}`;
    const etag = digest(JSON.stringify([identity, name, blocks]));
    const lastModified = await this.deps.store.stamp(digest(identity).slice(0, 24), etag);
    const calendar: FeedCalendar = { name, uidSuffix: `${digest(identity).slice(0, 12)}@avhub`, stamp: lastModified, blocks };
    return { body: renderFeed(calendar), etag: `"${etag.slice(0, 32)}-${lastModified.toString(36)}"`, lastModified };
  }

  private async blocks(entry: CatalogEntry, feed: FeedConfig, exclude: string[], today: string, until: string): Promise<FeedCalendar['blocks']> {
    const tz = entry.site.timezone;
    if (entry.resource.bookedBy === 'night') {
      const snap = await this.deps.store.snapshot({ ledger: entry.ledger, by: 'night' }, exclude);
      if (snap.ledger.by !== 'night') throw new Error(`ledger ${entry.ledger} answered as a time ledger`);
      const excluded = exclude.flatMap((s) => [...(snap.sites.get(s)?.claims.values() ?? [])])
        .filter((c) => c.ledger === entry.ledger);
      const nights = busyNights({ figures: snap.ledger.nights, excluded, capacity: entry.capacity, units: feed.units, from: today, until });
      return { by: 'night', nights };
    }
    const window = { start: localMidnight(today, tz), end: localMidnight(until, tz) };
    const snap = await this.deps.store.snapshot({ ledger: entry.ledger, by: 'time', from: window.start - LOOK_BACK_MS, to: window.end }, []);
    if (snap.ledger.by !== 'time') throw new Error(`ledger ${entry.ledger} answered as a night ledger`);
    const rules = entry.resource.rules;
    const intervals = busyIntervals({
      claims: snap.ledger.claims, exclude: new Set(exclude), capacity: entry.capacity, units: feed.units,
      bufferBefore: rules.bufferBefore ?? 0, bufferAfter: rules.bufferAfter ?? 0, window,
    });
    return { by: 'time', intervals };
  }
}
