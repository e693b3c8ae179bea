import {
  availabilityPieces, blockedByNotice, bookableNights, closedIntervals, datesCovering,
  isLocalDate, localMidnight, mergeIntervals, nightAvailability, nightRulesStableUntil, nightsOf,
  noticeStableUntil,
} from '../domain/index.js';
import type { HealthState, Interval } from '../domain/types.js';
import { prepareRead, type AvailabilityStore, type PreparedRead } from '../store/store.js';
import type { NightRead, RawRead, ReadAsk, TimeRead } from '../store/types.js';
import type { SiteConfig } from '../config/types.js';
import { ByteLru } from './answer-cache.js';
import type { RateTicket } from '../store/rate-limits.js';
import type { Catalog, CatalogEntry } from '../core/catalog.js';
import { HubError, invalid } from '../core/errors.js';
import { parseInstant } from './item-span.js';
import { healthTracked } from '../health/site-health.js';
import { healthStateOf } from '../store/sync-store.js';

/** Widest window one availability read may span. */
const MAX_WINDOW_DAYS = 366;

export interface AvailabilityQuery {
  sites: string[];
  resource?: string | undefined;
  group?: string | undefined;
  /** A local date (midnight at each site) or an ISO instant. */
  from: string;
  /** Exclusive; a local date or an ISO instant. */
  to: string;
}

interface NightView { date: string; available: number }
interface IntervalView { start: string; end: string; available: number }

export interface ResourceView {
  /** True when the site is limited and the group hides a limited site's last known data. */
  withheld?: boolean;
  id: string;
  name: string;
  kind: 'unit' | 'pool';
  group: string;
  capacity: number;
  nights?: NightView[];
  intervals?: IntervalView[];
}

export interface SiteView {
  id: string;
  name: string;
  timezone: string;
  health: HealthState;
  limited: boolean;
  /** The time of the data; null for a polled site that has not answered a poll yet. */
  asOf: string | null;
  resources: ResourceView[];
}

/** What the read path needs per (site, resource) to turn raw claims into an answer. */
interface Plan {
  entry: CatalogEntry;
  ask: ReadAsk;
  window: Interval;
  dates: string[];
}

/** A query resolved once: its sites, plans and the store read's arguments. */
interface Prepared {
  sites: SiteConfig[];
  plans: Plan[];
  /** Per site of `sites`: its index in the read's health list, or -1 (not health-tracked). */
  healthAt: number[];
  read: PreparedRead;
  bytes: number;
  answer?: KeptAnswer;
}

/**
 * A serialized answer and what it was computed from: it is the answer again while every ledger
 * is at the same version, site health reads the same, and the instant lies in [from, until) (the
 * rules depending on the clock, minimum notice and maximum advance, answer the same there).
 */
interface KeptAnswer {
  versions: string[];
  healthJson: string;
  from: number;
  until: number;
  /** The JSON as UTF-8, split where the instant of the read goes (`asOf` of sites the hub owns). */
  parts: Buffer[];
  /** The last answer rendered from `parts`, and its instant: reads in the same millisecond send it again. */
  rendered?: { at: number; bytes: Buffer };
}

/** Default bound on the prepared queries and serialized answers kept per process. */
const ANSWERS_KEPT_BYTES = 32 * 1024 * 1024;

/**
 * The availability answer (DESIGN §7): one store round trip for all asked sites, then the same
 * arithmetic the claiming script applies, in TypeScript. {@link readJson} keeps each query's
 * serialized answer and answers from it while nothing it depends on changed (ledger versions,
 * health, the clock's rule horizon), checked in that same round trip.
 */
export class AvailabilityService {
  /**
   * Closed parts of a window per resource's opening hours: a pure function of (hours, window,
   * zone), so kept per window (widgets ask the same windows over and over).
   */
  private readonly closed = new WeakMap<object, Map<string, Interval[]>>();
  private readonly kept: ByteLru<Prepared>;
  /** Each query object's key in `kept` (callers that ask with the same object skip encoding it). */
  private readonly keyOf = new WeakMap<AvailabilityQuery, string>();

  /**
   * `at`: the instant rules and `asOf` are judged at, from the read's Redis time (tests pin it).
   * `keptBytes`: bound on the prepared queries and serialized answers kept (least recently used go).
   */
  constructor(private readonly catalog: Catalog, private readonly store: AvailabilityStore,
    private readonly at: (redisNow: number) => number = (now) => now, keptBytes = ANSWERS_KEPT_BYTES) {
    this.kept = new ByteLru<Prepared>(keptBytes);
  }

  /** The answer as objects, computed in full (no kept answer). */
  async read(q: AvailabilityQuery, rate?: RateTicket): Promise<{ sites: SiteView[] }> {
    const prep = this.prepare(q);
    const raw = await this.store.readPrepared(prep.read, rate);
    return { sites: this.compute(prep, raw, this.at(raw.now)) };
  }

  /**
   * The answer as JSON (UTF-8 bytes), byte for byte `JSON.stringify` of {@link read}'s. `rate`: a
   * widget request's rate limit, counted by the read's own script (throws RateLimited).
   */
  async readJson(q: AvailabilityQuery, rate?: RateTicket): Promise<Buffer> {
    let key = this.keyOf.get(q);
    if (key === undefined) {
      key = JSON.stringify([q.sites, q.resource ?? null, q.group ?? null, q.from, q.to]);
      this.keyOf.set(q, key);
    }
    let prep = this.kept.get(key);
    if (!prep) {
      prep = this.prepare(q);
      this.kept.set(key, prep, prep.bytes);
    }
    const raw = await this.store.readPrepared(prep.read, rate);
    const now = this.at(raw.now);
    const kept = prep.answer;
    if (kept && kept.from <= now && now < kept.until && kept.healthJson === raw.healthJson
      && sameList(kept.versions, raw.versions)) return renderKept(kept, now);
    const sites = this.compute(prep, raw, now);
    const parts = serialize(sites, prep.sites.map((s) => !healthTracked(s))).map((part) => Buffer.from(part));
    prep.answer = { versions: raw.versions, healthJson: raw.healthJson, from: now, until: stableUntil(prep.plans, now), parts };
    // Twice the parts: the answer last rendered from them is kept too.
    this.kept.set(key, prep, prep.bytes + 2 * parts.reduce((n, part) => n + part.length, 0) + raw.healthJson.length + raw.versions.length * 24);
    return render(parts, now);
  }

  /** Checks the query (404 for unknown sites or group, 400 for a bad window) and plans its read. */
  private prepare(q: AvailabilityQuery): Prepared {
    const sites = q.sites.map((id) => {
      const site = this.catalog.site(id);
      if (!site) throw new HubError(404, 'not-found', 'Not found', `site "${id}" does not exist`, { site: id });
      return site;
    });
    if (q.group && !this.catalog.config.groups[q.group]) {
      throw new HubError(404, 'not-found', 'Not found', `group "${q.group}" does not exist`, { group: q.group });
    }
    const plans: Plan[] = [];
    for (const site of sites) {
      const window = resolveWindow(q.from, q.to, site.timezone);
      for (const entry of this.catalog.entriesOf(site.id)) {
        if (q.resource && entry.resource.id !== q.resource) continue;
        if (q.group && entry.resource.group !== q.group) continue;
        plans.push(planFor(entry, window, q));
      }
    }
    // Only health-tracked sites' health matters (a site the hub owns is always healthy).
    const tracked: string[] = [];
    const healthAt = sites.map((s) => (healthTracked(s) ? tracked.push(s.id) - 1 : -1));
    const read = prepareRead(plans.map((p) => p.ask), tracked);
    return { sites, plans, healthAt, read, bytes: 3 * read.asksJson.length + read.ledgersJson.length + 64 * plans.length };
  }

  private compute(prep: Prepared, raw: RawRead, now: number): SiteView[] {
    const healthOf = (i: number): Record<string, string> => raw.health[prep.healthAt[i]!] ?? {};
    const limitedSites = new Set(prep.sites.filter((site, i) => healthTracked(site) && healthStateOf(healthOf(i)) === 'limited').map((s) => s.id));
    const views = new Map<string, ResourceView[]>();
    prep.plans.forEach((plan, i) => {
      const list = views.get(plan.entry.site.id) ?? [];
      const withhold = limitedSites.has(plan.entry.site.id) && plan.entry.group.whenLimited === 'hide';
      list.push(withhold ? withheld(plan) : this.resourceView(plan, raw.ledgers[i]!, now));
      views.set(plan.entry.site.id, list);
    });
    return prep.sites.map((site, i) => {
      const record = healthOf(i);
      const own = !healthTracked(site);
      const asOf = own ? now : Number(record.lastSuccessAt ?? 0);
      // A polled site with no good poll yet has no data to vouch for.
      const health = own ? 'healthy' : asOf === 0 && record.state === undefined ? 'degraded' : healthStateOf(record);
      return {
        id: site.id, name: site.name, timezone: site.timezone, health,
        limited: health === 'limited',
        asOf: asOf > 0 ? new Date(asOf).toISOString() : null,
        resources: views.get(site.id) ?? [],
      };
    });
  }

  private closedIn(hours: Parameters<typeof closedIntervals>[0], window: Interval, tz: string): Interval[] {
    if (hours === undefined) return [];
    let byWindow = this.closed.get(hours);
    if (!byWindow) this.closed.set(hours, byWindow = new Map<string, Interval[]>());
    const key = `${tz}|${window.start}|${window.end}`;
    let out = byWindow.get(key);
    if (!out) {
      if (byWindow.size >= CLOSED_KEPT) byWindow.clear();
      byWindow.set(key, out = closedIntervals(hours, window, tz));
    }
    return out;
  }

  private resourceView(plan: Plan, ledger: NightRead | TimeRead, now: number): ResourceView {
    const { entry } = plan;
    const base = {
      id: entry.resource.id, name: entry.resource.name, kind: entry.resource.kind,
      group: entry.resource.group, capacity: entry.capacity,
    };
    const rules = entry.resource.rules;
    const tz = entry.site.timezone;
    if (plan.ask.by === 'night') {
      const { used, source } = ledger as NightRead;
      const bookable = bookableNights(rules, plan.dates, now, tz);
      return {
        ...base,
        nights: plan.dates.map((date, j) => ({
          date,
          // A count-only source (PMS) is authoritative; the configured capacity only caps it.
          available: bookable.has(date)
            ? nightAvailability(Math.min(entry.capacity, source[j] ?? entry.capacity), used[j] ?? 0) : 0,
        })),
      };
    }
    const spans = (ledger as TimeRead)
      .map(([start, end, quantity]) => ({ start, end, quantity }));
    const blocked = mergeIntervals([
      ...this.closedIn(rules.openingHours, plan.window, tz),
      ...blockedByNotice(rules, plan.window, now),
    ]);
    return {
      ...base,
      intervals: availabilityPieces(plan.window, entry.capacity, spans, blocked).map((p) => ({
        start: new Date(p.start).toISOString(), end: new Date(p.end).toISOString(), available: p.available,
      })),
    };
  }
}

/** The first instant after `now` at which some plan's clock-dependent rules may answer differently. */
function stableUntil(plans: Plan[], now: number): number {
  let until = Infinity;
  for (const plan of plans) {
    const { rules } = plan.entry.resource;
    until = Math.min(until, plan.ask.by === 'night'
      ? (plan.dates.length > 0 ? nightRulesStableUntil(rules, now, plan.entry.site.timezone) : Infinity)
      : noticeStableUntil(rules, plan.window, now));
  }
  return until;
}

/**
 * `JSON.stringify({ sites })` split at each `asOf` of a site the hub owns (`own[i]`): that value is
 * the read's instant, so {@link render} puts it in. JSON.stringify is compositional (an object is
 * its members' texts in order), so the joined parts are the same bytes.
 */
function serialize(sites: SiteView[], own: boolean[]): string[] {
  const parts: string[] = [];
  let text = '{"sites":[';
  sites.forEach((site, i) => {
    const { asOf, resources, ...head } = site;
    if (i > 0) text += ',';
    text += `${JSON.stringify(head).slice(0, -1)},"asOf":`;
    if (own[i]) {
      parts.push(text);
      text = '';
    } else {
      text += JSON.stringify(asOf);
    }
    text += `,"resources":${JSON.stringify(resources)}}`;
  });
  parts.push(`${text}]}`);
  return parts;
}

/** The kept parts with the read's instant between them: copies bytes, encodes nothing again. */
/**
 * A kept answer at `now`. Under load many reads fall in one millisecond: they share one Buffer
 * (never written to once made), instead of each concatenating a copy of the answer.
 */
function renderKept(kept: KeptAnswer, now: number): Buffer {
  if (kept.parts.length === 1) return kept.parts[0]!;
  if (kept.rendered?.at === now) return kept.rendered.bytes;
  const bytes = render(kept.parts, now);
  kept.rendered = { at: now, bytes };
  return bytes;
}

function render(parts: Buffer[], now: number): Buffer {
  if (parts.length === 1) return parts[0]!;
  const at = Buffer.from(now > 0 ? `"${new Date(now).toISOString()}"` : 'null');
  const list: Buffer[] = [];
  parts.forEach((part, i) => {
    if (i > 0) list.push(at);
    list.push(part);
  });
  return Buffer.concat(list);
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Closed parts of windows kept per opening-hours object. */
const CLOSED_KEPT = 500;

/** A limited site's resource in a group that hides stale data: nothing is offered. */
function withheld(plan: Plan): ResourceView {
  const { entry } = plan;
  const base = { withheld: true, id: entry.resource.id, name: entry.resource.name, kind: entry.resource.kind, group: entry.resource.group, capacity: entry.capacity };
  return plan.ask.by === 'night'
    ? { ...base, nights: plan.dates.map((date) => ({ date, available: 0 })) }
    : { ...base, intervals: [{ start: new Date(plan.window.start).toISOString(), end: new Date(plan.window.end).toISOString(), available: 0 }] };
}

function planFor(entry: CatalogEntry, window: Interval, q: AvailabilityQuery): Plan {
  const tz = entry.site.timezone;
  if (entry.resource.bookedBy === 'night') {
    const dates = isLocalDate(q.from) && isLocalDate(q.to)
      ? nightsOf(q.from, q.to)
      : datesCovering(window.start, window.end, tz);
    return { entry, window, dates, ask: { ledger: entry.ledger, by: 'night', dates } };
  }
  const rules = entry.resource.rules;
  return {
    entry, window, dates: [],
    ask: {
      ledger: entry.ledger, by: 'time', from: window.start, to: window.end,
      bufferBefore: rules.bufferBefore ?? 0, bufferAfter: rules.bufferAfter ?? 0,
    },
  };
}

/** `from`/`to` as local dates mean local midnight at the site; instants are taken as they are. */
function resolveWindow(from: string, to: string, tz: string): Interval {
  const start = isLocalDate(from) ? localMidnight(from, tz) : parseInstant(from, tz, 'from');
  const end = isLocalDate(to) ? localMidnight(to, tz) : parseInstant(to, tz, 'to');
  if (end <= start) throw invalid('to', 'must be after from');
  if (end - start > MAX_WINDOW_DAYS * 86_400_000) {
    throw invalid('to', `the window may span at most ${MAX_WINDOW_DAYS} days`);
  }
  return { start, end };
}
