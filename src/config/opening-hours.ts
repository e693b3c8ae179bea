import type { OpeningHours, Weekday } from '../domain/types.js';
import type { PathIssue } from './path.js';

const DAYS: readonly Weekday[] = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
const KEY_HINT = 'use a day (mon..sun), a range like "mon-fri" or "sat-sun", or "daily"';
const VALUE_HINT = 'use "HH:MM-HH:MM", several separated by commas like "10:00-14:00, 15:00-18:00", or "closed"';
const RANGE = /^(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})$/;

type Range = { from: number; to: number };

/**
 * Parses the `openingHours` rule into local minute ranges per weekday. Keys are days, day ranges
 * (which may wrap, like `fri-mon`) or `daily`; a more specific key wins, so `daily` plus
 * `sun: closed` means every day but Sunday. Ranges end at most at `24:00` and never cross midnight.
 * Issue paths are relative to the `openingHours` mapping.
 */
export function parseOpeningHours(
  raw: unknown,
): { ok: true; value: OpeningHours } | { ok: false; issues: PathIssue[] } {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    return { ok: false, issues: [{ path: [], message: `expected a mapping like { mon-fri: "08:00-22:00" }; ${KEY_HINT}` }] };
  }
  const issues: PathIssue[] = [];
  // Specificity: 0 daily, 1 range, 2 single day. The key that set each day, for overlap messages.
  const chosen = new Map<Weekday, { key: string; specificity: number; ranges: Range[] }>();
  for (const [key, value] of Object.entries(raw)) {
    const days = parseDays(key);
    if (days === undefined) {
      issues.push({ path: [key], message: `"${key}" is not a day; ${KEY_HINT}` });
      continue;
    }
    const ranges = parseRanges(value);
    if (typeof ranges === 'string') {
      issues.push({ path: [key], message: ranges });
      continue;
    }
    const specificity = key === 'daily' ? 0 : days.length === 1 ? 2 : 1;
    for (const day of days) {
      const previous = chosen.get(day);
      if (previous !== undefined && previous.specificity === specificity) {
        issues.push({ path: [key], message: `${day} is already set by "${previous.key}"; list each day once` });
      } else if (previous === undefined || previous.specificity < specificity) {
        chosen.set(day, { key, specificity, ranges });
      }
    }
  }
  if (issues.length > 0) return { ok: false, issues };
  const value: OpeningHours = {};
  for (const day of DAYS) {
    const ranges = chosen.get(day)?.ranges;
    if (ranges !== undefined && ranges.length > 0) value[day] = ranges;
  }
  return { ok: true, value };
}

function parseDays(key: string): Weekday[] | undefined {
  if (key === 'daily') return [...DAYS];
  const [first, last, extra] = key.split('-');
  const start = DAYS.indexOf(first as Weekday);
  if (start === -1 || extra !== undefined) return undefined;
  if (last === undefined) return [DAYS[start]!];
  const end = DAYS.indexOf(last as Weekday);
  if (end === -1 || end === start) return undefined;
  const days: Weekday[] = [];
  for (let i = start; ; i = (i + 1) % 7) {
    days.push(DAYS[i]!);
    if (i === end) return days;
  }
}

/** The day's ranges, sorted, or an error message. */
function parseRanges(value: unknown): Range[] | string {
  if (typeof value !== 'string') return `expected a string; ${VALUE_HINT}`;
  if (value.trim() === 'closed') return [];
  const ranges: Range[] = [];
  for (const part of value.split(',')) {
    const match = RANGE.exec(part.trim());
    if (match === null) return `"${part.trim()}" is not a time range; ${VALUE_HINT}`;
    const [, fh, fm, th, tm] = match.map(Number) as [number, number, number, number, number];
    const from = fh * 60 + fm;
    const to = th * 60 + tm;
    if (fh > 23 || fm > 59 || th > 24 || tm > 59 || (th === 24 && tm !== 0)) {
      return `"${part.trim()}" has an invalid time; hours run 00:00 to 24:00`;
    }
    if (to <= from) {
      return `"${part.trim()}" ends before it starts; a range cannot cross midnight, so split it, e.g. fri "22:00-24:00" and sat "00:00-02:00"`;
    }
    ranges.push({ from, to });
  }
  ranges.sort((a, b) => a.from - b.from);
  for (let i = 1; i < ranges.length; i++) {
    if (ranges[i]!.from < ranges[i - 1]!.to) return `"${value}" has overlapping ranges; list them without overlap`;
  }
  return ranges;
}
