import type { PullRequest, PullResult, SourceBooking, SourceSite } from '../../src/core/adapter/port.js';
import type { ContractHarness } from './contract.js';

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

/** Applies a pull the way the core does: live busy bookings by external id. */
export function applyPull(state: Map<string, SourceBooking>, result: PullResult): Map<string, SourceBooking> {
  if (result.mode === 'full') state.clear();
  for (const id of result.removed) state.delete(id);
  for (const b of result.bookings) {
    if (b.status === 'cancelled' || !b.busy) state.delete(b.externalId);
    else state.set(b.externalId, b);
  }
  return state;
}

/**
 * The event steps of the adapter contract on a CalDAV calendar `cal` (a path such as
 * `/north/main-hall/`), for any server that can put and delete objects.
 * External id = calendar path + object name + '#' + UID (adapters/caldav/ids.ts).
 */
export function contractEvents(
  cal: string, put: (calPath: string, name: string, ics: string) => Promise<void>, del: (calPath: string, name: string) => Promise<void>,
): Pick<ContractHarness, 'createEvent' | 'moveEvent' | 'deleteEvent'> {
  let n = 0;
  const parts = (externalId: string) => {
    if (!externalId.startsWith(cal)) throw new Error(`not an id of this harness: ${externalId}`);
    const m = /^([^#]+)#(.+)$/.exec(externalId.slice(cal.length));
    if (!m) throw new Error(`not an id of this harness: ${externalId}`);
    return { name: m[1]!, uid: m[2]! };
  };
  return {
    async createEvent(start, end) {
      n += 1;
      const name = `contract-${n}.ics`;
      const uid = `contract-${n}@site.example`;
      await put(cal, name, simpleEvent(uid, start, end));
      return `${cal}${name}#${uid}`;
    },
    async moveEvent(externalId, start, end) {
      const { name, uid } = parts(externalId);
      await put(cal, name, simpleEvent(uid, start, end, ['SEQUENCE:1']));
    },
    async deleteEvent(externalId) {
      await del(cal, parts(externalId).name);
    },
  };
}
