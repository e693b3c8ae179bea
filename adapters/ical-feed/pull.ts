import type { NormalizeResult } from '../icalendar/index.js';
import type { OffThread } from '../../src/core/adapter/off-thread.js';
import {
  AdapterAuthError, AdapterRateLimitedError, AdapterUnavailableError, CursorRejectedError, ResponseTooLargeError,
  TooManyItemsError,
} from '../../src/core/adapter/errors.js';
import type {
  AdapterLimits, PullRequest, PullResult, ResourceError, SourceBooking, SourceResource,
} from '../../src/core/adapter/port.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import type { FeedState } from './cursor.js';
import { fetchFeed } from './fetch.js';
import type { ReadFeedInput, ReadFeedOutput } from './read.js';
import { sha256 } from './settings.js';
import type { IcalFeedSettings } from './settings.js';

/** What a pull needs besides the request: the site's settings, limits and parse pool. */
export interface FeedPullContext {
  settings: IcalFeedSettings;
  limits: AdapterLimits;
  offThread: OffThread;
}

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

const originOf = (url: string) => new URL(url).origin;

/** The same failure, its message naming the resources and the feed's origin (never its path). */
function namingResources(err: unknown, feed: Feed): Error {
  // No quotes in what may become an alert's e-mail subject (they force MIME encoded-words).
  const names = feed.resources.map((r) => r.id).join(', ');
  const what = `resource${feed.resources.length > 1 ? 's' : ''} ${names} (feed at ${originOf(feed.url)})`;
  const message = err instanceof Error ? err.message : String(err);
  const text = message.includes(what) ? message : `${what}: ${message}`;
  if (err instanceof AdapterRateLimitedError) return new AdapterRateLimitedError(text, err.retryAfterMs);
  if (err instanceof AdapterAuthError) return new AdapterAuthError(text);
  if (err instanceof CursorRejectedError) return new CursorRejectedError(text);
  if (err instanceof TooManyItemsError) return new TooManyItemsError(text, err.limitItems);
  if (err instanceof ResponseTooLargeError) return new ResponseTooLargeError(text, err.limitBytes);
  return new AdapterUnavailableError(text);
}

type FeedOutcome =
  | { ok: true; state: FeedState; parsed: Array<{ resource: SourceResource; result: NormalizeResult }> | null }
  | { ok: false; error: Error };

/** Fetches and reads one feed; `parsed` null means unchanged since `before`. Failures are values. */
async function readFeed(req: PullRequest, ctx: FeedPullContext, feed: Feed, before: FeedState | undefined): Promise<FeedOutcome> {
  const where = `feed at ${originOf(feed.url)}`;
  try {
    await req.throttle();
    const res = await fetchFeed({
      url: feed.url,
      previous: before,
      headers: ctx.settings.headers ?? {},
      timeoutMs: ctx.settings.timeout ?? ctx.limits.timeoutMs,
      maxBytes: ctx.limits.maxBytes,
      maxEvents: ctx.limits.maxItems,
      signal: req.signal,
    });
    if (!res.changed) {
      if (before === undefined) throw new AdapterUnavailableError('ical-feed: unchanged feed without a previous state');
      return { ok: true, state: before, parsed: null };
    }
    // Decoding, the digest, the event count and the expansion run on the parse pool.
    const input: ReadFeedInput = {
      bytes: res.body, previousDigest: before?.digest ?? null, maxEvents: ctx.limits.maxItems, where,
      calendars: feed.resources.map((resource) => ({
        resource: { id: resource.id, bookedBy: resource.bookedBy },
        timezone: req.site.timezone,
        window: req.window,
        idPrefix: idPrefix(resource),
      })),
    };
    let read: ReadFeedOutput;
    try {
      read = await ctx.offThread.run<ReadFeedOutput>('ical-feed/read', input, {
        what: `ical-feed: the ${where}`, signal: req.signal, timeLimitMs: ctx.limits.parseTimeoutMs,
        transfer: [res.body.buffer as ArrayBuffer], size: res.body.byteLength,
      });
    } catch (err) {
      if (err instanceof AdapterUnavailableError || req.signal.aborted) throw err;
      throw new AdapterUnavailableError(`ical-feed: the ${where} is not a readable iCalendar document: ${err instanceof Error ? err.message : String(err)}`);
    }
    // Keep the newest validators (a same-bytes 200 may carry new ones) and the ids as they were.
    const state: FeedState = { ...res.state, digest: read.digest };
    if (read.results === null) return { ok: true, state, parsed: null };
    return { ok: true, state, parsed: feed.resources.map((resource, i) => ({ resource, result: read.results![i]! })) };
  } catch (err) {
    if (req.signal.aborted) throw err;
    return { ok: false, error: namingResources(err, feed) };
  }
}

/**
 * One poll. A feed that fails (unreachable, refused, not iCalendar) fails only its resources:
 * they keep the bookings they had and are named in `resourceErrors` (and `skipped`), the others
 * update. When every feed fails the pull fails, so the site's health sees it. In a full pull a
 * failed feed's resources can only be left out when the core keeps their last data
 * (`req.partialResults`); otherwise the whole pull fails with an error that names them. A rate
 * limit always fails the pull: the whole host asked to wait.
 */
export async function pullFeeds(req: PullRequest, ctx: FeedPullContext): Promise<PullResult> {
  const feeds = feedsOf(req, ctx.settings);
  const config = fingerprint(req, feeds);
  const previous = decodeCursor(req.cursor, config);
  const full = previous === null;
  const feedStates: Record<string, FeedState> = {};
  const ids: Record<string, string[]> = {};
  const bookings: SourceBooking[] = [];
  const removed: string[] = [];
  const skipped: PullResult['skipped'] = [];
  const resourceErrors: ResourceError[] = [];
  let failedInFull = false;

  const outcomes: Array<{ feed: Feed; outcome: FeedOutcome }> = [];
  for (const feed of feeds) outcomes.push({ feed, outcome: await readFeed(req, ctx, feed, previous?.feeds[feed.key]) });
  const failures = outcomes.filter((o) => !o.outcome.ok);
  const firstFailure = failures[0]?.outcome;
  if (firstFailure && !firstFailure.ok) {
    const rateLimited = failures.find((o) => !o.outcome.ok && o.outcome.error instanceof AdapterRateLimitedError);
    if (rateLimited && !rateLimited.outcome.ok) throw rateLimited.outcome.error;
    if (failures.length === outcomes.length) throw firstFailure.error;
    if (full && req.partialResults !== true) throw firstFailure.error;
  }

  for (const { feed, outcome } of outcomes) {
    const before = previous?.feeds[feed.key];
    if (!outcome.ok) {
      for (const r of feed.resources) {
        resourceErrors.push({ resource: r.id, origin: originOf(feed.url), code: (outcome.error as { code?: string }).code ?? 'ADAPTER.ERROR', message: outcome.error.message });
        skipped.push({ externalId: `${idPrefix(r)}(feed)`, reason: `not updated, last data kept: ${outcome.error.message}`, resource: r.id });
      }
      if (full) { failedInFull = true; continue; }
      // Incrementally: keep what the feed said last time and fetch it unconditionally next poll.
      for (const r of feed.resources) ids[r.id] = previous.ids[r.id] ?? [];
      if (before) feedStates[feed.key] = { digest: before.digest };
      continue;
    }
    feedStates[feed.key] = outcome.state;
    if (outcome.parsed === null) {
      for (const r of feed.resources) ids[r.id] = previous?.ids[r.id] ?? [];
      continue;
    }
    for (const { resource, result } of outcome.parsed) {
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
    // A full answer that left a resource out knows nothing of that resource's ids: no cursor, so
    // the next poll is full again (and the core keeps the resource's data until it reads).
    cursor: failedInFull ? null : encodeCursor({ config, feeds: feedStates, ids }),
    skipped,
    ...(resourceErrors.length > 0 ? { resourceErrors } : {}),
  };
}
