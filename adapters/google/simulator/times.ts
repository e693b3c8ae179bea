import { DateTime } from 'luxon';
import { isLocalDate, isTimeZone, localMidnight } from '../../../src/domain/index.js';
import { badRequest } from './errors.js';
import type { SimDateTime } from './types.js';

/** RFC 3339 with a mandatory offset (`Z` or `±hh:mm`), as Google requires for timeMin/timeMax. */
const WITH_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?([zZ]|[+-]\d{2}:\d{2})$/;
const WITHOUT_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/;

function hasOffset(s: string): boolean {
  return WITH_OFFSET.test(s);
}

/** Epoch ms of an RFC 3339 timestamp with offset, or NaN. */
export function parseRfc3339(s: string): number {
  return hasOffset(s) ? Date.parse(s) : Number.NaN;
}

/**
 * The instant an EventDateTime starts: a `dateTime` (with its offset, or read in `timeZone`, else
 * in `zone`), or local midnight of a `date` in `zone`.
 */
export function instantOf(dt: SimDateTime, zone: string): number {
  if (dt.date !== undefined) return localMidnight(dt.date, dt.timeZone ?? zone);
  const s = dt.dateTime ?? '';
  if (hasOffset(s)) return Date.parse(s);
  if (WITHOUT_OFFSET.test(s)) return DateTime.fromISO(s, { zone: dt.timeZone ?? zone }).toMillis();
  return Number.NaN;
}

/** `2027-03-13T09:00:00-05:00`: an instant written in a zone's local time, as Google serves it. */
export function formatInZone(ms: number, zone: string): string {
  return DateTime.fromMillis(ms, { zone }).toISO({ suppressMilliseconds: true }) ?? new Date(ms).toISOString();
}

/** Google's `updated`/`created` format: UTC with milliseconds. */
export const isoUtc = (ms: number): string => new Date(ms).toISOString();

/** `20270314T130000Z`: the UTC stamp Google appends to a timed instance's id. */
export function instanceStamp(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

/** `20270314`: the stamp of an all-day instance. */
export const dateStamp = (date: string): string => date.replace(/-/g, '');

/**
 * Checks and normalizes one EventDateTime the way Google does on insert: `date` xor `dateTime`,
 * a known zone, and a zone for offset-less times. Timed values come back written in their zone.
 */
export function normalizeDateTime(dt: unknown, field: 'start' | 'end', calendarZone: string): SimDateTime {
  if (dt === null || typeof dt !== 'object') throw badRequest(`Missing ${field} time.`, field, 'required');
  const { date, dateTime, timeZone } = dt as Record<string, unknown>;
  if (timeZone !== undefined && (typeof timeZone !== 'string' || !isTimeZone(timeZone))) {
    throw badRequest(`Invalid time zone definition for ${field} time.`, `${field}.timeZone`);
  }
  if (date !== undefined && date !== null) {
    if (dateTime !== undefined && dateTime !== null) throw badRequest(`Invalid ${field} time: set date or dateTime, not both.`, field);
    if (!isLocalDate(date)) throw badRequest(`Invalid ${field} date.`, `${field}.date`);
    return { date };
  }
  if (typeof dateTime !== 'string') throw badRequest(`Missing ${field} time.`, field, 'required');
  if (!hasOffset(dateTime) && !(WITHOUT_OFFSET.test(dateTime) && timeZone !== undefined)) {
    throw badRequest(`Missing time zone definition for ${field} time.`, `${field}.dateTime`, 'required');
  }
  const zone = typeof timeZone === 'string' ? timeZone : calendarZone;
  const ms = instantOf({ dateTime, ...(typeof timeZone === 'string' ? { timeZone } : {}) }, zone);
  if (Number.isNaN(ms)) throw badRequest(`Invalid ${field} time.`, `${field}.dateTime`);
  return { dateTime: formatInZone(ms, zone), ...(typeof timeZone === 'string' ? { timeZone } : {}) };
}
