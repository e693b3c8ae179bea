import ICAL from 'ical.js';
import { findIana } from 'windows-iana';
import { isTimeZone } from '../../src/domain/index.js';

/**
 * What a TZID parameter means. The IANA database wins wherever the name leads to it: an IANA name
 * itself, a Windows zone id (CLDR's windowsZones mapping, via `windows-iana`), a Windows display
 * name ("(UTC-05:00) Eastern Time (US & Canada)"), or a path that ends in an IANA name
 * ("/mozilla.org/20050126_1/Europe/Berlin"). Only a custom name uses the file's own VTIMEZONE, and
 * only where its observances reach (RFC 5545 §3.6.5): before the first one, or after the last
 * transition of a zone whose rules end, the file does not say what the offset is. What resolves to
 * nothing is an error the caller reports, never the site's zone in disguise.
 */

type Timezone = InstanceType<typeof ICAL.Timezone>;
type Component = InstanceType<typeof ICAL.Component>;

export type ZoneResolution =
  | { kind: 'iana'; zone: string }
  | { kind: 'vtimezone'; tz: Timezone; reach: Reach }
  | { kind: 'unknown'; reason: string };

/** Wall-clock bounds (`YYYYMMDDhhmmss` numbers) within which a VTIMEZONE's offsets are known. */
export interface Reach { from: number; until: number }

/**
 * Windows display names as Outlook writes them into TZIDs when it exports without a VTIMEZONE,
 * mapped to their Windows zone id (then to IANA by CLDR). Windows uses "&" and some exporters "and".
 */
const DISPLAY_NAMES: Record<string, string> = {
  'eastern time (us & canada)': 'Eastern Standard Time',
  'central time (us & canada)': 'Central Standard Time',
  'mountain time (us & canada)': 'Mountain Standard Time',
  'pacific time (us & canada)': 'Pacific Standard Time',
  'alaska': 'Alaskan Standard Time',
  'hawaii': 'Hawaiian Standard Time',
  'arizona': 'US Mountain Standard Time',
  'atlantic time (canada)': 'Atlantic Standard Time',
  'dublin, edinburgh, lisbon, london': 'GMT Standard Time',
  'amsterdam, berlin, bern, rome, stockholm, vienna': 'W. Europe Standard Time',
  'brussels, copenhagen, madrid, paris': 'Romance Standard Time',
  'belgrade, bratislava, budapest, ljubljana, prague': 'Central Europe Standard Time',
  'sarajevo, skopje, warsaw, zagreb': 'Central European Standard Time',
  'athens, bucharest': 'GTB Standard Time',
  'helsinki, kyiv, riga, sofia, tallinn, vilnius': 'FLE Standard Time',
  'helsinki, kiev, riga, sofia, tallinn, vilnius': 'FLE Standard Time',
  'moscow, st. petersburg': 'Russian Standard Time',
  'jerusalem': 'Israel Standard Time',
  'abu dhabi, muscat': 'Arabian Standard Time',
  'chennai, kolkata, mumbai, new delhi': 'India Standard Time',
  'beijing, chongqing, hong kong, urumqi': 'China Standard Time',
  'osaka, sapporo, tokyo': 'Tokyo Standard Time',
  'canberra, melbourne, sydney': 'AUS Eastern Standard Time',
  'brisbane': 'E. Australia Standard Time',
  'auckland, wellington': 'New Zealand Standard Time',
  'coordinated universal time': 'UTC',
  'brasilia': 'E. South America Standard Time',
  'buenos aires': 'Argentina Standard Time',
};

const canonical = new Map<string, string>();

/** The IANA zone a TZID names or maps to (or a luxon fixed-offset zone `UTC+1` for a literal offset), or null. */
export function ianaZoneOf(tzid: string): string | null {
  const name = tzid.trim().replace(/^"(.*)"$/, '$1').trim();
  if (name === '') return null;
  const hit = canonical.get(name);
  if (hit !== undefined) return hit;
  const found = findZone(name);
  if (found !== null) canonical.set(name, found);
  return found;
}

function findZone(name: string): string | null {
  if (/^[A-Za-z]/.test(name) && isTimeZone(name)) return name;
  // A literal fixed offset ("UTC+01", "GMT-05:00"): the name says the offset, with no DST to guess.
  const fixed = /^(?:UTC|GMT)\s*([+-])(\d{1,2})(?::?(\d{2}))?$/i.exec(name);
  if (fixed) return `UTC${fixed[1]}${Number(fixed[2])}${fixed[3] && fixed[3] !== '00' ? `:${fixed[3]}` : ''}`;
  const windows = fromWindows(name);
  if (windows !== null) return windows;
  const display = /^\((?:UTC|GMT)(?:[+-]\d{1,2}:\d{2})?\)\s*(.+)$/i.exec(name);
  if (display) {
    const id = DISPLAY_NAMES[display[1]!.trim().toLowerCase().replace(/\band\b/g, '&')];
    if (id !== undefined) return fromWindows(id);
  }
  // A path whose tail is an IANA name (Lightning's "/mozilla.org/20050126_1/Europe/Berlin",
  // "/freeassociation.sourceforge.net/Tzfile/Europe/London").
  if (name.includes('/')) {
    const parts = name.split('/').filter((p) => p !== '');
    for (let i = name.startsWith('/') ? 0 : 1; i < parts.length; i += 1) {
      const tail = parts.slice(i).join('/');
      if (/^[A-Za-z]/.test(tail) && tail.includes('/') && isTimeZone(tail)) return tail;
    }
  }
  return null;
}

function fromWindows(name: string): string | null {
  const ids = findIana(name);
  for (const id of ids) if (isTimeZone(id)) return id;
  return null;
}

const reaches = new WeakMap<Component, Reach>();

const wall = (t: InstanceType<typeof ICAL.Time>) =>
  ((((t.year * 100 + t.month) * 100 + t.day) * 100 + t.hour) * 100 + t.minute) * 100 + t.second;

/** How far a VTIMEZONE's observances reach (see the module comment). */
function reachOf(vtimezone: Component): Reach {
  const cached = reaches.get(vtimezone);
  if (cached) return cached;
  let from = Infinity;
  let until = -Infinity;
  let unbounded = false;
  const offsets = new Set<string>();
  for (const obs of vtimezone.getAllSubcomponents()) {
    if (obs.name !== 'standard' && obs.name !== 'daylight') continue;
    offsets.add(String(obs.getFirstPropertyValue('tzoffsetto')));
    const start = obs.getFirstPropertyValue('dtstart');
    if (!(start instanceof ICAL.Time)) continue;
    from = Math.min(from, wall(start));
    until = Math.max(until, wall(start));
    for (const prop of obs.getAllProperties('rdate')) {
      for (const v of prop.getValues()) if (v instanceof ICAL.Time) until = Math.max(until, wall(v));
    }
    for (const prop of obs.getAllProperties('rrule')) {
      const rule = prop.getFirstValue();
      if (!(rule instanceof ICAL.Recur)) continue;
      if (rule.until) until = Math.max(until, wall(rule.until));
      else if (rule.count) {
        const it = rule.iterator(start);
        for (let i = 0, t = it.next(); t && i < 10_000; i += 1, t = it.next()) until = Math.max(until, wall(t));
      } else unbounded = true;
    }
  }
  // A zone with one offset (or rules without end) needs no more transitions to stay right.
  const reach = { from: from === Infinity ? -Infinity : from, until: unbounded || offsets.size <= 1 ? Infinity : until };
  reaches.set(vtimezone, reach);
  return reach;
}

/** Whether a wall-clock time lies where a VTIMEZONE's offsets are known. */
export function withinReach(reach: Reach, t: InstanceType<typeof ICAL.Time>): boolean {
  const w = wall(t);
  return w >= reach.from && w <= reach.until;
}

/**
 * Resolves a TZID parameter. `attached` is the zone ical.js attached from the calendar's own
 * VTIMEZONE of that TZID, if any.
 */
export function resolveTzid(tzid: string, attached: Timezone | null): ZoneResolution {
  const iana = ianaZoneOf(tzid);
  if (iana !== null) return { kind: 'iana', zone: iana };
  if (attached?.component) return { kind: 'vtimezone', tz: attached, reach: reachOf(attached.component) };
  return { kind: 'unknown', reason: `TZID "${tzid}" is neither an IANA zone nor a Windows zone name, and the file has no VTIMEZONE for it` };
}
