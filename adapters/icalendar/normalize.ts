import ICAL from 'ical.js';
import { isTimeZone, localDateOf, nightsOf } from '../../src/domain/index.js';
import type { SourceBooking } from '../../src/core/adapter/port.js';
import { parseCalendarText } from './parse.js';
import { dateBasic, instantOf, localDateOfTime, utcBasic } from './time.js';
import { EventError, instanceAt, intervalOf, readTiming, timeProperty } from './timing.js';
import type { Instance, Length } from './timing.js';

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

export interface NormalizeResult {
  bookings: SourceBooking[];
  /** Events that could not be read (or were cut short), with the reason; never fatal. */
  skipped: Array<{ externalId: string; reason: string }>;
}

/** Recurrences are expanded at most this far (instances in the window) per event. */
export const MAX_INSTANCES = 5_000;
/** ...and the rule is stepped at most this often (a daily rule since 1990 reaches today). */
const MAX_STEPS = 50_000;

interface Ctx {
  opts: NormalizeOptions;
  prefix: string;
  bookings: SourceBooking[];
  skipped: NormalizeResult['skipped'];
}

/**
 * Turns an iCalendar text into the hub's bookings for one resource (DESIGN §4 Time).
 *
 * - Times with a TZID are converted with the calendar's own VTIMEZONE (any TZID name, e.g.
 *   Outlook's "W. Europe Standard Time"), else with the IANA zone the TZID names; floating times
 *   and all-day dates are local to `opts.timezone`.
 * - External ids: `${idPrefix}${UID}` for a single event, `${idPrefix}${UID}@${RECURRENCE-ID}` for
 *   an instance of a recurring one (UTC basic form `20270310T090000Z`, or `20270310` all-day).
 * - RRULE/RDATE are expanded within `opts.window`, EXDATEs removed, RECURRENCE-ID overrides replace
 *   their instance; only instances overlapping the window are returned.
 * - One unreadable event is reported in `skipped`; it never throws for one event.
 * @throws Error when the text is not an iCalendar document at all, or `opts.timezone` is unknown.
 */
export function normalizeCalendar(ics: string, opts: NormalizeOptions): NormalizeResult {
  if (!isTimeZone(opts.timezone)) throw new RangeError(`unknown IANA time zone: ${opts.timezone}`);
  const ctx: Ctx = { opts, prefix: opts.idPrefix ?? '', bookings: [], skipped: [] };
  const parsed = parseCalendarText(ics);
  for (const r of parsed.rejected) ctx.skipped.push({ externalId: idOf(ctx, r.uid), reason: r.reason });

  const groups = new Map<string, { master: Component | null; overrides: Component[] }>();
  for (const comp of parsed.calendars.flatMap((c) => c.getAllSubcomponents('vevent'))) {
    const uid = textProp(comp, 'uid');
    if (uid === undefined) {
      ctx.skipped.push({ externalId: '(no uid)', reason: 'event has no UID' });
      continue;
    }
    let group = groups.get(uid);
    if (!group) groups.set(uid, (group = { master: null, overrides: [] }));
    if (comp.hasProperty('recurrence-id')) group.overrides.push(comp);
    else if (group.master === null) group.master = comp;
    else ctx.skipped.push({ externalId: idOf(ctx, uid), reason: 'duplicate UID: a second event with this UID was ignored' });
  }

  for (const [uid, group] of groups) {
    try {
      eventBookings(ctx, uid, group.master, group.overrides);
    } catch (e) {
      ctx.skipped.push({ externalId: idOf(ctx, uid), reason: reasonOf(e) });
    }
  }
  return { bookings: ctx.bookings, skipped: ctx.skipped };
}

function idOf(ctx: Ctx, uid: string | null, key?: string): string {
  if (uid === null) return '(no uid)';
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

function eventBookings(ctx: Ctx, uid: string, master: Component | null, overrides: Component[]): void {
  const zone = ctx.opts.timezone;
  const recurring = master !== null && (master.hasProperty('rrule') || master.hasProperty('rdate'));
  if (master !== null && !recurring) {
    const timing = readTiming(master, zone);
    emit(ctx, idOf(ctx, uid), instanceAt(timing.start, timing.tzid, timing.length, zone), master, null);
    for (const o of overrides) {
      ctx.skipped.push({ externalId: idOf(ctx, uid, overrideKey(o, zone)), reason: 'RECURRENCE-ID on an event that does not recur: ignored' });
    }
    return;
  }

  let masterLength: Length | undefined;
  if (master !== null) masterLength = readTiming(master, zone).length;

  // Overrides first: each replaces (or, when cancelled, removes) the instance it names.
  const overridden = new Set<string>();
  for (const o of overrides) {
    let key: string | undefined;
    try {
      key = overrideKey(o, zone);
      overridden.add(key);
      const rid = timeProperty(o, 'recurrence-id')!;
      const inst = o.hasProperty('dtstart')
        ? (() => { const t = readTiming(o, zone, masterLength); return instanceAt(t.start, t.tzid, t.length, zone); })()
        : instanceAt(rid.time, rid.tzid, masterLength ?? { kind: 'time', nominalDays: 0, exactMs: 0 }, zone);
      emit(ctx, idOf(ctx, uid, key), inst, o, master);
    } catch (e) {
      ctx.skipped.push({ externalId: idOf(ctx, uid, key), reason: reasonOf(e) });
    }
  }
  if (master === null) return;
  expand(ctx, uid, master, overridden);
}

function overrideKey(o: Component, zone: string): string {
  const rid = timeProperty(o, 'recurrence-id');
  if (!rid) throw new EventError('missing RECURRENCE-ID');
  return recurrenceKey(rid.time, rid.tzid, zone);
}

/** Expands a recurring master within the window, leaving out EXDATEs and overridden instances. */
function expand(ctx: Ctx, uid: string, master: Component, overridden: Set<string>): void {
  const zone = ctx.opts.timezone;
  const { window } = ctx.opts;
  const timing = readTiming(master, zone);
  const excluded = new Set<string>();
  for (const prop of master.getAllProperties('exdate')) {
    const tzid = prop.getParameter('tzid');
    for (const v of prop.getValues()) {
      if (v instanceof ICAL.Time) excluded.add(recurrenceKey(v, typeof tzid === 'string' ? tzid : null, zone));
    }
  }
  let iterator: InstanceType<typeof ICAL.RecurExpansion>;
  try {
    iterator = new ICAL.Event(master).iterator();
  } catch (e) {
    throw new EventError(`bad recurrence rule: ${reasonOf(e)}`);
  }
  let steps = 0;
  let emitted = 0;
  for (;;) {
    let occurrence: Time | null | undefined;
    try {
      occurrence = iterator.next();
    } catch (e) {
      throw new EventError(`bad recurrence rule: ${reasonOf(e)}`);
    }
    if (!occurrence) return;
    steps += 1;
    const inst = instanceAt(occurrence, timing.tzid, timing.length, zone);
    const span = intervalOf(inst, zone);
    if (span.start >= window.end) return;
    if (steps > MAX_STEPS || emitted >= MAX_INSTANCES) {
      ctx.skipped.push({
        externalId: idOf(ctx, uid),
        reason: `recurrence expansion stopped after ${steps - 1} steps and ${emitted} instances; later instances are missing`,
      });
      return;
    }
    const key = recurrenceKey(occurrence, timing.tzid, zone);
    if (excluded.has(key) || overridden.has(key) || span.end <= window.start) continue;
    if (emit(ctx, idOf(ctx, uid, key), inst, master, null)) emitted += 1;
  }
}

/**
 * Adds the booking for one instance when it overlaps the window. Returns whether it was added.
 * @throws EventError for an instance with no length or a negative one
 */
function emit(ctx: Ctx, externalId: string, inst: Instance, comp: Component, master: Component | null): boolean {
  const { opts } = ctx;
  const interval = intervalOf(inst, opts.timezone);
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
  const createdAt = stampOf(comp, 'created', opts.timezone) ?? (master ? stampOf(master, 'created', opts.timezone) : undefined);
  const updatedAt = stampOf(comp, 'last-modified', opts.timezone) ?? stampOf(comp, 'dtstamp', opts.timezone);
  const hubReference = textProp(comp, 'x-avhub-reservation') ?? (master ? textProp(master, 'x-avhub-reservation') : undefined);
  if (createdAt !== undefined) booking.createdAt = createdAt;
  if (updatedAt !== undefined) booking.updatedAt = updatedAt;
  if (hubReference !== undefined) booking.hubReference = hubReference;
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
