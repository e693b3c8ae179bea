import { CursorRejectedError } from '../../src/core/adapter/errors.js';
import type {
  AdapterContext, PullRequest, PullResult, SourceAdapter, SourceResource, SourceSite, WriteRequest,
} from '../../src/core/adapter/port.js';
import { formatCursor, parseCursor, type CaldavCursor, type CalendarState } from './cursor.js';
import { discoverCalendars, matchCalendar } from './discovery.js';
import { objectPathOfExternalId, reservationObjectName } from './ids.js';
import { pullCalendarDelta, pullCalendarFull, type CalendarPull, type PullContext } from './pull.js';
import { caldavSource, type CaldavSettings } from './settings.js';
import { classifyError, createTransport, type Fetch } from './transport.js';
import { cancelAt, reserveAt } from './write.js';

/** What a test (or another deployment) may hand in instead of the defaults. */
export interface CaldavDeps {
  /** The fetch under the transport (default: the global one). */
  fetch?: Fetch;
  /** Per request, headers and body (default 20 s). */
  timeoutMs?: number;
}

interface KnownCalendar { ref: string; url: string; tz: string }

function refOf(resource: SourceResource): string {
  const parsed = caldavSource.safeParse(resource.mapping);
  if (!parsed.success) throw new Error(`resource "${resource.id}": its source needs { calendar: "<calendar path or display name>" }`);
  return parsed.data.calendar;
}

class CaldavAdapter implements SourceAdapter {
  readonly kind = 'caldav';
  readonly writable = true;
  /** Resource id → its calendar, from the last discovery or cursor; spares write-backs a discovery. */
  private readonly known = new Map<string, KnownCalendar>();

  constructor(private readonly ctx: AdapterContext<CaldavSettings>, private readonly deps: CaldavDeps) {}

  private transport(req: { throttle(): Promise<void>; signal: AbortSignal }): Fetch {
    return createTransport({
      fetch: this.deps.fetch ?? globalThis.fetch,
      username: this.ctx.settings.username,
      password: this.ctx.settings.password,
      throttle: () => req.throttle(),
      signal: req.signal,
      timeoutMs: this.deps.timeoutMs ?? 20_000,
    });
  }

  async pull(req: PullRequest): Promise<PullResult> {
    const fetch = this.transport(req);
    try {
      return req.cursor === null ? await this.fullPull(req, fetch) : await this.deltaPull(req, fetch, req.cursor);
    } catch (err) {
      throw classifyError(err, req.signal);
    }
  }

  private context(req: PullRequest, fetch: Fetch, resource: SourceResource): PullContext {
    return { fetch, window: req.window, resource, log: this.ctx.log };
  }

  private collect(result: PullResult, cursor: CaldavCursor, url: string, part: CalendarPull, ref: string): void {
    result.bookings.push(...part.bookings);
    result.removed.push(...part.removed);
    result.skipped.push(...part.skipped);
    cursor.calendars[url] = part.state;
    this.known.set(part.state.resource, { ref, url, tz: part.state.tz });
  }

  /** Discovery, then one calendar-query over the window per resource. */
  private async fullPull(req: PullRequest, fetch: Fetch): Promise<PullResult> {
    const calendars = await discoverCalendars(this.ctx.settings, fetch);
    const cursor: CaldavCursor = { v: 1, calendars: {} };
    const result: PullResult = { mode: 'full', bookings: [], removed: [], counts: [], cursor: null, skipped: [] };
    const owner = new Map<string, string>();
    for (const resource of req.site.resources) {
      const ref = refOf(resource);
      const cal = matchCalendar(resource.id, ref, calendars);
      const other = owner.get(cal.url);
      if (other !== undefined) throw new Error(`resources "${other}" and "${resource.id}" both map to calendar ${cal.path}; each resource needs its own calendar`);
      owner.set(cal.url, resource.id);
      const base: Omit<CalendarState, 'objects'> = {
        resource: resource.id, ref, tz: cal.timezone ?? req.site.timezone, mode: cal.syncToken !== undefined ? 'sync' : 'ctag',
        ...(cal.syncToken !== undefined ? { syncToken: cal.syncToken } : {}),
        ...(cal.ctag !== undefined ? { ctag: cal.ctag } : {}),
      };
      this.collect(result, cursor, cal.url, await pullCalendarFull(this.context(req, fetch, resource), cal.url, base), ref);
    }
    result.cursor = formatCursor(cursor);
    return result;
  }

  /** From the cursor alone (no discovery): one request per unchanged calendar. */
  private async deltaPull(req: PullRequest, fetch: Fetch, text: string): Promise<PullResult> {
    const previous = parseCursor(text);
    const byResource = new Map(Object.entries(previous.calendars).map(([url, state]) => [state.resource, { url, state }]));
    const plan = req.site.resources.map((resource) => {
      const ref = refOf(resource);
      const entry = byResource.get(resource.id);
      if (!entry || entry.state.ref !== ref) throw new CursorRejectedError(`the cursor does not cover resource "${resource.id}" on calendar "${ref}" (configuration changed)`);
      return { resource, ref, ...entry };
    });
    const cursor: CaldavCursor = { v: 1, calendars: {} };
    const result: PullResult = { mode: 'delta', bookings: [], removed: [], counts: [], cursor: null, skipped: [] };
    for (const { resource, ref, url, state } of plan) {
      this.collect(result, cursor, url, await pullCalendarDelta(this.context(req, fetch, resource), url, state), ref);
    }
    result.cursor = formatCursor(cursor);
    return result;
  }

  private async calendarFor(site: SourceSite, resource: SourceResource, fetch: Fetch): Promise<KnownCalendar> {
    const ref = refOf(resource);
    const cached = this.known.get(resource.id);
    if (cached && cached.ref === ref) return cached;
    const cal = matchCalendar(resource.id, ref, await discoverCalendars(this.ctx.settings, fetch));
    const known = { ref, url: cal.url, tz: cal.timezone ?? site.timezone };
    this.known.set(resource.id, known);
    return known;
  }

  async reserve(req: WriteRequest): Promise<{ externalId: string }> {
    const fetch = this.transport(req);
    try {
      const cal = await this.calendarFor(req.site, req.resource, fetch);
      return await reserveAt(fetch, cal.url, cal.tz, req);
    } catch (err) {
      throw classifyError(err, req.signal);
    }
  }

  async cancel(req: WriteRequest & { externalId: string }): Promise<void> {
    const fetch = this.transport(req);
    try {
      const path = objectPathOfExternalId(req.externalId);
      let url: string;
      if (path !== null) {
        const name = path.slice(path.lastIndexOf('/') + 1);
        if (!name.startsWith('avhub-')) throw new Error(`refusing to delete ${path}: the hub only removes events it wrote (avhub-*.ics)`);
        url = new URL(path, this.known.get(req.resource.id)?.url ?? this.ctx.settings.url).href;
      } else {
        const cal = await this.calendarFor(req.site, req.resource, fetch);
        url = new URL(reservationObjectName(req.idempotencyKey), cal.url).href;
      }
      await cancelAt(fetch, url);
    } catch (err) {
      throw classifyError(err, req.signal);
    }
  }

  async close(): Promise<void> {
    this.known.clear();
  }
}

/** The CalDAV adapter for one site. */
export function createCaldavAdapter(ctx: AdapterContext<CaldavSettings>, deps: CaldavDeps = {}): SourceAdapter {
  return new CaldavAdapter(ctx, deps);
}
