import type { PullRequest, SourceSite } from '../../src/core/adapter/port.js';

/** iCalendar texts and request builders for the CalDAV tests (the events staff make at the site). */

const basic = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z').replace(/[-:]/g, '');

export const calendar = (...events: string[]) => [
  'BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//avhub tests//caldav//EN', ...events, 'END:VCALENDAR', '',
].join('\r\n');

/** A plain busy event in UTC. */
export function simpleEvent(uid: string, start: number, end: number, extra: string[] = []): string {
  return calendar([
    'BEGIN:VEVENT', `UID:${uid}`, 'DTSTAMP:20270101T000000Z', `DTSTART:${basic(start)}`, `DTEND:${basic(end)}`,
    'SUMMARY:Booked at the site', ...extra, 'END:VEVENT',
  ].join('\r\n'));
}

/** Europe/Berlin as Outlook and Thunderbird write it (CET/CEST rules since 1996). */
export const VTIMEZONE_BERLIN = [
  'BEGIN:VTIMEZONE', 'TZID:Europe/Berlin',
  'BEGIN:DAYLIGHT', 'TZOFFSETFROM:+0100', 'TZOFFSETTO:+0200', 'TZNAME:CEST', 'DTSTART:19700329T020000',
  'RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU', 'END:DAYLIGHT',
  'BEGIN:STANDARD', 'TZOFFSETFROM:+0200', 'TZOFFSETTO:+0100', 'TZNAME:CET', 'DTSTART:19701025T030000',
  'RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU', 'END:STANDARD',
  'END:VTIMEZONE',
].join('\r\n');

export function site(resources: Array<{ id: string; calendar: string; bookedBy?: 'time' | 'night' }>, timezone = 'Europe/Berlin'): SourceSite {
  return {
    id: 'north', timezone,
    resources: resources.map((r) => ({ id: r.id, kind: 'unit' as const, bookedBy: r.bookedBy ?? 'time', capacity: 1, mapping: { calendar: r.calendar } })),
  };
}

const WINDOW = { start: Date.UTC(2027, 2, 1), end: Date.UTC(2027, 4, 1) };

export function pullRequest(s: SourceSite, cursor: string | null, opts: { throttle?: () => Promise<void> } = {}): PullRequest {
  return { site: s, window: WINDOW, cursor, signal: new AbortController().signal, throttle: opts.throttle ?? (async () => undefined) };
}

export const silentLog = { warn: () => undefined, info: () => undefined };
