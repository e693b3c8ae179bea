import ICAL from 'ical.js';
import { checkRealDates, EventError, instanceAt, intervalOf, rawValues } from './timing.js';

const BARE_DATE = /^\d{4}-\d{2}-\d{2}T::$/;
import type { Instance, Length, Timing } from './timing.js';
import { instantOf } from './time.js';

/**
 * The instances of a recurring VEVENT (RFC 5545 §3.8.5): DTSTART, every RRULE, every RDATE
 * (DATE, DATE-TIME and PERIOD values, a PERIOD bringing its own length), without EXDATEs. Each
 * rule is stepped with ical.js's rule iterator; nothing of ical.js's `Event` is used, so overrides
 * elsewhere in the file (whatever their UID) never reach a series. Everything that makes the answer
 * incomplete or doubtful is returned as a note, never dropped silently.
 */

type Component = InstanceType<typeof ICAL.Component>;
type Time = InstanceType<typeof ICAL.Time>;
type Property = InstanceType<typeof ICAL.Property>;

/** Recurrences are expanded at most this far (instances in the window) per event. */
export const MAX_INSTANCES = 5_000;
/** ...and each rule is stepped at most this often (a daily rule since 1990 reaches today). */
const MAX_STEPS = 50_000;
/**
 * ...and ical.js tries at most this many candidate times per rule. It steps a rule one second,
 * minute, hour or day at a time and filters with the BY parts, all inside one `next()`: a rule
 * whose BY parts match rarely (`FREQ=SECONDLY;BYMONTH=4;BYDAY=MO`) held the event loop for
 * minutes, and one that never matches (`BYMONTH=2;BYMONTHDAY=30`, at any FREQ) forever. Each cap
 * is about a second of work on a loaded machine (a day's step costs more than a second's); the
 * daily one still lets a plain daily rule from 1920 reach today.
 */
const MAX_CANDIDATES: Record<string, number> = { SECONDLY: 200_000, MINUTELY: 200_000, HOURLY: 200_000 };
const MAX_CANDIDATES_DAILY_AND_LONGER = 40_000;

/** Thrown out of ical.js's iterator when a rule has used up its candidates. */
class CandidateCap extends Error {}

/** Counts the candidate times ical.js checks (one `check_contracting_rules` each) and stops it at `limit`. */
function withCandidateCap(iterator: InstanceType<typeof ICAL.RecurIterator>, limit: number): void {
  let tried = 0;
  const check = iterator.check_contracting_rules.bind(iterator);
  iterator.check_contracting_rules = () => {
    tried += 1;
    if (tried > limit) throw new CandidateCap();
    return check();
  };
}

/** RRULE parts of RFC 5545 §3.3.10 and RFC 7529 (as ical.js's jCal names them). */
const RULE_PARTS = new Set([
  'freq', 'until', 'count', 'interval', 'bysecond', 'byminute', 'byhour', 'byday', 'bymonthday',
  'byyearday', 'byweekno', 'bymonth', 'bysetpos', 'wkst', 'rscale', 'skip',
]);

interface Occurrence {
  /** `recurrenceKey` of its start: how EXDATEs and RECURRENCE-IDs name it. */
  key: string;
  instance: Instance;
}

export interface Expansion {
  occurrences: Occurrence[];
  /** Why the answer may be incomplete or doubtful (a cap reached, an unknown rule part, ...). */
  notes: string[];
}

export type KeyOf = (t: Time, tzid: string | null) => string;

const tzidOf = (prop: Property): string | null => {
  const p = prop.getParameter('tzid');
  return typeof p === 'string' && p !== '' ? p : null;
};

/** RRULE parts ical.js does not know: it drops them without a word (`UNTL=` for `UNTIL=`). */
function unknownParts(prop: Property): string[] {
  const raw: unknown = prop.jCal[3];
  if (typeof raw !== 'object' || raw === null) return [];
  return Object.keys(raw).filter((k) => !RULE_PARTS.has(k.toLowerCase()) && !/^x-/i.test(k)).map((k) => k.toUpperCase());
}

function ruleOf(prop: Property): InstanceType<typeof ICAL.Recur> {
  let rule: unknown;
  try {
    rule = prop.getFirstValue();
  } catch (e) {
    throw new EventError(`bad recurrence rule: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (!(rule instanceof ICAL.Recur)) throw new EventError('bad recurrence rule: RRULE is not a rule');
  return rule;
}

/**
 * The occurrences of `master` that start before `window.end`, sorted by start, EXDATEs removed.
 * Instances ending before `window.start` are left out. At most MAX_INSTANCES that overlap the
 * window are returned.
 * @throws EventError for a rule or date that cannot be read at all
 */
export function expandSeries(
  master: Component, timing: Timing, zone: string, window: { start: number; end: number }, keyOf: KeyOf,
  localDay: (ms: number) => string,
): Expansion {
  const notes: string[] = [];
  /** A rule was cut at MAX_INSTANCES (reported already). */
  let capped = false;
  const found = new Map<string, Occurrence>();
  const add = (start: Time, tzid: string | null, length: Length) => {
    const instance = instanceAt(start, tzid, length, zone);
    const key = keyOf(start, tzid);
    if (!found.has(key)) found.set(key, { key, instance });
    return intervalOf(instance, zone);
  };

  add(timing.start, timing.tzid, timing.length);
  for (const prop of master.getAllProperties('rrule')) {
    const unknown = unknownParts(prop);
    if (unknown.length > 0) {
      notes.push(`RRULE part${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')} unknown (RFC 5545 §3.3.10): ignored, so the series may run longer or differently than meant`);
    }
    const rule = ruleOf(prop);
    let iterator: InstanceType<typeof ICAL.RecurIterator>;
    try {
      iterator = rule.iterator(timing.start);
    } catch (e) {
      throw new EventError(`bad recurrence rule: ${e instanceof Error ? e.message : String(e)}`);
    }
    const candidates = MAX_CANDIDATES[rule.freq] ?? MAX_CANDIDATES_DAILY_AND_LONGER;
    withCandidateCap(iterator, candidates);
    // Every cut is reported here, where it happens, naming the rule's frequency: the cap on
    // instances is counted before EXDATEs, so a check of the final list alone missed cuts.
    const freq = `FREQ=${rule.freq}`;
    let inWindow = 0;
    for (let steps = 0; ; steps += 1) {
      let next: Time | null;
      try {
        next = iterator.next() ?? null;
      } catch (e) {
        if (e instanceof CandidateCap) {
          notes.push(`recurrence expansion of ${freq} stopped after trying ${candidates} candidate times (its BY parts match rarely or never; ${inWindow} found in the window); later instances are missing`);
          break;
        }
        throw new EventError(`bad recurrence rule: ${e instanceof Error ? e.message : String(e)}`);
      }
      if (next === null) break;
      const span = add(next, timing.tzid, timing.length);
      if (span.start >= window.end) break;
      if (span.end > window.start) inWindow += 1;
      if (inWindow > MAX_INSTANCES) {
        notes.push(`recurrence expansion of ${freq} stopped at ${MAX_INSTANCES} instances in the window; later instances are missing`);
        capped = true;
        break;
      }
      if (steps >= MAX_STEPS) {
        notes.push(`recurrence expansion of ${freq} stopped after ${steps + 1} rule steps (${inWindow} found in the window); later instances are missing`);
        break;
      }
    }
  }
  for (const prop of master.getAllProperties('rdate')) {
    checkRealDates(prop);
    const tzid = tzidOf(prop);
    // `RDATE:19970101` (a date without VALUE=DATE; ical.js reads it as a DATE or as the broken
    // date-time "1997-01-01T::"): that date, at DTSTART's time of day on a timed series.
    const onDay = (day: Time) => {
      if (timing.start.isDate) { add(day, null, timing.length); return; }
      const at = timing.start.clone();
      at.year = day.year; at.month = day.month; at.day = day.day;
      add(at, timing.tzid, timing.length);
    };
    const raws = rawValues(prop);
    if (raws.some((r) => BARE_DATE.test(r))) {
      for (const r of raws) onDay(ICAL.Time.fromDateString(r.slice(0, 10)));
      continue;
    }
    for (const v of prop.getValues() as unknown[]) {
      if (v instanceof ICAL.Time) {
        if (v.isDate && !timing.start.isDate) onDay(v);
        else add(v, tzid, timing.length);
      } else if (v instanceof ICAL.Period) add(v.start, tzid, periodLength(v, tzid, zone));
      else notes.push('an RDATE value could not be read: ignored');
    }
  }

  const excluded = new Set<string>();
  const excludedDays = new Set<string>();
  for (const prop of master.getAllProperties('exdate')) {
    checkRealDates(prop);
    // `EXDATE:20200116` (a date without VALUE=DATE, as some exporters write it) reads as the
    // broken date-time "2020-01-16T::": it excludes the instance on that local date.
    const raws = rawValues(prop);
    if (raws.some((r) => BARE_DATE.test(r))) {
      for (const r of raws) excludedDays.add(r.slice(0, 10));
      continue;
    }
    const tzid = tzidOf(prop);
    for (const v of prop.getValues() as unknown[]) {
      if (!(v instanceof ICAL.Time)) continue;
      if (v.isDate && !timing.start.isDate) excludedDays.add(v.toString().slice(0, 10));
      else excluded.add(keyOf(v, tzid));
    }
  }
  const dayOf = (o: Occurrence) => (o.instance.kind === 'date' ? o.instance.start : localDay(o.instance.start));

  const occurrences = [...found.values()]
    .filter((o) => !excluded.has(o.key) && !(excludedDays.size > 0 && excludedDays.has(dayOf(o))))
    .filter((o) => { const s = intervalOf(o.instance, zone); return s.start < window.end && s.end > window.start; })
    .sort((a, b) => intervalOf(a.instance, zone).start - intervalOf(b.instance, zone).start);
  if (occurrences.length > MAX_INSTANCES) {
    // Several rules and RDATEs together: the rules' own cuts were reported above.
    if (!capped) notes.push(`recurrence expansion stopped at ${MAX_INSTANCES} instances in the window; ${occurrences.length - MAX_INSTANCES} later instances are missing`);
    occurrences.length = MAX_INSTANCES;
  }
  return { occurrences, notes: [...new Set(notes)] };
}

/** RFC 5545 §3.3.9: a PERIOD is start/end (an exact length) or start/duration (nominal days). */
function periodLength(p: InstanceType<typeof ICAL.Period>, tzid: string | null, zone: string): Length {
  if (p.end) {
    if (p.start.isDate) return { kind: 'date', days: Math.round((p.end.toUnixTime() - p.start.toUnixTime()) / 86_400) };
    return { kind: 'time', nominalDays: 0, exactMs: instantOf(p.end, tzid, zone) - instantOf(p.start, tzid, zone) };
  }
  const d = p.duration;
  const sign = d.isNegative ? -1 : 1;
  if (p.start.isDate) return { kind: 'date', days: sign * (d.weeks * 7 + d.days) };
  return {
    kind: 'time',
    nominalDays: sign * (d.weeks * 7 + d.days),
    exactMs: sign * ((d.hours * 60 + d.minutes) * 60 + d.seconds) * 1000,
  };
}
