import { createHash } from 'node:crypto';
import { addDays, datesCovering } from '../../src/domain/index.js';
import type { LocalDate } from '../../src/domain/index.js';
import type { PullRequest, PullResult, SourceBooking, SourceCount } from '../../src/core/adapter/port.js';
import type { ApaleoClient, CallContext } from './client.js';
import { formatCursor, isoSeconds, parseCursor } from './cursor.js';
import type { ApaleoCursor } from './cursor.js';
import {
  closedNights, toSourceBooking, toSourceCounts,
} from './mapper.js';
import type { ApaleoAvailabilitySlice, ApaleoRate, ApaleoReservation } from './mapper.js';
import { apaleoSource } from './settings.js';
import type { ApaleoSettings } from './settings.js';

export interface PullOptions {
  /** Items per page; apaleo allows at most 200. */
  pageSize: number;
  /** Nights per availability or rates request. */
  chunkNights: number;
  /** How far before the source's clock an incremental cursor starts (whole seconds at apaleo). */
  overlapMs: number;
}

export interface PullDeps {
  client: ApaleoClient;
  settings: ApaleoSettings;
  options: PullOptions;
  /** The property's time zone (from apaleo); nights and stays are its local dates. */
  timezone(ctx: CallContext): Promise<string>;
}

interface Mapped {
  /** unit group id → hub resource ids. */
  byUnitGroup: Map<string, string[]>;
  /** rate plan id → hub resource ids whose stop-sell it carries. */
  byRatePlan: Map<string, string[]>;
  skipped: PullResult['skipped'];
}

function mapResources(req: PullRequest, settings: ApaleoSettings): Mapped {
  const m: Mapped = { byUnitGroup: new Map(), byRatePlan: new Map(), skipped: [] };
  for (const r of req.site.resources) {
    const parsed = apaleoSource.safeParse(r.mapping);
    if (!parsed.success) {
      m.skipped.push({ externalId: `resource:${r.id}`, reason: `source mapping: ${parsed.error.issues[0]?.message ?? 'invalid'}` });
      continue;
    }
    const add = (map: Map<string, string[]>, key: string) => map.set(key, [...(map.get(key) ?? []), r.id]);
    add(m.byUnitGroup, parsed.data.unitGroupId);
    const ratePlan = parsed.data.ratePlanId ?? settings.ratePlanId;
    if (ratePlan) add(m.byRatePlan, ratePlan);
  }
  return m;
}

/** Splits the window's nights into runs of at most `size`; `to` is the run's last night. */
function chunks(nights: readonly LocalDate[], size: number): Array<{ from: LocalDate; to: LocalDate }> {
  const out: Array<{ from: LocalDate; to: LocalDate }> = [];
  for (let i = 0; i < nights.length; i += size) {
    const part = nights.slice(i, i + size);
    out.push({ from: part[0]!, to: part[part.length - 1]! });
  }
  return out;
}

/**
 * Reads every page of a list: apaleo pages are 1-based, report the total in `count`, and answer
 * an empty page with 204. Also returns the server clock of the first answer.
 */
async function allPages<T>(deps: PullDeps, path: string, query: Record<string, string | number | undefined>,
  key: string, ctx: CallContext): Promise<{ items: T[]; serverTime: number | null }> {
  const items: T[] = [];
  let serverTime: number | null = null;
  for (let page = 1; ; page++) {
    const res = await deps.client.get<Record<string, unknown>>(path, { ...query, pageNumber: page, pageSize: deps.options.pageSize }, ctx);
    if (page === 1) serverTime = res.serverTime;
    const list = res.data?.[key];
    const batch = Array.isArray(list) ? (list as T[]) : [];
    items.push(...batch);
    const count = typeof res.data?.count === 'number' ? res.data.count : undefined;
    if (batch.length < deps.options.pageSize || (count !== undefined && items.length >= count)) break;
  }
  return { items, serverTime };
}

async function pullCounts(deps: PullDeps, m: Mapped, nights: LocalDate[], tz: string, ctx: CallContext): Promise<SourceCount[]> {
  if (m.byUnitGroup.size === 0 || nights.length === 0) return [];
  const wanted = new Set(nights);
  const counts: SourceCount[] = [];
  const closed = new Set<string>();
  for (const range of chunks(nights, deps.options.chunkNights)) {
    const { items } = await allPages<ApaleoAvailabilitySlice>(deps, '/availability/v1/unit-groups', {
      propertyId: deps.settings.propertyId, from: range.from, to: range.to,
      unitGroupIds: [...m.byUnitGroup.keys()].join(','), timeSliceTemplate: 'OverNight',
    }, 'timeSlices', ctx);
    counts.push(...toSourceCounts(items, m.byUnitGroup, tz, wanted));
    for (const [ratePlan, resources] of m.byRatePlan) {
      // Unlike availability's, the rates `to` is exclusive ("rates whose from is earlier than"):
      // ask up to the day after the run's last night, or its stop-sell is never seen.
      const { items: rates } = await allPages<ApaleoRate>(deps, `/rateplan/v1/rate-plans/${encodeURIComponent(ratePlan)}/rates`,
        { from: range.from, to: addDays(range.to, 1) }, 'rates', ctx);
      for (const date of closedNights(rates, tz)) for (const r of resources) closed.add(`${r}|${date}`);
    }
  }
  for (const c of counts) if (closed.has(`${c.resource}|${c.date}`)) c.closed = true;
  return counts;
}

/**
 * A reservation version as the cursor remembers it: `id@modified#digest`. apaleo's `modified` has
 * whole seconds, so the digest of the mapped fields tells two changes within one second apart.
 */
function versionOf(r: ApaleoReservation): string {
  const digest = createHash('sha256')
    .update([r.status, r.arrival, r.departure, r.unitGroup?.id ?? '', r.externalCode ?? ''].join('|')).digest('hex').slice(0, 10);
  return `${r.id}@${r.modified ?? ''}#${digest}`;
}

/**
 * One poll of an apaleo property: per-night counts for the whole window (always: apaleo has no
 * change feed for availability), and reservations: every one staying in the window on a full
 * pull, or those modified since the cursor on an incremental one.
 */
export async function pullApaleo(deps: PullDeps, req: PullRequest): Promise<PullResult> {
  const ctx: CallContext = { throttle: () => req.throttle(), signal: req.signal };
  const cursor: ApaleoCursor | null = req.cursor === null ? null : parseCursor(req.cursor);
  const tz = await deps.timezone(ctx);
  const m = mapResources(req, deps.settings);
  const nights = datesCovering(req.window.start, req.window.end, tz);
  const counts = await pullCounts(deps, m, nights, tz, ctx);

  const query: Record<string, string | undefined> = {
    propertyIds: deps.settings.propertyId,
    unitGroupIds: [...m.byUnitGroup.keys()].join(','),
    sort: 'updated:asc',
  };
  if (cursor === null) {
    // Whole days around the window, so a stay is found whatever the offset of its times.
    Object.assign(query, {
      dateFilter: 'Stay',
      from: nights.length ? `${nights[0]}T00:00:00Z` : isoSeconds(req.window.start),
      to: nights.length ? `${addDays(nights[nights.length - 1]!, 2)}T00:00:00Z` : isoSeconds(req.window.end),
    });
  } else {
    Object.assign(query, { dateFilter: 'Modification', from: cursor.modifiedFrom });
  }
  const { items, serverTime } = m.byUnitGroup.size === 0
    ? { items: [] as ApaleoReservation[], serverTime: null }
    : await allPages<ApaleoReservation>(deps, '/booking/v1/reservations', query, 'reservations', ctx);

  const seenBefore = new Set(cursor?.seen ?? []);
  const windowNights = new Set(nights);
  const bookings: SourceBooking[] = [];
  const removed: string[] = [];
  const skipped = [...m.skipped];
  for (const r of items) {
    if (seenBefore.has(versionOf(r))) continue;
    const resources = r.unitGroup ? m.byUnitGroup.get(r.unitGroup.id) : undefined;
    if (!resources) continue; // another unit group: not a resource of the hub
    for (const resource of resources) {
      const b = toSourceBooking(r, resource, tz);
      if ('skip' in b) skipped.push({ externalId: r.id, reason: b.skip });
      else if (b.span.by === 'night' && !b.span.nights.some((d) => windowNights.has(d))) {
        // Outside the window (or moved out of it): gone as far as the window is concerned.
        if (cursor !== null && !removed.includes(r.id)) removed.push(r.id);
      } else bookings.push(b);
    }
  }

  // The next cursor starts just before the source's own clock (never before the last cursor).
  const clock = serverTime ?? Date.now();
  const fromMs = Math.max(cursor ? Date.parse(cursor.modifiedFrom) : Number.NEGATIVE_INFINITY, clock - deps.options.overlapMs);
  const modifiedFrom = isoSeconds(fromMs);
  const fromSec = Date.parse(modifiedFrom);
  const seen = items.filter((r) => r.modified && Date.parse(r.modified) >= fromSec).map(versionOf);
  // Versions already delivered before, still inside the overlap, stay remembered.
  for (const v of seenBefore) {
    const at = v.slice(v.indexOf('@') + 1, v.lastIndexOf('#'));
    if (Date.parse(at) >= fromSec && !seen.includes(v)) seen.push(v);
  }
  return {
    mode: cursor === null ? 'full' : 'delta',
    bookings, removed, counts, skipped,
    cursor: formatCursor({ v: 1, modifiedFrom, seen }),
  };
}
