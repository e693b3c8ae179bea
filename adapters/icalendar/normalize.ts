import { createHash } from 'node:crypto';
import ICAL from 'ical.js';
import { isTimeZone, localDateOf, nightsOf } from '../../src/domain/index.js';
import type { SourceBooking } from '../../src/core/adapter/port.js';
import { parseCalendarText } from './parse.js';
import { dateBasic, instantOf, localDateOfTime, localDayIn, utcBasic } from './time.js';
import { EventError, instanceAt, intervalOf, readTiming, timeProperty } from './timing.js';
import type { Instance, Length } from './timing.js';
import { expandSeries } from './recurrence.js';
import { ianaZoneOf } from './zones.js';

type Component = InstanceType<typeof ICAL.Component>;
type Time = InstanceType<typeof ICAL.Time>;

export interface NormalizeOptions {
  resource: { id: string; bookedBy: 'night' | 'time' };
  /** The site's IANA zone: floating times and all-day dates are local to it. */
  timezone: string;
  /** Expand recurrences only within this UTC window. */
  window: { start: number; end: number };
  /** Prefixed to external ids so ids are unique per calendar (e.g. the calendar path). */
  idPrefix?: string;
}

/** One event (or note) that could not be used, or was used only in part; never fatal. */
interface SkippedEntry {
  externalId: string;
  reason: string;
  /** The hub resource the calendar was read for: skips and caps are reported per resource. */
  resource: string;
}

export interface NormalizeResult {
  bookings: SourceBooking[];
  /** Events that could not be read (or were cut short), with the reason; never fatal. */
  skipped: SkippedEntry[];
}

export { MAX_INSTANCES } from './recurrence.js';

interface Ctx {
  opts: NormalizeOptions;
  /**
   * The calendar's zone: floating times and all-day dates are local to it. The file's
   * X-WR-TIMEZONE (Google, Apple, tvcountdown...) when it names a zone, else the site's zone.
   */
  zone: string;
  prefix: string;
  bookings: SourceBooking[];
  skipped: SkippedEntry[];
}

/**
 * Turns an iCalendar text into the hub's bookings for one resource (DESIGN §4 Time).
 *
 * - A TZID that is, or maps to, an IANA zone (Windows names by CLDR) converts with the IANA
 *   database; a custom TZID with the calendar's own VTIMEZONE, only where its observances reach;
 *   anything else is skipped with a reason, never read in the site's zone. Floating times and
 *   all-day dates are local to the calendar's X-WR-TIMEZONE when it names a zone, else to
 *   `opts.timezone`.
 * - External ids: `${idPrefix}${UID}` for a single event, `${idPrefix}${UID}@${RECURRENCE-ID}` for
 *   an instance of a recurring one (UTC basic form `20270310T090000Z`, or `20270310` all-day). An
 *   event without UID gets `nouid-<hash of its content>` (DTSTAMP left out): stable across polls.
 * - Two events with one UID (and RECURRENCE-ID): the newest wins (SEQUENCE, then DTSTAMP, then
 *   LAST-MODIFIED); the other is reported.
 * - RRULE/RDATE are expanded within `opts.window`, EXDATEs removed, RECURRENCE-ID overrides replace
 *   their instance; only instances overlapping the window are returned.
 * - One unreadable event is reported in `skipped`; it never throws for one event. Impossible dates
 *   (30 February) make their event unreadable rather than rolled over.
 * @throws Error when the text is not an iCalendar document at all, or `opts.timezone` is unknown.
 */
export function normalizeCalendar(ics: string, opts: NormalizeOptions): NormalizeResult {
  if (!isTimeZone(opts.timezone)) throw new RangeError(`unknown IANA time zone: ${opts.timezone}`);
  const parsed = parseCalendarText(ics);
  const ctx: Ctx = { opts, zone: calendarZone(parsed.calendars) ?? opts.timezone, prefix: opts.idPrefix ?? '', bookings: [], skipped: [] };
  for (const r of parsed.rejected) skip(ctx, r.uid === null ? `${ctx.prefix}(unreadable event)` : idOf(ctx, r.uid), r.reason);
  for (const note of parsed.notes) skip(ctx, `${ctx.prefix}(calendar)`, note);

  const groups = new Map<string, { masters: Component[]; overrides: Component[] }>();
  const derived = new Map<string, number>();
  for (const comp of parsed.calendars.flatMap((c) => c.getAllSubcomponents('vevent'))) {
    let uid = textProp(comp, 'uid');
    if (uid === undefined) {
      const base = derivedUid(comp);
      const n = (derived.get(base) ?? 0) + 1;
      derived.set(base, n);
      uid = n === 1 ? base : `${base}-${n}`;
    }
    let group = groups.get(uid);
    if (!group) groups.set(uid, (group = { masters: [], overrides: [] }));
    (comp.hasProperty('recurrence-id') ? group.overrides : group.masters).push(comp);
  }

  for (const [uid, group] of groups) {
    try {
      const master = newest(ctx, uid, group.masters);
      eventBookings(ctx, uid, master, group.overrides);
    } catch (e) {
      skip(ctx, idOf(ctx, uid), reasonOf(e));
    }
  }
  return { bookings: ctx.bookings, skipped: ctx.skipped };
}

/** The IANA zone of the first X-WR-TIMEZONE that names one. */
function calendarZone(calendars: Component[]): string | null {
  for (const cal of calendars) {
    const v = cal.getFirstPropertyValue('x-wr-timezone');
    const zone = typeof v === 'string' ? ianaZoneOf(v) : null;
    if (zone !== null && isTimeZone(zone)) return zone;
  }
  return null;
}

function skip(ctx: Ctx, externalId: string, reason: string): void {
  ctx.skipped.push({ externalId, reason, resource: ctx.opts.resource.id });
}

/**
 * A stable identity for an event without UID (RFC 5545 requires one; Outlook Web Access exports
 * omit it): a hash of its content without DTSTAMP, which some exporters set to the export time.
 */
function derivedUid(comp: Component): string {
  const lines = comp.toString().split(/\r?\n/).filter((l) => !/^DTSTAMP[;:]/i.test(l));
  return `nouid-${createHash('sha256').update(lines.join('\n')).digest('hex').slice(0, 20)}`;
}

/** SEQUENCE, then DTSTAMP, then LAST-MODIFIED: larger is newer (RFC 5545 §3.8.7.4). */
function version(comp: Component, zone: string): number[] {
  const seq = Number(comp.getFirstPropertyValue('sequence') ?? 0);
  return [Number.isFinite(seq) ? seq : 0, stampOf(comp, 'dtstamp', zone) ?? 0, stampOf(comp, 'last-modified', zone) ?? 0];
}

function newer(a: number[], b: number[]): boolean {
  for (let i = 0; i < a.length; i += 1) if (a[i] !== b[i]) return a[i]! > b[i]!;
  return false;
}

/** The newest of several components that claim to be the same event; the others are reported. */
function newest(ctx: Ctx, id: string, comps: Component[], key?: string): Component | null {
  if (comps.length === 0) return null;
  let best = comps[0]!;
  for (const c of comps.slice(1)) if (newer(version(c, ctx.zone), version(best, ctx.zone))) best = c;
  if (comps.length > 1) {
    const v = version(best, ctx.zone);
    skip(ctx, idOf(ctx, id, key), `${comps.length} events with this UID${key ? ' and RECURRENCE-ID' : ''}: the newest (SEQUENCE ${v[0]}) was used, ${comps.length - 1} older one${comps.length > 2 ? 's' : ''} ignored`);
  }
  return best;
}

function idOf(ctx: Ctx, uid: string, key?: string): string {
  return key === undefined ? `${ctx.prefix}${uid}` : `${ctx.prefix}${uid}@${key}`;
}

function reasonOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function textProp(comp: Component, name: string): string | undefined {
  const v: unknown = comp.getFirstPropertyValue(name);
  if (v === null || v === undefined) return undefined;
  const s = String(v).trim();
  return s === '' ? undefined : s;
}

/** The key of a recurrence instance: UTC basic date-time, or the basic date for all-day. */
function recurrenceKey(t: Time, tzid: string | null, zone: string): string {
  return t.isDate ? dateBasic(localDateOfTime(t)) : utcBasic(instantOf(t, tzid, zone));
}

function eventBookings(ctx: Ctx, uid: string, master: Component | null, allOverrides: Component[]): void {
  const zone = ctx.zone;
  // Overrides by the instance they name; several for one instance: the newest.
  const byKey = new Map<string, Component[]>();
  for (const o of allOverrides) {
    try {
      const key = overrideKey(o, zone);
      byKey.set(key, [...(byKey.get(key) ?? []), o]);
    } catch (e) {
      skip(ctx, idOf(ctx, uid), `an override (RECURRENCE-ID) could not be read and was ignored: ${reasonOf(e)}`);
    }
  }
  const overrides = [...byKey.entries()].map(([key, comps]) => ({ key, comp: newest(ctx, uid, comps, key)! }));

  const recurring = master !== null && (master.hasProperty('rrule') || master.hasProperty('rdate'));
  if (master !== null && !recurring) {
    const timing = readTiming(master, zone);
    emit(ctx, idOf(ctx, uid), instanceAt(timing.start, timing.tzid, timing.length, zone), master, null);
    for (const o of overrides) skip(ctx, idOf(ctx, uid, o.key), 'RECURRENCE-ID on an event that does not recur: ignored');
    return;
  }

  let masterLength: Length | undefined;
  if (master !== null) masterLength = readTiming(master, zone).length;

  // Overrides first: each replaces (or, when cancelled, removes) the instance it names.
  const overridden = new Set<string>();
  for (const { key, comp: o } of overrides) {
    try {
      const rid = timeProperty(o, 'recurrence-id')!;
      const inst = o.hasProperty('dtstart')
        ? (() => { const t = readTiming(o, zone, masterLength); return instanceAt(t.start, t.tzid, t.length, zone); })()
        : instanceAt(rid.time, rid.tzid, masterLength ?? { kind: 'time', nominalDays: 0, exactMs: 0 }, zone);
      emit(ctx, idOf(ctx, uid, key), inst, o, master);
      overridden.add(key);
    } catch (e) {
      // An unreadable override does not free the instance it names: the series' own time stays
      // busy (a slot blocked by mistake is reported; a double booking would not be undone).
      skip(ctx, idOf(ctx, uid, key), `${reasonOf(e)}${master !== null ? '; the series\' own instance is kept' : ''}`);
    }
  }
  if (master === null) return;
  const timing = readTiming(master, zone);
  const masterZone = (timing.tzid !== null ? ianaZoneOf(timing.tzid) : null) ?? zone;
  const expansion = expandSeries(master, timing, zone, ctx.opts.window, (t, tzid) => recurrenceKey(t, tzid, zone),
    (ms) => localDayIn(ms, masterZone));
  for (const note of expansion.notes) skip(ctx, idOf(ctx, uid), note);
  // `RECURRENCE-ID:20200914` on a timed series (a date where a date-time belongs, as some
  // exporters write it) names the instance on that local date.
  const byDate = timing.start.isDate ? new Set<string>() : new Set([...overridden].filter((k) => /^\d{8}$/.test(k)));
  for (const o of expansion.occurrences) {
    if (overridden.has(o.key)) continue;
    if (byDate.size > 0 && o.instance.kind === 'time' && byDate.has(localDayIn(o.instance.start, masterZone).replace(/-/g, ''))) continue;
    emit(ctx, idOf(ctx, uid, o.key), o.instance, master, null);
  }
}

function overrideKey(o: Component, zone: string): string {
  const rid = timeProperty(o, 'recurrence-id');
  if (!rid) throw new EventError('missing RECURRENCE-ID');
  return recurrenceKey(rid.time, rid.tzid, zone);
}

/**
 * Adds the booking for one instance when it overlaps the window. Returns whether it was added.
 * @throws EventError for an instance with no length or a negative one
 */
function emit(ctx: Ctx, externalId: string, inst: Instance, comp: Component, master: Component | null): boolean {
  const { opts } = ctx;
  const interval = intervalOf(inst, ctx.zone);
  if (inst.kind === 'time' && inst.end === inst.start) throw new EventError('zero-length event (a DTSTART without DTEND or DURATION is an instant)');
  if (!(interval.end > interval.start)) throw new EventError('the event ends before it starts');
  if (interval.end <= opts.window.start || interval.start >= opts.window.end) return false;

  const status = textProp(comp, 'status')?.toUpperCase();
  const booking: SourceBooking = {
    externalId,
    resource: opts.resource.id,
    span: spanOf(inst, interval, opts),
    quantity: 1,
    status: status === 'CANCELLED' ? 'cancelled' : status === 'TENTATIVE' ? 'tentative' : 'confirmed',
    busy: textProp(comp, 'transp')?.toUpperCase() !== 'TRANSPARENT',
  };
  const createdAt = stampOf(comp, 'created', ctx.zone) ?? (master ? stampOf(master, 'created', ctx.zone) : undefined);
  const updatedAt = stampOf(comp, 'last-modified', ctx.zone) ?? stampOf(comp, 'dtstamp', ctx.zone);
  const hubReference = textProp(comp, 'x-avhub-reservation') ?? (master ? textProp(master, 'x-avhub-reservation') : undefined);
  if (createdAt !== undefined) booking.createdAt = createdAt;
  if (updatedAt !== undefined) booking.updatedAt = updatedAt;
  if (hubReference !== undefined) booking.hubReference = hubReference;
  const title = textProp(comp, 'summary') ?? (master ? textProp(master, 'summary') : undefined);
  if (title !== undefined) booking.title = title.slice(0, 200);
  const link = textProp(comp, 'url') ?? (master ? textProp(master, 'url') : undefined);
  if (link !== undefined && /^https?:\/\//i.test(link)) booking.link = link;
  ctx.bookings.push(booking);
  return true;
}

function spanOf(inst: Instance, interval: { start: number; end: number }, opts: NormalizeOptions): SourceBooking['span'] {
  if (opts.resource.bookedBy === 'time') return { by: 'time', start: interval.start, end: interval.end };
  if (inst.kind === 'date') return { by: 'night', nights: nightsOf(inst.start, inst.end) };
  const first = localDateOf(inst.start, opts.timezone);
  const nights = nightsOf(first, localDateOf(inst.end, opts.timezone));
  return { by: 'night', nights: nights.length > 0 ? nights : [first] };
}

/** A CREATED / LAST-MODIFIED / DTSTAMP value as epoch ms; metadata never makes an event unreadable. */
function stampOf(comp: Component, name: string, zone: string): number | undefined {
  try {
    const p = timeProperty(comp, name);
    if (!p || p.time.isDate) return undefined;
    return instantOf(p.time, p.tzid, zone);
  } catch {
    return undefined;
  }
}
