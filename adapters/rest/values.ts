import { DateTime } from 'luxon';
import { isLocalDate, localDateOf, localMidnight } from '../../src/domain/index.js';
import type { LocalDate } from '../../src/domain/index.js';

/**
 * Reading loosely typed PMS values: home-grown systems send numbers as strings, dates with or
 * without a time, flags as "Y". Each reader returns undefined for a value it cannot read.
 */

/** A date or date-time: `YYYY-MM-DD` (a local date), ISO 8601 (offset or site-local), or epoch. */
export type When = { date: LocalDate } | { instant: number };

/** Epoch numbers below this are seconds, above it milliseconds (1973 in ms, year 5138 in s). */
const EPOCH_MS_THRESHOLD = 1e11;

export function readWhen(value: unknown, tz: string): When | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) {
    return { instant: Math.abs(value) < EPOCH_MS_THRESHOLD ? value * 1000 : value };
  }
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  if (/^\d{4}-\d{2}-\d{2}$/.test(text)) return isLocalDate(text) ? { date: text } : undefined;
  if (!/^\d{4}-\d{2}-\d{2}[T ]/.test(text)) return undefined;
  // Without an offset, a date-time is the PMS's wall clock: the site's time zone.
  const dt = DateTime.fromISO(text.replace(' ', 'T'), { zone: tz });
  return dt.isValid ? { instant: dt.toMillis() } : undefined;
}

export function whenToDate(when: When, tz: string): LocalDate {
  return 'date' in when ? when.date : localDateOf(when.instant, tz);
}

export function whenToInstant(when: When, tz: string): number {
  return 'date' in when ? localMidnight(when.date, tz) : when.instant;
}

/** An instant (created/modified times): as {@link readWhen}, a bare date meaning its local midnight. */
export function readInstant(value: unknown, tz: string): number | undefined {
  const when = readWhen(value, tz);
  return when === undefined ? undefined : whenToInstant(when, tz);
}

/** A count-of-things: a finite number or numeric string, truncated to an integer. */
export function readNumber(value: unknown): number | undefined {
  const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : Number.NaN;
  return Number.isFinite(n) ? Math.trunc(n) : undefined;
}

/** An id: a non-empty string or a number. */
export function readId(value: unknown): string | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value === 'string' && value.trim() !== '') return value.trim();
  return undefined;
}

const TRUE = new Set(['true', '1', 'y', 'yes', 'closed', 'on']);

/** A flag: true, 1, "true", "1", "Y", "yes", "closed", "on" (case-insensitive); anything else is false. */
export function readFlag(value: unknown): boolean {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number') return value !== 0;
  return typeof value === 'string' && TRUE.has(value.trim().toLowerCase());
}
