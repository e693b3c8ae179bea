import ICAL from 'ical.js';
import { DateTime } from 'luxon';
import { localMidnight } from '../../../src/domain/index.js';
import { badRequest } from './errors.js';
import { dateStamp, instanceStamp, instantOf } from './times.js';
import type { SimDateTime } from './types.js';

/**
 * Recurrence expansion for `singleEvents=true` (RFC 5545 RRULE/EXRULE/RDATE/EXDATE, as Google
 * stores them in `recurrence`). Rules run on local wall-clock time in the event's zone, so a 09:00
 * series stays at 09:00 across a DST change; each local time is then placed in UTC with luxon.
 */

/** One occurrence the rules produce: where the instance originally starts. */
export interface Occurrence {
  /** The instance id suffix: `20270314T130000Z` (timed) or `20270314` (all-day). */
  stamp: string;
  /** Original start in UTC ms (for all-day events: local midnight in the zone). */
  start: number;
  /** All-day occurrences: the local date. */
  date?: string;
}

export interface ExpandBound {
  /** Occurrences starting at or after this instant are not produced. */
  until: number;
  /** At most this many occurrences (a safety net for unbounded rules). */
  max: number;
}

interface Wall { year: number; month: number; day: number; hour: number; minute: number; second: number }

const MAX_ITERATIONS = 200_000;

function wallOf(ms: number, zone: string): Wall {
  const d = DateTime.fromMillis(ms, { zone });
  return { year: d.year, month: d.month, day: d.day, hour: d.hour, minute: d.minute, second: d.second };
}

function instantOfWall(w: Wall, zone: string): number {
  const { year, month, day, hour, minute, second } = w;
  return DateTime.fromObject({ year, month, day, hour, minute, second }, { zone }).toMillis();
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');
const dateOfWall = (w: { year: number; month: number; day: number }) => `${pad(w.year, 4)}-${pad(w.month)}-${pad(w.day)}`;

/** Validates recurrence lines the way Google does on insert (400 on anything it cannot read). */
export function checkRecurrence(lines: unknown): string[] | undefined {
  if (lines === undefined || lines === null) return undefined;
  if (!Array.isArray(lines) || lines.some((l) => typeof l !== 'string')) throw badRequest('Invalid recurrence rule.', 'recurrence');
  for (const line of lines as string[]) {
    const { name, value } = splitLine(line);
    if (name === 'RRULE' || name === 'EXRULE') parseRule(value);
    else if (name !== 'RDATE' && name !== 'EXDATE') throw badRequest('Invalid recurrence rule.', 'recurrence');
  }
  return lines as string[];
}

function splitLine(line: string): { name: string; params: Record<string, string>; value: string } {
  const colon = line.indexOf(':');
  if (colon < 0) throw badRequest('Invalid recurrence rule.', 'recurrence');
  const [name = '', ...params] = line.slice(0, colon).split(';');
  const parsed: Record<string, string> = {};
  for (const p of params) {
    const eq = p.indexOf('=');
    if (eq > 0) parsed[p.slice(0, eq).toUpperCase()] = p.slice(eq + 1);
  }
  return { name: name.toUpperCase(), params: parsed, value: line.slice(colon + 1) };
}

function parseRule(value: string): ICAL.Recur {
  try {
    const rule = ICAL.Recur.fromString(value);
    if (!rule.freq) throw new Error('no FREQ');
    return rule;
  } catch {
    throw badRequest('Invalid recurrence rule.', 'recurrence');
  }
}

/** RDATE/EXDATE values: instants for timed series, local dates for all-day ones. */
function dateList(params: Record<string, string>, value: string, zone: string, allDay: boolean): Array<number | string> {
  const out: Array<number | string> = [];
  for (const raw of value.split(',')) {
    const m = /^(\d{4})(\d{2})(\d{2})(?:T(\d{2})(\d{2})(\d{2})(Z?))?$/.exec(raw.trim());
    if (!m) continue;
    const date = `${m[1]}-${m[2]}-${m[3]}`;
    if (m[4] === undefined || params.VALUE === 'DATE') {
      out.push(allDay ? date : localMidnight(date, params.TZID ?? zone));
      continue;
    }
    const wall = { year: +m[1]!, month: +m[2]!, day: +m[3]!, hour: +m[4], minute: +m[5]!, second: +m[6]! };
    const ms = m[7] === 'Z' ? Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute, wall.second) : instantOfWall(wall, params.TZID ?? zone);
    out.push(allDay ? dateOfWall(wallOf(ms, zone)) : ms);
  }
  return out;
}

/** Every occurrence a rule produces from `dtstart`, as instants (timed) or local dates (all-day). */
function ruleOccurrences(rule: ICAL.Recur, dtstart: Wall, zone: string, allDay: boolean, bound: ExpandBound): Array<number | string> {
  const r = rule.clone();
  if (r.until) {
    // UNTIL bounds instants (UTC) or dates; the iterator compares it with floating local times.
    const u = r.until;
    if (u.isDate) {
      r.until = allDay ? ICAL.Time.fromData({ ...dateOnly(u), isDate: true })
        : ICAL.Time.fromData({ ...dateOnly(u), hour: 23, minute: 59, second: 59, isDate: false });
    } else {
      const wall = { ...dateOnly(u), hour: u.hour, minute: u.minute, second: u.second };
      const untilMs = u.zone?.tzid === 'UTC' ? Date.UTC(u.year, u.month - 1, u.day, u.hour, u.minute, u.second) : instantOfWall(wall, zone);
      const local = wallOf(untilMs, zone);
      r.until = allDay ? ICAL.Time.fromData({ ...dateOnly(local), isDate: true }) : ICAL.Time.fromData({ ...local, isDate: false });
    }
  }
  const start = allDay
    ? ICAL.Time.fromData({ ...dateOnly(dtstart), isDate: true })
    : ICAL.Time.fromData({ ...dtstart, isDate: false });
  const it = r.iterator(start);
  const out: Array<number | string> = [];
  for (let i = 0, t = it.next(); t && i < MAX_ITERATIONS && out.length < bound.max; i++, t = it.next()) {
    const key = allDay ? dateOfWall(t) : instantOfWall(t, zone);
    const ms = typeof key === 'string' ? localMidnight(key, zone) : key;
    if (ms >= bound.until) break;
    out.push(key);
  }
  return out;
}

const dateOnly = (w: { year: number; month: number; day: number }) => ({ year: w.year, month: w.month, day: w.day });

/**
 * The occurrences of a recurring master, in start order, before `bound.until`: DTSTART, the RRULEs
 * and RDATEs, minus EXRULEs and EXDATEs.
 */
export function expandOccurrences(master: { start: SimDateTime; recurrence?: string[] }, calendarZone: string, bound: ExpandBound): Occurrence[] {
  const allDay = master.start.date !== undefined;
  const zone = master.start.timeZone ?? calendarZone;
  const firstMs = instantOf(master.start, zone);
  const dtstart = allDay ? { ...dateOnly(dateParts(master.start.date!)), hour: 0, minute: 0, second: 0 } : wallOf(firstMs, zone);
  const include = new Set<number | string>([allDay ? master.start.date! : firstMs]);
  const exclude = new Set<number | string>();
  for (const line of master.recurrence ?? []) {
    const { name, params, value } = splitLine(line);
    if (name === 'RRULE') for (const k of ruleOccurrences(parseRule(value), dtstart, zone, allDay, bound)) include.add(k);
    else if (name === 'EXRULE') for (const k of ruleOccurrences(parseRule(value), dtstart, zone, allDay, bound)) exclude.add(k);
    else if (name === 'RDATE') for (const k of dateList(params, value, zone, allDay)) include.add(k);
    else if (name === 'EXDATE') for (const k of dateList(params, value, zone, allDay)) exclude.add(k);
  }
  const out: Occurrence[] = [];
  for (const key of include) {
    if (exclude.has(key)) continue;
    if (typeof key === 'string') {
      const start = localMidnight(key, zone);
      if (start < bound.until) out.push({ stamp: dateStamp(key), start, date: key });
    } else if (key < bound.until) {
      out.push({ stamp: instanceStamp(key), start: key });
    }
  }
  out.sort((a, b) => a.start - b.start);
  return out.slice(0, bound.max);
}

function dateParts(date: string): { year: number; month: number; day: number } {
  const [y, m, d] = date.split('-').map(Number);
  return { year: y!, month: m!, day: d! };
}
