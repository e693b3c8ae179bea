import ICAL from 'ical.js';

/**
 * Parsing a calendar text with ical.js so that one broken event cannot sink the others: ical.js
 * rejects a whole document for one bad property value (an unknown RRULE frequency), so when the
 * whole text fails, each VEVENT is tried on its own and only the ones that fail are dropped.
 */

type Component = InstanceType<typeof ICAL.Component>;

export interface ParsedCalendar {
  /** The VCALENDAR components (a stream may hold several). */
  calendars: Component[];
  /** Events ical.js could not parse, with the UID when one can be read. */
  rejected: Array<{ uid: string | null; reason: string }>;
  /** What was repaired to read the rest (stray lines left out), for the skip report. */
  notes: string[];
}

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

/** Parses text ical.js accepts into VCALENDAR components; throws when there is none. */
function parseStrict(ics: string): Component[] {
  const jcal: unknown = ICAL.parse(ics);
  if (!Array.isArray(jcal) || jcal.length === 0) throw new Error('no iCalendar component found');
  // One component parses to ['vcalendar', props, subs]; a stream to an array of those.
  const list: unknown[] = typeof jcal[0] === 'string' ? [jcal] : jcal;
  const calendars = list.map((j) => new ICAL.Component(j as unknown[]));
  if (!calendars.some((c) => c.name === 'vcalendar')) throw new Error('no VCALENDAR component found');
  return calendars.filter((c) => c.name === 'vcalendar');
}

/** Splits the text into the lines outside VEVENTs and the VEVENT blocks (line-level only). */
function splitEvents(ics: string): { shell: string[]; events: string[][] } {
  const shell: string[] = [];
  const events: string[][] = [];
  let current: string[] | null = null;
  let depth = 0;
  for (const line of ics.split(/\r?\n/)) {
    const upper = line.trim().toUpperCase();
    if (current === null) {
      if (upper === 'BEGIN:VEVENT') { current = [line]; depth = 1; } else shell.push(line);
      continue;
    }
    current.push(line);
    if (upper.startsWith('BEGIN:')) depth += 1;
    else if (upper.startsWith('END:')) depth -= 1;
    if (depth === 0) { events.push(current); current = null; }
  }
  if (current !== null) events.push(current);
  return { shell, events };
}

/** The UID of an event block that ical.js refused, for the skip report only. */
function uidOf(block: string[]): string | null {
  for (const line of block) {
    const m = /^UID(?:;[^:]*)?:(.*)$/i.exec(line.trim());
    if (m) return m[1]!.trim() || null;
  }
  return null;
}

/** Inserts event blocks before the shell's last END:VCALENDAR. */
function withEvents(shell: string[], events: string[][]): string {
  let end = -1;
  for (let i = shell.length - 1; i >= 0; i -= 1) {
    if (shell[i]!.trim().toUpperCase() === 'END:VCALENDAR') { end = i; break; }
  }
  if (end < 0) throw new Error('no END:VCALENDAR');
  return [...shell.slice(0, end), ...events.flat(), ...shell.slice(end)].join('\r\n');
}

/** A content line (`NAME[;params]:value`), a folded continuation or an empty line (RFC 5545 §3.1). */
const isContentLine = (line: string) => line === '' || /^[ \t]/.test(line) || /^[A-Za-z0-9-]+[;:]/.test(line);

/** The lines that are not content lines, left out; how many there were. */
function withoutStrayLines(lines: string[]): { lines: string[]; dropped: number } {
  const kept = lines.filter(isContentLine);
  return { lines: kept, dropped: lines.length - kept.length };
}

const plural = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`;

/**
 * Parses an iCalendar text. When ical.js refuses the whole text, each VEVENT is tried alone, so
 * one broken event costs only itself; lines that are not iCalendar content lines (a stray line of
 * text an exporter left outside or inside an event) are left out and reported in `notes`.
 * @throws Error when the text is not an iCalendar document at all (an HTML page, truncated text).
 */
export function parseCalendarText(ics: string): ParsedCalendar {
  if (ics.trim() === '') throw new Error('not an iCalendar document: the text is empty');
  let firstError: unknown;
  try {
    return { calendars: parseStrict(ics), rejected: [], notes: [] };
  } catch (e) {
    firstError = e;
  }
  const notes: string[] = [];
  const split = splitEvents(ics);
  let shell = split.shell;
  try {
    parseStrict(withEvents(shell, []));
  } catch {
    const repaired = withoutStrayLines(shell);
    try {
      if (repaired.dropped === 0) throw new Error('nothing to repair');
      parseStrict(withEvents(repaired.lines, []));
    } catch {
      throw new Error(`not an iCalendar document: ${message(firstError)}`);
    }
    shell = repaired.lines;
    notes.push(`${plural(repaired.dropped, 'line')} outside any event ${repaired.dropped === 1 ? 'is' : 'are'} not iCalendar and ${repaired.dropped === 1 ? 'was' : 'were'} ignored`);
  }
  const good: string[][] = [];
  const rejected: ParsedCalendar['rejected'] = [];
  for (const block of split.events) {
    try {
      parseStrict(withEvents(shell, [block]));
      good.push(block);
    } catch (e) {
      const repaired = withoutStrayLines(block);
      try {
        if (repaired.dropped === 0) throw e;
        parseStrict(withEvents(shell, [repaired.lines]));
        good.push(repaired.lines);
        notes.push(`event ${uidOf(block) ?? '(no uid)'}: ${plural(repaired.dropped, 'line')} that ${repaired.dropped === 1 ? 'is' : 'are'} not iCalendar ignored`);
      } catch {
        rejected.push({ uid: uidOf(block), reason: `unreadable event: ${message(e)}` });
      }
    }
  }
  return { calendars: parseStrict(withEvents(shell, good)), rejected, notes };
}
