import { datesCovering } from '../../src/domain/index.js';
import { CursorRejectedError } from '../../src/core/adapter/errors.js';
import type {
  AdapterContext, PullRequest, PullResult, SourceBooking, SourceCount, SourceResource,
} from '../../src/core/adapter/port.js';
import { getPath } from './dot-path.js';
import type { RestClient } from './http.js';
import { chunkNights, inWindow, mapBooking, mapCount } from './map.js';
import { restSource, type RestSettings } from './settings.js';
import { fillPath } from './template.js';
import { readInstant } from './values.js';

/** A runaway `nextPage` (a PMS that always answers "page 2") stops here with an error. */
const MAX_PAGES = 1_000;
/** Without an `updatedAt` field the next `since` is the hub's clock this long before the fetch. */
const SINCE_OVERLAP_MS = 60_000;

interface Cursor { v: 1; since: string }

export function encodeCursor(since: number): string {
  return JSON.stringify({ v: 1, since: new Date(since).toISOString() } satisfies Cursor);
}

/** @throws CursorRejectedError for a cursor this adapter did not write (the core then pulls in full). */
export function decodeCursor(cursor: string): number {
  try {
    const c = JSON.parse(cursor) as Partial<Cursor>;
    const since = c.v === 1 && typeof c.since === 'string' ? Date.parse(c.since) : Number.NaN;
    if (!Number.isNaN(since)) return since;
  } catch { /* reported below */ }
  throw new CursorRejectedError(`rest: unreadable cursor ${JSON.stringify(cursor.slice(0, 80))}`);
}

/** Hub resources by the PMS's id (`source.id`); the first resource wins if two share an id. */
function resourcesBySourceId(resources: readonly SourceResource[]): Map<string, SourceResource> {
  const map = new Map<string, SourceResource>();
  for (const r of resources) {
    const parsed = restSource.safeParse(r.mapping);
    if (parsed.success && !map.has(parsed.data.id)) map.set(parsed.data.id, r);
  }
  return map;
}

/** Where a pull reports what it kept but did not understand (status values statusMap does not list). */
export type PullLog = Pick<AdapterContext['log'], 'warn'>;

export async function pull(settings: RestSettings, client: RestClient, req: PullRequest, log?: PullLog): Promise<PullResult> {
  const since = req.cursor === null ? null : decodeCursor(req.cursor);
  const bySourceId = resourcesBySourceId(req.site.resources);
  const dates = datesCovering(req.window.start, req.window.end, req.site.timezone);
  const skipped: PullResult['skipped'] = [];
  const counts = settings.availability && dates.length > 0
    ? await pullCounts(settings.availability, client, req, bySourceId, dates, skipped)
    : [];
  if (!settings.bookings) {
    return { mode: 'full', bookings: [], removed: [], counts, cursor: null, skipped };
  }
  const unknown = new Map<string, string[]>();
  const { bookings, removed, next } = await pullBookings(settings, settings.bookings, client, req, bySourceId, dates, since, skipped,
    (value, id) => unknown.set(value, [...(unknown.get(value) ?? []), id]));
  for (const [value, ids] of unknown) {
    log?.warn({ site: req.site.id, status: value, counted: settings.bookings.unknownStatus, externalIds: ids.slice(0, 20) },
      'rest: a booking status the statusMap does not list');
  }
  return { mode: since === null ? 'full' : 'delta', bookings, removed, counts, cursor: encodeCursor(next), skipped };
}

async function pullCounts(cfg: NonNullable<RestSettings['availability']>, client: RestClient, req: PullRequest,
  bySourceId: Map<string, SourceResource>, dates: string[], skipped: PullResult['skipped']): Promise<SourceCount[]> {
  const chunks = chunkNights(dates[0]!, dates[dates.length - 1]!, cfg.maxNights);
  const wanted = new Set(dates);
  const found = new Map<string, SourceCount>();
  const unknown = new Set<string>();
  const perResource = fillableWith(cfg.path, 'resource');
  const targets: Array<{ sourceId?: string; resource?: SourceResource }> = perResource
    ? [...bySourceId].map(([sourceId, resource]) => ({ sourceId, resource }))
    : [{}];
  for (const target of targets) {
    for (const chunk of chunks) {
      await req.throttle();
      const path = fillPath(cfg.path, { resource: target.sourceId, from: chunk.from, to: chunk.to });
      const { body } = await client({ method: 'GET', path, signal: req.signal });
      const items = getPath(body, cfg.items);
      if (!Array.isArray(items)) {
        skipped.push({ externalId: `availability:${target.resource?.id ?? '*'}@${chunk.from}`, reason: `no array at "${cfg.items}" in the response` });
        continue;
      }
      const chunkDates = new Set([...wanted].filter((d) => d >= chunk.from && d <= chunk.to));
      for (const item of items) {
        const out = mapCount(item, { fields: cfg.fields, bySourceId, dates: chunkDates, ...(target.resource ? { resource: target.resource } : {}) });
        if (out === null) continue;
        if ('skip' in out) {
          // One line per unmapped room type, not one per night.
          if (out.skip.reason.startsWith('unknown resource')) {
            if (unknown.has(out.skip.externalId)) continue;
            unknown.add(out.skip.externalId);
          }
          skipped.push(out.skip);
        } else {
          found.set(`${out.resource}|${out.date}`, out);
        }
      }
    }
  }
  return [...found.values()];
}

async function pullBookings(settings: RestSettings, cfg: NonNullable<RestSettings['bookings']>, client: RestClient,
  req: PullRequest, bySourceId: Map<string, SourceResource>, dates: string[], since: number | null,
  skipped: PullResult['skipped'], onUnknownStatus: (value: string, externalId: string) => void) {
  const started = Date.now();
  const ctx = { fields: cfg.fields, statusMap: cfg.statusMap, unknownStatus: cfg.unknownStatus, onUnknownStatus, referencePrefix: settings.referencePrefix, timezone: req.site.timezone, bySourceId };
  const nights = { first: dates[0] ?? '9999-12-31', last: dates[dates.length - 1] ?? '0000-01-01' };
  const byId = new Map<string, SourceBooking>();
  const removed = new Set<string>();
  let newest = since ?? Number.NEGATIVE_INFINITY;
  let page: unknown;
  const seenPages = new Set<string>();
  let index = 0;
  for (let n = 0; ; n += 1) {
    if (n >= MAX_PAGES) throw new Error(`rest: the bookings list did not end after ${MAX_PAGES} pages`);
    await req.throttle();
    const path = fillPath(cfg.path, {
      since: since === null ? undefined : new Date(since).toISOString(),
      page, from: dates[0], to: dates[dates.length - 1],
    });
    const { body } = await client({ method: 'GET', path, signal: req.signal });
    const items = getPath(body, cfg.items);
    if (!Array.isArray(items)) throw new Error(`rest: GET ${path.split('?')[0]} has no array at "${cfg.items}"`);
    for (const item of items) {
      const out = mapBooking(item, index++, ctx);
      // Read from the raw item so a skipped item still moves the cursor past itself.
      const updated = cfg.fields.updatedAt === undefined ? undefined : readInstant(getPath(item, cfg.fields.updatedAt), ctx.timezone);
      if (updated !== undefined && updated > newest) newest = updated;
      if ('skip' in out) { skipped.push(out.skip); continue; }
      const b = out.booking;
      if (inWindow(b, nights, req.window)) {
        byId.set(b.externalId, b);
        removed.delete(b.externalId);
      } else if (since !== null) {
        // Moved out of the window: gone from the hub's point of view.
        byId.delete(b.externalId);
        removed.add(b.externalId);
      }
    }
    const next = cfg.nextPage === undefined ? undefined : getPath(body, cfg.nextPage);
    if (next === undefined || next === null || next === '' || next === false) break;
    const key = JSON.stringify(next);
    if (seenPages.has(key)) throw new Error(`rest: nextPage ${key} repeats; the bookings list would never end`);
    seenPages.add(key);
    page = next;
  }
  // The PMS's own clock when it tells us (no skew); else ours, with an overlap. A booking seen twice
  // is a harmless upsert.
  const next = Number.isFinite(newest) && cfg.fields.updatedAt !== undefined
    ? newest
    : Math.max(since ?? Number.NEGATIVE_INFINITY, started - SINCE_OVERLAP_MS);
  return { bookings: [...byId.values()], removed: [...removed], next };
}

function fillableWith(path: string, name: string): boolean {
  return path.includes(`{${name}}`);
}
