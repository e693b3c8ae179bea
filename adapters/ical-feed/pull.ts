import { normalizeCalendar } from '../icalendar/index.js';
import { AdapterUnavailableError } from '../../src/core/adapter/errors.js';
import type { PullRequest, PullResult, SourceBooking, SourceResource } from '../../src/core/adapter/port.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import type { FeedState } from './cursor.js';
import { fetchFeed } from './fetch.js';
import { DEFAULT_TIMEOUT_MS, sha256 } from './settings.js';
import type { IcalFeedSettings } from './settings.js';

/**
 * One poll of an `ical-feed` site. A feed has no deltas, so the adapter makes its own: each feed
 * is fetched once with its validators; an unchanged one (304, or the same bytes) costs that one
 * request and contributes nothing; a changed one is normalized whole and compared with the ids it
 * gave last time (kept in the cursor) to report what disappeared. Without a cursor every feed is
 * fetched unconditionally and the answer is `full`.
 */

interface Feed {
  url: string;
  /** The hash that keys the feed in the cursor (the URL itself may hold a secret). */
  key: string;
  resources: SourceResource[];
}

/** External ids are `${resourceId}/${UID}[@instance]`: one feed may serve several resources. */
const idPrefix = (resource: SourceResource) => `${resource.id}/`;

function feedsOf(req: PullRequest, settings: IcalFeedSettings): Feed[] {
  const byUrl = new Map<string, Feed>();
  for (const resource of req.site.resources) {
    const own = resource.mapping.url;
    const url = typeof own === 'string' && own !== '' ? own : settings.url;
    if (url === undefined) {
      throw new Error(`ical-feed: resource "${resource.id}" of site "${req.site.id}" has no feed: set source.url on the resource or url on the site's adapter`);
    }
    let feed = byUrl.get(url);
    if (!feed) byUrl.set(url, (feed = { url, key: sha256(url).slice(0, 24), resources: [] }));
    feed.resources.push(resource);
  }
  return [...byUrl.values()];
}

/** What a cursor is valid for: the zone, and each resource's feed and booking unit. */
function fingerprint(req: PullRequest, feeds: Feed[]): string {
  const rows = feeds.flatMap((f) => f.resources.map((r) => [r.id, r.bookedBy, f.key].join(' '))).sort();
  return sha256(JSON.stringify([req.site.timezone, rows])).slice(0, 24);
}

export async function pullFeeds(req: PullRequest, settings: IcalFeedSettings): Promise<PullResult> {
  const feeds = feedsOf(req, settings);
  const config = fingerprint(req, feeds);
  const previous = decodeCursor(req.cursor, config);
  const full = previous === null;
  const feedStates: Record<string, FeedState> = {};
  const ids: Record<string, string[]> = {};
  const bookings: SourceBooking[] = [];
  const removed: string[] = [];
  const skipped: PullResult['skipped'] = [];

  for (const feed of feeds) {
    const before = previous?.feeds[feed.key];
    await req.throttle();
    const res = await fetchFeed({
      url: feed.url,
      previous: before,
      headers: settings.headers ?? {},
      timeoutMs: settings.timeout ?? DEFAULT_TIMEOUT_MS,
      signal: req.signal,
    });
    const unchanged = !res.changed || (before !== undefined && before.digest === res.state.digest);
    if (unchanged && before !== undefined && previous !== null) {
      // Keep the newest validators (a same-bytes 200 may carry new ones) and the ids as they were.
      feedStates[feed.key] = res.changed ? res.state : before;
      for (const r of feed.resources) ids[r.id] = previous.ids[r.id] ?? [];
      continue;
    }
    if (!res.changed) throw new AdapterUnavailableError('ical-feed: unchanged feed without a previous state');
    let parsed: Array<{ resource: SourceResource; result: ReturnType<typeof normalizeCalendar> }>;
    try {
      parsed = feed.resources.map((resource) => ({
        resource,
        result: normalizeCalendar(res.body, {
          resource: { id: resource.id, bookedBy: resource.bookedBy },
          timezone: req.site.timezone,
          window: req.window,
          idPrefix: idPrefix(resource),
        }),
      }));
    } catch (err) {
      const reason = `the feed at ${new URL(feed.url).origin} is not a readable iCalendar document: ${err instanceof Error ? err.message : String(err)}`;
      // A full answer without this feed would wipe its bookings: fail the poll instead.
      if (full) throw new AdapterUnavailableError(`ical-feed: ${reason}`);
      // Incrementally, keep what the feed said last time and fetch it again next poll.
      if (before) feedStates[feed.key] = before;
      for (const r of feed.resources) {
        ids[r.id] = previous.ids[r.id] ?? [];
        skipped.push({ externalId: `${idPrefix(r)}(feed)`, reason });
      }
      continue;
    }
    feedStates[feed.key] = res.state;
    for (const { resource, result } of parsed) {
      const now = result.bookings.map((b) => b.externalId);
      ids[resource.id] = now;
      bookings.push(...result.bookings);
      skipped.push(...result.skipped);
      if (!full) {
        const still = new Set(now);
        removed.push(...(previous.ids[resource.id] ?? []).filter((id) => !still.has(id)));
      }
    }
  }
  return {
    mode: full ? 'full' : 'delta',
    bookings,
    removed,
    counts: [],
    cursor: encodeCursor({ config, feeds: feedStates, ids }),
    skipped,
  };
}
