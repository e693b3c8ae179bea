import { randomUUID } from 'node:crypto';
import { calendar, type calendar_v3 } from '@googleapis/calendar';
import { addDays } from '../../src/domain/index.js';
import { AdapterAuthError, AdapterUnavailableError, CursorRejectedError } from '../../src/core/adapter/errors.js';
import type {
  AdapterContext, PullRequest, PullResult, PushSubscription, SourceAdapter, SourceBooking, SourceResource, WatchRequest, WriteRequest,
} from '../../src/core/adapter/port.js';
import { createGoogleAuth, type GoogleAuth } from './auth.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import { httpFailure, isApiUnauthorized, translateError } from './errors.js';
import { eventIdFor, externalIdOf, parseExternalId } from './ids.js';
import { HUB_QUANTITY, HUB_RESERVATION, mapEvent } from './mapper.js';
import { DEFAULT_BASE_URL, googleSourceSchema, type GoogleSettings } from './settings.js';

/**
 * The Google Calendar adapter (DESIGN §5, §6) over the `@googleapis/calendar` client.
 *
 * Pull: per calendar, events.list with `singleEvents=true` (recurring series arrive as instances)
 * and `showDeleted=true`; a full pull bounds the listing by the window (timeMin/timeMax), an
 * incremental one sends the calendar's sync token instead (Google refuses both together). Pages are
 * followed to the last one, which alone carries `nextSyncToken`. An unchanged calendar costs one
 * request. `req.throttle()` precedes every Calendar API request; token refreshes are not Calendar
 * API quota and are not throttled.
 *
 * Write-back: events.insert with an id derived from the idempotency key; 409 `duplicate` means an
 * earlier attempt created it. Cancel: events.delete; 404/410 mean it is already gone.
 */

export interface GoogleAdapterDeps {
  /** Per-request timeout in ms (API and token requests); default 30 s. */
  timeoutMs?: number;
  /** events.list page size; default 2500, Google's maximum (fewer requests per full pull). */
  pageSize?: number;
  /** The wait reported for a rate limit that came without Retry-After; default 30 s. */
  defaultRetryAfterMs?: number;
  /** A larger answer (one page of events, a token) is refused as unavailable; default the helper's 20 MB. */
  maxBodyBytes?: number;
}

const DEFAULTS = { timeoutMs: 30_000, pageSize: 2500, defaultRetryAfterMs: 30_000 };
/** A listing this long is a loop, not a calendar. */
const MAX_PAGES = 10_000;

interface Session { auth: GoogleAuth; api: calendar_v3.Calendar }

/** Tells `call` which failures are answers, not errors (409 on insert, 404/410 on delete). */
type Tolerate = (status: number, reasons: string[]) => boolean;

export function createGoogleAdapter(ctx: AdapterContext<GoogleSettings>, deps: GoogleAdapterDeps = {}): SourceAdapter {
  // The site's byte limit (`limits.maxBytes`) unless a test hands in its own.
  const opts = { ...DEFAULTS, ...(ctx.limits ? { maxBodyBytes: ctx.limits.maxBytes } : {}), ...deps };
  const rootUrl = ctx.settings.baseUrl ?? DEFAULT_BASE_URL;
  let session: Session | null = null;

  function open(): Session {
    if (session) return session;
    let auth: GoogleAuth;
    try {
      auth = createGoogleAuth(ctx.settings.credentials, { timeoutMs: opts.timeoutMs, maxBodyBytes: opts.maxBodyBytes });
    } catch (err) {
      throw new AdapterAuthError(`google: cannot load the credential: ${(err as Error).message}`);
    }
    // rootUrl per service (a global option is ignored); retry: false so the hub's backoff is the only one.
    const api = calendar({ version: 'v3', auth: auth.client, rootUrl, retry: false, timeout: opts.timeoutMs });
    session = { auth, api };
    return session;
  }

  /**
   * One Calendar API call: throttled, with one token refresh and retry on a 401 (a stale access
   * token), errors translated. Returns null for tolerated failures.
   */
  async function call<T>(
    what: string,
    req: { throttle(): Promise<void>; signal: AbortSignal },
    op: (api: calendar_v3.Calendar, signal: AbortSignal) => Promise<{ data: T }>,
    tolerate?: Tolerate,
  ): Promise<T | null> {
    const s = open();
    for (let attempt = 0; ; attempt++) {
      await req.throttle();
      // gaxios drops a signal that is already aborted when a timeout is set: check it here.
      req.signal.throwIfAborted();
      try {
        return (await op(s.api, req.signal)).data;
      } catch (err) {
        if (req.signal.aborted) throw req.signal.reason;
        const f = httpFailure(err);
        if (f && !f.fromTokenEndpoint && tolerate?.(f.status, f.reasons)) return null;
        if (attempt === 0 && isApiUnauthorized(err)) {
          s.auth.forceRefresh();
          continue;
        }
        throw translateError(err, what, opts.defaultRetryAfterMs);
      }
    }
  }

  function calendarOf(resource: SourceResource): string {
    const parsed = googleSourceSchema.safeParse(resource.mapping);
    if (!parsed.success) throw new Error(`google: resource ${resource.id} has no valid source.calendarId`);
    return parsed.data.calendarId;
  }

  /** Every page of one calendar's listing; the sync token comes with the last page. */
  async function listCalendar(req: PullRequest, calendarId: string, syncToken: string | null) {
    const items: calendar_v3.Schema$Event[] = [];
    const what = `google: calendar ${calendarId}: events.list`;
    let pageToken: string | undefined;
    for (let page = 0; page < MAX_PAGES; page++) {
      const params: calendar_v3.Params$Resource$Events$List = {
        calendarId,
        singleEvents: true,
        showDeleted: true,
        maxResults: opts.pageSize,
        ...(syncToken !== null
          ? { syncToken }
          : { timeMin: new Date(req.window.start).toISOString(), timeMax: new Date(req.window.end).toISOString() }),
        ...(pageToken !== undefined ? { pageToken } : {}),
      };
      const data = (await call(what, req, (api, signal) => api.events.list(params, { signal })))!;
      items.push(...(data.items ?? []));
      if (data.nextPageToken) {
        pageToken = data.nextPageToken;
        continue;
      }
      if (!data.nextSyncToken) throw new AdapterUnavailableError(`${what}: the last page carried no nextSyncToken`);
      return { items, nextSyncToken: data.nextSyncToken };
    }
    throw new AdapterUnavailableError(`${what}: more than ${MAX_PAGES} pages`);
  }

  /** Calendar → the resource it feeds; a calendar named twice feeds only its first resource. */
  function calendarsOf(resources: readonly SourceResource[]): Map<string, SourceResource> {
    const out = new Map<string, SourceResource>();
    for (const r of resources) {
      const id = calendarOf(r);
      if (out.has(id)) ctx.log.warn({ site: ctx.siteId, resource: r.id, calendarId: id }, 'google: calendar already feeds another resource; ignored for this one');
      else out.set(id, r);
    }
    return out;
  }

  return {
    kind: 'google',
    writable: true,

    /**
     * events.watch per calendar (https://developers.google.com/calendar/api/guides/push): a
     * channel id of our own (a UUID), a random token Google echoes in X-Goog-Channel-Token, and
     * the requested expiration; Google answers the resourceId and the expiration it granted.
     */
    async watch(req: WatchRequest): Promise<PushSubscription[]> {
      const out: PushSubscription[] = [];
      for (const calendarId of calendarsOf(req.site.resources).keys()) {
        if (req.only && !req.only.includes(calendarId)) continue;
        const id = randomUUID();
        const token = req.token();
        const requestBody = { id, type: 'web_hook', address: req.address, token, expiration: String(Date.now() + req.ttlMs) };
        const data = (await call(`google: calendar ${calendarId}: events.watch`, req,
          (api, signal) => api.events.watch({ calendarId, requestBody }, { signal })))!;
        const granted = Number(data.expiration);
        out.push({
          id, token, target: calendarId, ...(data.resourceId ? { resourceId: data.resourceId } : {}),
          ...(Number.isFinite(granted) && granted > 0 ? { expiresAt: granted } : {}),
        });
      }
      return out;
    },

    /** channels.stop; a channel Google no longer knows (404) is stopped already. */
    async unwatch(sub: PushSubscription, req): Promise<void> {
      await call(`google: channels.stop ${sub.id}`, req,
        (api, signal) => api.channels.stop({ requestBody: { id: sub.id, ...(sub.resourceId ? { resourceId: sub.resourceId } : {}) } }, { signal }),
        (status) => status === 404);
    },

    async pull(req: PullRequest): Promise<PullResult> {
      const previous = req.cursor === null ? null : decodeCursor(req.cursor);
      if (req.cursor !== null && previous === null) throw new CursorRejectedError('google: unreadable cursor; a full resync is needed');
      const mode = previous === null ? 'full' : 'delta';
      const bookings = new Map<string, SourceBooking>();
      const removed = new Set<string>();
      const skipped: PullResult['skipped'] = [];
      const next: Record<string, string> = {};
      const series: Record<string, string[]> = {};
      for (const [calendarId, resource] of calendarsOf(req.site.resources)) {
        // A calendar the cursor does not know yet (a resource added since) is listed in full.
        const { items, nextSyncToken } = await listCalendar(req, calendarId, previous?.calendars[calendarId] ?? null);
        next[calendarId] = nextSyncToken;
        // Series seen in this calendar. A single event made recurring comes back as its instances
        // only (`<id>_<stamp>`), never as a removal of the event `<id>` it was: instances of a
        // series not seen before remove that id (a no-op when it never was a booking).
        const known = new Set(mode === 'delta' ? previous?.series?.[calendarId] ?? [] : []);
        const singles: string[] = [];
        for (const item of items) {
          const master = typeof item.recurringEventId === 'string' && item.recurringEventId !== '' ? item.recurringEventId : null;
          if (master !== null && !known.has(master)) {
            known.add(master);
            const single = externalIdOf(calendarId, master);
            if (mode === 'delta' && !bookings.has(single)) removed.add(single);
          } else if (master === null && typeof item.id === 'string' && item.status !== 'cancelled') {
            singles.push(item.id);
          }
          const m = mapEvent(item, { calendarId, resource, timezone: req.site.timezone });
          if (m.kind === 'skipped') {
            skipped.push({ externalId: m.externalId, reason: m.reason });
            continue;
          }
          const externalId = m.kind === 'removed' ? m.externalId : m.booking.externalId;
          if (m.kind === 'booking' && m.end > req.window.start && m.start < req.window.end) {
            removed.delete(externalId);
            bookings.set(externalId, m.booking);
          } else if (mode === 'delta') {
            // Deleted, or moved out of the window: either way the hub must forget it.
            bookings.delete(externalId);
            removed.add(externalId);
          }
        }
        for (const id of singles) known.delete(id); // a series made single again
        if (known.size > 0) series[calendarId] = [...known];
      }
      const cursor = encodeCursor({ v: 1, calendars: next, ...(Object.keys(series).length > 0 ? { series } : {}) });
      return { mode, bookings: [...bookings.values()], removed: [...removed], counts: [], cursor, skipped };
    },

    async reserve(req: WriteRequest): Promise<{ externalId: string }> {
      const calendarId = calendarOf(req.resource);
      const id = eventIdFor(req.idempotencyKey);
      const requestBody = eventBody(req, id);
      await call(`google: calendar ${calendarId}: events.insert`, req,
        (api, signal) => api.events.insert({ calendarId, requestBody, sendUpdates: 'none' }, { signal }),
        (status, reasons) => status === 409 && (reasons.length === 0 || reasons.includes('duplicate')));
      return { externalId: externalIdOf(calendarId, id) };
    },

    async cancel(req: WriteRequest & { externalId: string }): Promise<void> {
      const ref = parseExternalId(req.externalId);
      if (!ref) throw new Error(`google: not a Google external id: ${req.externalId}`);
      await call(`google: calendar ${ref.calendarId}: events.delete`, req,
        (api, signal) => api.events.delete({ calendarId: ref.calendarId, eventId: ref.eventId, sendUpdates: 'none' }, { signal }),
        (status) => status === 404 || status === 410);
    },

    async close(): Promise<void> {
      session = null;
    },
  };
}

/** The event a write-back creates: busy, tagged with the reservation so pulls recognise it. */
function eventBody(req: WriteRequest, id: string): calendar_v3.Schema$Event {
  const name = typeof req.customer?.name === 'string' && req.customer.name.trim() !== '' ? req.customer.name.trim() : null;
  const body: calendar_v3.Schema$Event = {
    id,
    status: 'confirmed',
    transparency: 'opaque',
    summary: name ? `${name} (via Availability Hub)` : 'Reserved via Availability Hub',
    description: `Reservation ${req.reservationId}, made through Availability Hub.`,
    extendedProperties: { private: { [HUB_RESERVATION]: req.reservationId, [HUB_QUANTITY]: String(req.quantity) } },
  };
  if (req.span.by === 'time') {
    body.start = { dateTime: new Date(req.span.start).toISOString(), timeZone: req.site.timezone };
    body.end = { dateTime: new Date(req.span.end).toISOString(), timeZone: req.site.timezone };
  } else {
    const nights = [...req.span.nights].sort();
    if (nights.length === 0) throw new Error(`google: reservation ${req.reservationId} has no nights`);
    body.start = { date: nights[0]! };
    body.end = { date: addDays(nights[nights.length - 1]!, 1) };
  }
  return body;
}
