import type { PullRequest, PullResult, SourceBooking, SourceCount } from '../../src/core/adapter/port.js';
import type { MewsCall } from './client.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import { availabilityResult, intervalOf, toBooking, toCounts } from './mapper.js';
import { closedNights, mewsRestriction, restrictionsPage, type MewsRestriction } from './restrictions.js';
import { ALL_STATES, LIVE_STATES, fetchReservations, type ReservationFilter } from './reservations.js';
import { mewsSource, type MewsSettings } from './settings.js';
import { chunk, splitInterval, timeUnitStartUtc, windowNights } from './time-units.js';

/**
 * One poll of a Mews property: per-night counts of every mapped room type over the whole window
 * (services/getAvailability, at most 367 time units per call), stop-sell nights from the
 * restrictions (restrictions/getAll, restrictions.ts says which count) and the reservations
 * (reservations/getAll/2023-06-06): colliding with the window on a full pull, updated since the
 * cursor on an incremental one.
 */

/** Documented maximum interval of Get service availability for a Day service. */
const MAX_TIME_UNITS_PER_CALL = 367;
/** Time-interval filters may span at most 3 months; 89 days always fits. */
const MAX_FILTER_MS = 89 * 86_400_000;
/** Re-read changes this far before the cursor: clock skew and writes still in flight at Mews. */
const UPDATED_OVERLAP_MS = 2 * 60_000;

export interface PullDeps {
  settings: MewsSettings;
  call: MewsCall;
  now?: () => number;
}

/** Mews resource category id → the site's resource for it (the first one, if several). */
function resourcesByCategory(req: Pick<PullRequest, 'site'>): Map<string, string> {
  const map = new Map<string, string>();
  for (const r of req.site.resources) {
    const parsed = mewsSource.safeParse(r.mapping);
    if (parsed.success && !map.has(parsed.data.resourceCategoryId)) map.set(parsed.data.resourceCategoryId, r.id);
  }
  return map;
}

export async function pullMews(deps: PullDeps, req: PullRequest): Promise<PullResult> {
  const now = deps.now ?? Date.now;
  const started = now();
  const since = req.cursor === null ? null : decodeCursor(req.cursor, started);
  const tz = req.site.timezone;
  const resources = resourcesByCategory(req);
  const ctx = { signal: req.signal, throttle: req.throttle };
  const iso = (ms: number) => new Date(ms).toISOString();

  const counts: SourceCount[] = [];
  if (resources.size > 0) {
    for (const dates of chunk(windowNights(req.window, tz), MAX_TIME_UNITS_PER_CALL)) {
      const raw = await deps.call('services/getAvailability', {
        ServiceId: deps.settings.serviceId,
        FirstTimeUnitStartUtc: timeUnitStartUtc(dates[0]!, tz),
        LastTimeUnitStartUtc: timeUnitStartUtc(dates[dates.length - 1]!, tz),
      }, ctx);
      const parsed = availabilityResult.safeParse(raw);
      if (!parsed.success) throw new Error(`mews: services/getAvailability answered an unexpected shape: ${parsed.error.message}`);
      counts.push(...toCounts(parsed.data, resources, tz));
    }
    await markStopSell(deps, req, resources, counts, ctx);
  }

  const filters: ReservationFilter[] = since === null
    ? splitInterval(req.window, MAX_FILTER_MS).map((i) => ({ CollidingUtc: { StartUtc: iso(i.start), EndUtc: iso(i.end) }, States: LIVE_STATES }))
    : [{ UpdatedUtc: { StartUtc: iso(since - UPDATED_OVERLAP_MS), EndUtc: iso(started + UPDATED_OVERLAP_MS) }, States: ALL_STATES }];

  const bookings = new Map<string, SourceBooking>();
  const removed = new Set<string>();
  const skipped: PullResult['skipped'] = [];
  for (const filter of filters) {
    const fetched = await fetchReservations(deps, filter, ctx);
    skipped.push(...fetched.unreadable);
    for (const r of fetched.reservations) {
      if (bookings.has(r.Id) || removed.has(r.Id)) continue;
      const resource = resources.get(r.RequestedResourceCategoryId);
      const span = intervalOf(r);
      const inWindow = span !== undefined && span.start < req.window.end && span.end > req.window.start;
      if (r.ServiceId !== deps.settings.serviceId || resource === undefined || !inWindow) {
        // Not (or no longer) ours to track: on an incremental pull it may have moved away from us.
        if (since !== null) removed.add(r.Id);
        continue;
      }
      try {
        bookings.set(r.Id, toBooking(r, resource, tz));
      } catch (err) {
        skipped.push({ externalId: r.Id, reason: err instanceof Error ? err.message : String(err) });
      }
    }
  }

  return {
    mode: since === null ? 'full' : 'delta',
    bookings: [...bookings.values()],
    removed: [...removed],
    counts,
    cursor: encodeCursor(started),
    skipped,
  };
}

/** Restrictions per request (`Limitation.Count`, at most 1000 per the pagination guidelines). */
const RESTRICTIONS_PAGE = 1000;

/**
 * Marks the counts of nights a restriction closes (`closed: true`), as apaleo's closed rates do.
 * `restrictions/getAll` takes `ServiceIds` and `Limitation` (required), `CollidingUtc` (at most 3
 * months) and `RateIds`; pages follow `Cursor` until a page is short.
 */
async function markStopSell(deps: PullDeps, req: PullRequest, resources: Map<string, string>, counts: SourceCount[],
  ctx: { signal: AbortSignal; throttle: () => Promise<void> }): Promise<void> {
  const restrictions: MewsRestriction[] = [];
  const rateId = deps.settings.rateId;
  for (const i of splitInterval(req.window, MAX_FILTER_MS)) {
    let cursor: string | undefined;
    for (;;) {
      const raw = await deps.call('restrictions/getAll', {
        ServiceIds: [deps.settings.serviceId],
        ...(deps.settings.enterpriseId ? { EnterpriseIds: [deps.settings.enterpriseId] } : {}),
        CollidingUtc: { StartUtc: new Date(i.start).toISOString(), EndUtc: new Date(i.end).toISOString() },
        ...(rateId ? { RateIds: [rateId] } : {}),
        Limitation: { Count: RESTRICTIONS_PAGE, ...(cursor ? { Cursor: cursor } : {}) },
      }, ctx);
      const page = restrictionsPage.safeParse(raw);
      if (!page.success) throw new Error(`mews: restrictions/getAll answered an unexpected shape: ${page.error.message}`);
      for (const item of page.data.Restrictions) {
        const r = mewsRestriction.safeParse(item);
        // One unreadable restriction must not hide the others; it cannot close anything unread.
        if (r.success && r.data.ServiceId === deps.settings.serviceId) restrictions.push(r.data);
      }
      if (page.data.Restrictions.length < RESTRICTIONS_PAGE || !page.data.Cursor) break;
      cursor = page.data.Cursor;
    }
  }
  const byKey = new Map(counts.map((c) => [`${c.resource}|${c.date}`, c]));
  for (const { resource, date } of closedNights(restrictions, resources, windowNights(req.window, req.site.timezone), req.site.timezone, rateId !== undefined)) {
    const count = byKey.get(`${resource}|${date}`);
    if (count) count.closed = true;
    else counts.push({ resource, date, available: 0, closed: true });
  }
}
