import { datesCovering } from '../../src/domain/index.js';
import { CursorRejectedError } from '../../src/core/adapter/errors.js';
import type {
  AdapterContext, PullRequest, PullResult, SourceBooking, SourceCount, SourceResource,
} from '../../src/core/adapter/port.js';
import { getPath, readField, selectItems } from './dot-path.js';
import { headerValue } from '../../src/core/adapter/http.js';
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
  const counted = settings.bookings.unknownStatus;
  for (const [value, ids] of unknown) {
    log?.warn({ site: req.site.id, status: value, counted, externalIds: ids.slice(0, 20) },
      'rest: a booking status the statusMap does not list');
    // Also as skipped entries (read in part): the poller counts them per resource (metric
    // avhub_skipped_entries_total) and shows them on the resource's status, so staff see it.
    for (const id of ids) {
      const b = bookings.find((x) => x.externalId === id);
      skipped.push({ externalId: id, reason: `status ${JSON.stringify(value)} is not in bookings.statusMap; counted as ${counted === 'busy' ? 'busy (confirmed)' : 'free'} (bookings.unknownStatus)`, ...(b ? { resource: b.resource } : {}) });
    }
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
      const items = selectItems(body, cfg.items);
      if (items === undefined) {
        skipped.push({ externalId: `availability:${target.resource?.id ?? '*'}@${chunk.from}`, reason: `no array at "${cfg.items}" in the response` });
        continue;
      }
      const chunkDates = new Set([...wanted].filter((d) => d >= chunk.from && d <= chunk.to));
      for (const { value: item, parents } of items) {
        const out = mapCount(item, { fields: cfg.fields, bySourceId, dates: chunkDates, ...(target.resource ? { resource: target.resource } : {}) }, parents);
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
  const style = cfg.paging?.style ?? (cfg.nextPage !== undefined ? 'token' : 'none');
  const size = cfg.paging && 'size' in cfg.paging ? cfg.paging.size : undefined;
  // The first page: no token, the first page number, offset 0.
  let page: unknown = cfg.paging?.style === 'page' ? cfg.paging.first : undefined;
  let offset = 0;
  let url: string | undefined;
  const seenPages = new Set<string>();
  let index = 0;
  for (let n = 0; ; n += 1) {
    if (n >= MAX_PAGES) throw new Error(`rest: the bookings list did not end after ${MAX_PAGES} pages`);
    await req.throttle();
    const path = fillPath(cfg.path, {
      since: since === null ? undefined : new Date(since).toISOString(),
      page, offset, limit: size, from: dates[0], to: dates[dates.length - 1],
    });
    const res = await client({ method: 'GET', path, ...(url === undefined ? {} : { url }), signal: req.signal });
    const { body } = res;
    const items = selectItems(body, cfg.items);
    if (items === undefined) throw new Error(`rest: GET ${path.split('?')[0]} has no array at "${cfg.items}"`);
    for (const item of items) {
      const out = mapBooking(item.value, index++, ctx, item);
      // Read from the raw item so a skipped item still moves the cursor past itself.
      const updated = cfg.fields.updatedAt === undefined ? undefined : readInstant(readField(item.value, item.parents, cfg.fields.updatedAt), ctx.timezone);
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
    // Where the next page is, by the configured style; none means this was the last.
    let key: string;
    if (style === 'none') break;
    if (style === 'token') {
      const next = getPath(body, cfg.nextPage!);
      if (next === undefined || next === null || next === '' || next === false) break;
      page = next;
      key = JSON.stringify(next);
    } else if (style === 'page' || style === 'offset') {
      // Counted on the outer array: a booking with three rooms (bookings[].rooms) is one of a page's items.
      const listed = outerLength(body, cfg.items);
      if (listed === 0 || (size !== undefined && listed < size)) break;
      if (style === 'page') page = Number(page) + 1;
      else offset += listed;
      key = String(style === 'page' ? page : offset);
    } else {
      const next = style === 'link' ? linkNext(headerValue(res.headers, 'link'))
        : cfg.paging?.style === 'nextUrl' ? getPath(body, cfg.paging.at) : undefined;
      if (typeof next !== 'string' || next.trim() === '') break;
      url = new URL(next.trim(), res.url).toString();
      key = url;
    }
    if (seenPages.has(key)) throw new Error(`rest: the next page (${style}) repeats; the bookings list would never end`);
    seenPages.add(key);
  }
  // The PMS's own clock when it tells us (no skew); else ours, with an overlap. A booking seen twice
  // is a harmless upsert.
  const next = Number.isFinite(newest) && cfg.fields.updatedAt !== undefined
    ? newest
    : Math.max(since ?? Number.NEGATIVE_INFINITY, started - SINCE_OVERLAP_MS);
  return { bookings: [...byId.values()], removed: [...removed], next };
}

/** Items on a page before any `[]` walk: what a page size counts. */
function outerLength(body: unknown, items: string): number {
  const list = getPath(body, items.split('[]')[0]!.replace(/\.$/, ''));
  return Array.isArray(list) ? list.length : 0;
}

/** The target of rel="next" in an RFC 8288 Link header (`<url>; rel="next", <url>; rel="last"`). */
export function linkNext(header: string | null): string | undefined {
  if (header === null) return undefined;
  for (const m of header.matchAll(/<([^>]*)>((?:\s*;\s*[^;,]+)*)/g)) {
    const rel = /;\s*rel\s*=\s*"?([^";,]+)"?/i.exec(m[2] ?? '')?.[1];
    if (rel?.toLowerCase().split(/\s+/).includes('next')) return m[1];
  }
  return undefined;
}

function fillableWith(path: string, name: string): boolean {
  return path.includes(`{${name}}`);
}
