import {
  AdapterAuthError, AdapterError, AdapterRateLimitedError, AdapterUnavailableError, CursorRejectedError,
} from '../../src/core/adapter/errors.js';
import type {
  AdapterContext, AdapterLimits, PullRequest, PullResult, ResourceError, SourceAdapter, SourceResource, SourceSite, WriteRequest,
} from '../../src/core/adapter/port.js';
import { formatCursor, parseCursor, type CaldavCursor, type CalendarState } from './cursor.js';
import { discoverCalendars, matchCalendar, type FoundCalendar } from './discovery.js';
import { objectPathOfExternalId, reservationObjectName } from './ids.js';
import { pullCalendarDelta, pullCalendarFull, type CalendarPull, type PullContext } from './pull.js';
import { caldavSource, type CaldavSettings } from './settings.js';
import { classifyError, createTransport, type Fetch, type Transport } from './transport.js';
import { limitsOf, offThreadOf } from '../parsing/index.js';
import { cancelAt, reserveAt } from './write.js';

/** What a test (or another deployment) may hand in instead of the defaults. */
export interface CaldavDeps {
  /** The fetch under the transport (default: the global one). */
  fetch?: Fetch;
  /** Per request, headers and body (default: the site's limits.timeout, else 20 s). */
  timeoutMs?: number;
}

/** CalDAV's own defaults: a request is small and quick, or the server is struggling. */
export const CALDAV_LIMITS: Partial<AdapterLimits> = { timeoutMs: 20_000 };

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

  constructor(private readonly ctx: AdapterContext<CaldavSettings>, private readonly deps: CaldavDeps) {
    const limits = limitsOf(ctx, CALDAV_LIMITS);
    this.limits = deps.timeoutMs === undefined ? limits : { ...limits, timeoutMs: deps.timeoutMs };
  }

  private readonly limits: AdapterLimits;

  private transport(req: { throttle(): Promise<void>; signal: AbortSignal }): Transport {
    return createTransport({
      fetch: this.deps.fetch ?? globalThis.fetch,
      username: this.ctx.settings.username,
      password: this.ctx.settings.password,
      throttle: () => req.throttle(),
      signal: req.signal,
      timeoutMs: this.limits.timeoutMs,
      limits: this.limits,
      offThread: offThreadOf(this.ctx),
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

  private context(req: PullRequest, fetch: Transport, resource: SourceResource): PullContext {
    return {
      fetch, window: req.window, resource, log: this.ctx.log,
      offThread: offThreadOf(this.ctx), signal: req.signal, parseTimeoutMs: this.limits.parseTimeoutMs,
    };
  }

  private collect(result: PullResult, cursor: CaldavCursor, url: string, part: CalendarPull, ref: string): void {
    result.bookings.push(...part.bookings);
    result.removed.push(...part.removed);
    result.skipped.push(...part.skipped);
    cursor.calendars[url] = part.state;
    this.known.set(part.state.resource, { ref, url, tz: part.state.tz });
  }

  /**
   * Runs one resource's part of a pull. A failure that is the whole site's (credentials, a rate
   * limit, a rejected cursor, the pull's own abort) is thrown; any other is returned, so the other
   * resources still update (see `settle`).
   */
  private async attempt<T>(req: PullRequest, resource: SourceResource, origin: string, work: () => Promise<T>): Promise<T | ResourceError> {
    try {
      return await work();
    } catch (raw) {
      const err = classifyError(raw, req.signal);
      if (req.signal.aborted || err instanceof AdapterAuthError || err instanceof AdapterRateLimitedError || err instanceof CursorRejectedError) throw err;
      const message = err instanceof Error ? err.message : String(err);
      const code = err instanceof AdapterError ? err.code : 'ADAPTER.ERROR';
      // No quotes in what may become an alert's e-mail subject (they force MIME encoded-words).
      const named = message.includes(`"${resource.id}"`) ? message : `resource ${resource.id} (calendar ${origin}): ${message}`;
      return { resource: resource.id, origin, code, message: named };
    }
  }

  /**
   * What one failed resource means for the pull: every resource failed → the pull fails (the
   * site's health sees it); a full pull whose core does not keep failed resources → fails too,
   * naming the resource (a full answer without it would wipe its busy time); else it is reported.
   */
  private settle(req: PullRequest, result: PullResult, errors: ResourceError[], full: boolean): void {
    if (errors.length === 0) return;
    const first = errors[0]!;
    const fail = () => {
      const text = errors.map((e) => e.message).join('; ');
      throw first.code === 'ADAPTER.UNAVAILABLE' ? new AdapterUnavailableError(text) : new Error(text);
    };
    if (errors.length === req.site.resources.length) fail();
    if (full && req.partialResults !== true) fail();
    result.resourceErrors = errors;
    for (const e of errors) result.skipped.push({ externalId: `(calendar ${e.origin})`, reason: `not updated, last data kept: ${e.message}`, resource: e.resource });
  }

  /** Discovery, then one calendar-query over the window (and the recurring series) per resource. */
  private async fullPull(req: PullRequest, fetch: Transport): Promise<PullResult> {
    const calendars = await discoverCalendars(this.ctx.settings, fetch);
    const cursor: CaldavCursor = { v: 1, calendars: {} };
    const result: PullResult = { mode: 'full', bookings: [], removed: [], counts: [], cursor: null, skipped: [] };
    const owner = new Map<string, string>();
    const errors: ResourceError[] = [];
    for (const resource of req.site.resources) {
      const ref = refOf(resource);
      let cal: FoundCalendar;
      try {
        cal = matchCalendar(resource.id, ref, calendars);
      } catch (err) {
        // A calendar deleted or renamed at the source fails its resource only.
        errors.push({ resource: resource.id, origin: ref, code: 'ADAPTER.ERROR', message: err instanceof Error ? err.message : String(err) });
        continue;
      }
      const other = owner.get(cal.url);
      if (other !== undefined) throw new Error(`resources "${other}" and "${resource.id}" both map to calendar ${cal.path}; each resource needs its own calendar`);
      owner.set(cal.url, resource.id);
      const base: Omit<CalendarState, 'objects'> = {
        resource: resource.id, ref, tz: cal.timezone ?? req.site.timezone, mode: cal.syncToken !== undefined ? 'sync' : 'ctag',
        ...(cal.syncToken !== undefined ? { syncToken: cal.syncToken } : {}),
        ...(cal.ctag !== undefined ? { ctag: cal.ctag } : {}),
      };
      const part = await this.attempt(req, resource, cal.path, () => pullCalendarFull(this.context(req, fetch, resource), cal.url, base));
      if ('origin' in part) errors.push(part);
      else this.collect(result, cursor, cal.url, part, ref);
    }
    this.settle(req, result, errors, true);
    // A resource left out of a full answer has no state: the next poll is full again.
    result.cursor = errors.length > 0 ? null : formatCursor(cursor);
    return result;
  }

  /** From the cursor alone (no discovery): one request per unchanged calendar. */
  private async deltaPull(req: PullRequest, fetch: Transport, text: string): Promise<PullResult> {
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
    const errors: ResourceError[] = [];
    for (const { resource, ref, url, state } of plan) {
      const part = await this.attempt(req, resource, new URL(url).pathname, () => pullCalendarDelta(this.context(req, fetch, resource), url, state));
      if ('origin' in part) {
        errors.push(part);
        // Unchanged state: its bookings stay, and the next poll asks from the same point.
        cursor.calendars[url] = state;
      } else {
        this.collect(result, cursor, url, part, ref);
      }
    }
    this.settle(req, result, errors, false);
    result.cursor = formatCursor(cursor);
    return result;
  }

  private async calendarFor(site: SourceSite, resource: SourceResource, fetch: Transport): Promise<KnownCalendar> {
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
