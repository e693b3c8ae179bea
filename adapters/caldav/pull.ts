import type { Interval } from '../../src/domain/types.js';
import { CursorRejectedError } from '../../src/core/adapter/errors.js';
import type { PullResult, SourceBooking, SourceResource } from '../../src/core/adapter/port.js';
import { normalizeCalendar } from '../icalendar/index.js';
import { externalIdsOf, objectState, type CalendarState, type ObjectState } from './cursor.js';
import { collectionState, DavStatusError, multiget, queryWindowAndSeries, syncReport, type DavObject } from './dav.js';
import { calendarPathOf, idPrefixOf, objectNameOf } from './ids.js';
import type { Fetch } from './transport.js';

/** What one calendar contributes to a pull. */
export interface CalendarPull {
  bookings: SourceBooking[];
  removed: string[];
  skipped: PullResult['skipped'];
  state: CalendarState;
}

export interface PullContext {
  fetch: Fetch;
  window: Interval;
  resource: SourceResource;
  log: { info(obj: object, msg: string): void };
}

/** sync-collection answers truncated more often than this in one poll are left for the next poll. */
const MAX_SYNC_ROUNDS = 20;

/** Normalizes one object's text; its bookings, its state for the cursor, and what was skipped. */
function readObject(ctx: PullContext, state: CalendarState, calendarUrl: string, obj: DavObject & { data: string }) {
  const name = objectNameOf(obj.url, calendarUrl);
  const prefix = idPrefixOf(calendarPathOf(calendarUrl), name);
  try {
    const result = normalizeCalendar(obj.data, {
      resource: { id: ctx.resource.id, bookedBy: ctx.resource.bookedBy },
      timezone: state.tz,
      window: ctx.window,
      idPrefix: prefix,
    });
    return {
      name, prefix, ok: true as const, bookings: result.bookings, skipped: result.skipped,
      object: objectState(prefix, result.bookings.map((b) => b.externalId), obj.etag),
    };
  } catch (err) {
    return { name, prefix, ok: false as const, skipped: [{ externalId: `${prefix}`, reason: `unreadable calendar object: ${err instanceof Error ? err.message : String(err)}` }] };
  }
}

/**
 * Full pull of one calendar: a calendar-query over the window with the objects' text (one
 * request). `base` carries the sync-token and ctag read before the query (by discovery).
 */
export async function pullCalendarFull(
  ctx: PullContext, calendarUrl: string, base: Omit<CalendarState, 'objects'>,
): Promise<CalendarPull> {
  const state: CalendarState = { ...base, objects: {} };
  const out: CalendarPull = { bookings: [], removed: [], skipped: [], state };
  for (const obj of await queryWindowAndSeries(ctx.fetch, calendarUrl, ctx.window, true)) {
    if (obj.data === undefined) continue;
    const read = readObject(ctx, state, calendarUrl, { ...obj, data: obj.data });
    out.skipped.push(...read.skipped);
    if (!read.ok) {
      state.objects[read.name] = obj.etag === undefined ? { u: {} } : { e: obj.etag, u: {} };
      continue;
    }
    out.bookings.push(...read.bookings);
    state.objects[read.name] = read.object;
  }
  return out;
}

/**
 * Applies changed and removed objects to a calendar's state: a changed object's new bookings
 * replace all of its old ones (the old ids it no longer produces are reported removed), a
 * removed object's ids are all removed. Changed objects are fetched with one calendar-multiget.
 */
async function applyChanges(
  ctx: PullContext, calendarUrl: string, state: CalendarState, out: CalendarPull,
  changedUrls: string[], removedUrls: string[],
): Promise<void> {
  const calendarPath = calendarPathOf(calendarUrl);
  const forget = (name: string) => {
    out.removed.push(...externalIdsOf(idPrefixOf(calendarPath, name), state.objects[name]));
    delete state.objects[name];
  };
  for (const url of removedUrls) forget(objectNameOf(url, calendarUrl));
  for (const obj of await multiget(ctx.fetch, calendarUrl, changedUrls)) {
    const name = objectNameOf(obj.url, calendarUrl);
    if (obj.status === 404 || obj.status === 410) { forget(name); continue; }
    if (obj.data === undefined) {
      out.skipped.push({ externalId: idPrefixOf(calendarPath, name), reason: `the server returned no calendar data (status ${obj.status})` });
      continue;
    }
    const read = readObject(ctx, state, calendarUrl, { ...obj, data: obj.data });
    out.skipped.push(...read.skipped);
    const before: ObjectState | undefined = state.objects[name];
    if (!read.ok) {
      // Keep what the object booked before; remember the etag so it is not fetched again.
      state.objects[name] = { ...(before ?? { u: {} }), ...(obj.etag === undefined ? {} : { e: obj.etag }) };
      continue;
    }
    const now = new Set(read.bookings.map((b) => b.externalId));
    out.removed.push(...externalIdsOf(read.prefix, before).filter((id) => !now.has(id)));
    out.bookings.push(...read.bookings);
    state.objects[name] = read.object;
  }
}

/**
 * A calendar deleted (or renamed) at the source: the cursor is useless, and the full pull the core
 * runs next re-discovers the calendars and names what is there.
 */
const calendarGone = (calendarUrl: string) =>
  new CursorRejectedError(`calendar ${new URL(calendarUrl).pathname} is not on the CalDAV server any more (404)`);

/** Sync-collection delta; returns false when the server turns out not to support it. */
async function syncDelta(ctx: PullContext, calendarUrl: string, state: CalendarState, out: CalendarPull): Promise<boolean> {
  let token = state.syncToken;
  if (token === undefined) return false;
  const changed = new Map<string, DavObject>();
  const removed = new Set<string>();
  for (let round = 0; round < MAX_SYNC_ROUNDS; round += 1) {
    const answer = await syncReport(ctx.fetch, calendarUrl, token);
    if (answer.kind === 'gone') throw calendarGone(calendarUrl);
    if (answer.kind === 'invalid-token') {
      throw new CursorRejectedError(`the CalDAV server no longer accepts the sync token of ${new URL(calendarUrl).pathname} (${answer.status})`);
    }
    if (answer.kind === 'unsupported') {
      if (round > 0) throw new Error(`sync-collection on ${new URL(calendarUrl).pathname} stopped working mid-sync (${answer.status})`);
      return false;
    }
    for (const c of answer.changed) { changed.set(c.url, c); removed.delete(c.url); }
    for (const r of answer.removed) { removed.add(r); changed.delete(r); }
    token = answer.syncToken;
    if (!answer.truncated) break;
  }
  // An object whose etag we already hold (our own write read back, a touch) need not be fetched.
  const toFetch = [...changed.values()].filter((c) => {
    const known = state.objects[objectNameOf(c.url, calendarUrl)];
    return c.etag === undefined || known?.e !== c.etag;
  }).map((c) => c.url);
  await applyChanges(ctx, calendarUrl, state, out, toFetch, [...removed]);
  state.syncToken = token;
  return true;
}

/** The getctag + etag fallback: one PROPFIND when nothing changed; else an etag listing of the window. */
async function ctagDelta(ctx: PullContext, calendarUrl: string, state: CalendarState, out: CalendarPull): Promise<void> {
  const { ctag } = await collectionState(ctx.fetch, calendarUrl).catch((err: unknown) => {
    throw err instanceof DavStatusError && err.status === 404 ? calendarGone(calendarUrl) : err;
  });
  if (ctag !== undefined && state.ctag === ctag) return;
  const listing = await queryWindowAndSeries(ctx.fetch, calendarUrl, ctx.window, false);
  const present = new Map(listing.map((o) => [objectNameOf(o.url, calendarUrl), o]));
  const changed = [...present.entries()]
    .filter(([name, o]) => o.etag === undefined || state.objects[name]?.e !== o.etag)
    .map(([, o]) => o.url);
  // Objects no longer in the window's listing were deleted or moved out of the window.
  const removed = Object.keys(state.objects).filter((name) => !present.has(name))
    .map((name) => new URL(name, calendarUrl.endsWith('/') ? calendarUrl : `${calendarUrl}/`).href);
  await applyChanges(ctx, calendarUrl, state, out, changed, removed);
  if (ctag === undefined) delete state.ctag;
  else state.ctag = ctag;
}

/**
 * Delta pull of one calendar from its cursor state. An unchanged calendar costs one request: the
 * sync-collection REPORT with the stored token (nothing changed), or in ctag mode one PROPFIND.
 * A server that answers the REPORT with "not supported" is switched to ctag mode for good.
 */
export async function pullCalendarDelta(ctx: PullContext, calendarUrl: string, previous: CalendarState): Promise<CalendarPull> {
  const state: CalendarState = structuredClone(previous);
  const out: CalendarPull = { bookings: [], removed: [], skipped: [], state };
  if (state.mode === 'sync') {
    if (await syncDelta(ctx, calendarUrl, state, out)) return out;
    ctx.log.info({ calendar: new URL(calendarUrl).pathname }, 'the CalDAV server does not support sync-collection here: using getctag and etags');
    state.mode = 'ctag';
    delete state.syncToken;
  }
  await ctagDelta(ctx, calendarUrl, state, out);
  return out;
}
