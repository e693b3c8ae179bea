import type { Interval } from '../../src/domain/types.js';
import { CursorRejectedError } from '../../src/core/adapter/errors.js';
import type { PullResult, SourceBooking, SourceResource } from '../../src/core/adapter/port.js';
import { externalIdsOf, objectState, type CalendarState, type ObjectState } from './cursor.js';
import { collectionState, DavStatusError, multiget, queryWindowAndSeries, syncReport, type DavObject } from './dav.js';
import { calendarPathOf, idPrefixOf, objectNameOf } from './ids.js';
import type { NormalizedObject, NormalizeObjectsInput } from './multistatus.js';
import type { Transport } from './transport.js';
import type { OffThread } from '../../src/core/adapter/off-thread.js';

/** What one calendar contributes to a pull. */
export interface CalendarPull {
  bookings: SourceBooking[];
  removed: string[];
  skipped: PullResult['skipped'];
  state: CalendarState;
}

export interface PullContext {
  fetch: Transport;
  /** Where calendar objects are normalized (never on the event loop). */
  offThread: OffThread;
  signal: AbortSignal;
  parseTimeoutMs: number;
  window: Interval;
  resource: SourceResource;
  log: { info(obj: object, msg: string): void };
}

/** sync-collection answers truncated more often than this in one poll are left for the next poll. */
const MAX_SYNC_ROUNDS = 20;

type ObjectRead =
  | { name: string; prefix: string; ok: true; bookings: SourceBooking[]; skipped: CalendarPull['skipped']; object: ObjectState }
  | { name: string; prefix: string; ok: false; skipped: CalendarPull['skipped'] };

/**
 * Normalizes objects' texts in one job of the parse pool; per object its bookings, its state for
 * the cursor, and what was skipped (an unreadable object is skipped, never fatal).
 */
async function readObjects(ctx: PullContext, state: CalendarState, calendarUrl: string, objs: Array<DavObject & { data: string }>): Promise<ObjectRead[]> {
  if (objs.length === 0) return [];
  const named = objs.map((obj) => {
    const name = objectNameOf(obj.url, calendarUrl);
    return { obj, name, prefix: idPrefixOf(calendarPathOf(calendarUrl), name) };
  });
  const input: NormalizeObjectsInput = {
    items: named.map(({ obj, prefix }) => ({
      ics: obj.data,
      opts: { resource: { id: ctx.resource.id, bookedBy: ctx.resource.bookedBy }, timezone: state.tz, window: ctx.window, idPrefix: prefix },
    })),
  };
  const results = await ctx.offThread.run<NormalizedObject[]>('caldav/normalize', input, {
    what: `calendar ${new URL(calendarUrl).pathname}`, signal: ctx.signal, timeLimitMs: ctx.parseTimeoutMs,
    size: objs.reduce((n, o) => n + o.data.length, 0),
  });
  return named.map(({ obj, name, prefix }, i): ObjectRead => {
    const read = results[i]!;
    if (!read.ok) return { name, prefix, ok: false, skipped: [{ externalId: `${prefix}`, reason: `unreadable calendar object: ${read.error}` }] };
    return {
      name, prefix, ok: true, bookings: read.result.bookings, skipped: read.result.skipped,
      object: objectState(prefix, read.result.bookings.map((b) => b.externalId), obj.etag),
    };
  });
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
  const objs = (await queryWindowAndSeries(ctx.fetch, calendarUrl, ctx.window, true))
    .flatMap((obj) => (obj.data === undefined ? [] : [{ ...obj, data: obj.data }]));
  const reads = await readObjects(ctx, state, calendarUrl, objs);
  for (const [i, obj] of objs.entries()) {
    const read = reads[i]!;
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
  const withData: Array<DavObject & { data: string }> = [];
  for (const obj of await multiget(ctx.fetch, calendarUrl, changedUrls)) {
    const name = objectNameOf(obj.url, calendarUrl);
    if (obj.status === 404 || obj.status === 410) { forget(name); continue; }
    if (obj.data === undefined) {
      out.skipped.push({ externalId: idPrefixOf(calendarPath, name), reason: `the server returned no calendar data (status ${obj.status})` });
      continue;
    }
    withData.push({ ...obj, data: obj.data });
  }
  const reads = await readObjects(ctx, state, calendarUrl, withData);
  for (const [i, obj] of withData.entries()) {
    const name = objectNameOf(obj.url, calendarUrl);
    const read = reads[i]!;
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
