import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { localMidnight } from '../../src/domain/index.js';
import type { SourceBooking } from '../../src/core/adapter/port.js';
import { MAX_INSTANCES, normalizeCalendar } from './index.js';
import type { NormalizeOptions } from './index.js';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');
const WINDOW = { start: Date.UTC(2027, 2, 1), end: Date.UTC(2027, 4, 1) };

function run(ics: string, over: Partial<NormalizeOptions> = {}) {
  return normalizeCalendar(ics, {
    resource: { id: 'hall', bookedBy: 'time' },
    timezone: 'Europe/Berlin',
    window: WINDOW,
    ...over,
  });
}

/** `{ externalId: [startISO, endISO] }` of time spans, for readable expectations. */
function spans(bookings: SourceBooking[]): Record<string, [string, string]> {
  const out: Record<string, [string, string]> = {};
  for (const b of bookings) {
    if (b.span.by !== 'time') throw new Error(`${b.externalId} is not a time span`);
    out[b.externalId] = [new Date(b.span.start).toISOString(), new Date(b.span.end).toISOString()];
  }
  return out;
}

const byId = (bookings: SourceBooking[], id: string) => bookings.find((b) => b.externalId === id);

describe('normalizeCalendar: time zones and DST', () => {
  it('a weekly 09:00 Europe/Berlin event moves from 08:00Z to 07:00Z across 2027-03-28 (VTIMEZONE in the file)', () => {
    // The site zone is deliberately another one: the TZID decides, not the site.
    const { bookings, skipped } = run(fixture('berlin-weekly-dst.ics'), { timezone: 'America/New_York', idPrefix: '/cal/' });
    expect(skipped).toEqual([]);
    expect(spans(bookings)).toEqual({
      '/cal/yoga-weekly@studio.example@20270315T080000Z': ['2027-03-15T08:00:00.000Z', '2027-03-15T09:00:00.000Z'],
      '/cal/yoga-weekly@studio.example@20270322T080000Z': ['2027-03-22T08:00:00.000Z', '2027-03-22T09:00:00.000Z'],
      '/cal/yoga-weekly@studio.example@20270329T070000Z': ['2027-03-29T07:00:00.000Z', '2027-03-29T08:00:00.000Z'],
      '/cal/yoga-weekly@studio.example@20270405T070000Z': ['2027-04-05T07:00:00.000Z', '2027-04-05T08:00:00.000Z'],
    });
    const first = bookings[0]!;
    expect(first).toMatchObject({ resource: 'hall', quantity: 1, status: 'confirmed', busy: true });
    expect(first.createdAt).toBe(Date.UTC(2027, 0, 1, 11));
    expect(first.updatedAt).toBe(Date.UTC(2027, 0, 2, 8, 30));
  });

  it('an America/New_York TZID without a VTIMEZONE converts by the IANA name across 2027-03-14', () => {
    const { bookings, skipped } = run(fixture('new-york-no-vtimezone.ics'));
    expect(skipped).toEqual([]);
    expect(spans(bookings)).toEqual({
      'court-daily@ny.example@20270312T140000Z': ['2027-03-12T14:00:00.000Z', '2027-03-12T15:30:00.000Z'],
      'court-daily@ny.example@20270313T140000Z': ['2027-03-13T14:00:00.000Z', '2027-03-13T15:30:00.000Z'],
      'court-daily@ny.example@20270314T130000Z': ['2027-03-14T13:00:00.000Z', '2027-03-14T14:30:00.000Z'],
      'court-daily@ny.example@20270315T130000Z': ['2027-03-15T13:00:00.000Z', '2027-03-15T14:30:00.000Z'],
    });
  });

  it('a non-IANA TZID ("W. Europe Standard Time", Outlook) is converted by its own VTIMEZONE rules', () => {
    // Site zone UTC: were the VTIMEZONE ignored, 09:00 would come out as 09:00Z.
    const { bookings, skipped } = run(fixture('outlook-windows-tzid.ics'), { timezone: 'UTC' });
    expect(skipped).toEqual([]);
    const uid = '040000008200E00074C5B7101A82E00800000000A0B1C2D3E4F5';
    expect(spans(bookings)).toEqual({
      [`${uid}@20270322T080000Z`]: ['2027-03-22T08:00:00.000Z', '2027-03-22T08:30:00.000Z'],
      [`${uid}@20270329T070000Z`]: ['2027-03-29T07:00:00.000Z', '2027-03-29T07:30:00.000Z'],
      [`${uid}@20270405T070000Z`]: ['2027-04-05T07:00:00.000Z', '2027-04-05T07:30:00.000Z'],
    });
  });

  it('two calendars may define the same TZID differently without affecting each other', () => {
    const cal = (offset: string) => [
      'BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:x',
      'BEGIN:VTIMEZONE', 'TZID:Custom Zone', 'BEGIN:STANDARD', 'DTSTART:19700101T000000',
      `TZOFFSETFROM:${offset}`, `TZOFFSETTO:${offset}`, 'END:STANDARD', 'END:VTIMEZONE',
      'BEGIN:VEVENT', 'UID:e', 'DTSTAMP:20270101T000000Z',
      'DTSTART;TZID=Custom Zone:20270310T120000', 'DTEND;TZID=Custom Zone:20270310T130000',
      'END:VEVENT', 'END:VCALENDAR', '',
    ].join('\r\n');
    expect(spans(run(cal('+0300')).bookings).e).toEqual(['2027-03-10T09:00:00.000Z', '2027-03-10T10:00:00.000Z']);
    expect(spans(run(cal('+0500')).bookings).e).toEqual(['2027-03-10T07:00:00.000Z', '2027-03-10T08:00:00.000Z']);
  });

  it('floating times are local to the site zone', () => {
    const berlin = byId(run(fixture('flags.ics')).bookings, 'floating@hall.example');
    expect(spans([berlin!])).toEqual({ 'floating@hall.example': ['2027-03-30T07:00:00.000Z', '2027-03-30T09:00:00.000Z'] });
    const tokyo = byId(run(fixture('flags.ics'), { timezone: 'Asia/Tokyo' }).bookings, 'floating@hall.example');
    expect(spans([tokyo!])).toEqual({ 'floating@hall.example': ['2027-03-30T00:00:00.000Z', '2027-03-30T02:00:00.000Z'] });
  });

  it('a nominal DURATION of one day follows the wall clock across DST (23 hours on 2027-03-28)', () => {
    const ics = [
      'BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:x', 'BEGIN:VEVENT', 'UID:d', 'DTSTAMP:20270101T000000Z',
      'DTSTART;TZID=Europe/Berlin:20270327T220000', 'DURATION:P1D', 'RRULE:FREQ=DAILY;COUNT=2',
      'END:VEVENT', 'END:VCALENDAR', '',
    ].join('\r\n');
    expect(spans(run(ics).bookings)).toEqual({
      'd@20270327T210000Z': ['2027-03-27T21:00:00.000Z', '2027-03-28T20:00:00.000Z'],
      'd@20270328T200000Z': ['2027-03-28T20:00:00.000Z', '2027-03-29T20:00:00.000Z'],
    });
  });
});

describe('normalizeCalendar: all-day events are local dates', () => {
  it('blocks local midnight to local midnight on a time resource', () => {
    const { bookings, skipped } = run(fixture('all-day.ics'));
    expect(skipped).toEqual([]);
    const s = spans(bookings);
    // 2027-03-27 00:00 CET is 26th 23:00Z; 2027-03-29 00:00 CEST is 28th 22:00Z (a 47-hour block).
    expect(s['stay-over-dst@hotel.example']).toEqual(['2027-03-26T23:00:00.000Z', '2027-03-28T22:00:00.000Z']);
    expect(s['one-day@hotel.example']).toEqual(['2027-03-09T23:00:00.000Z', '2027-03-10T23:00:00.000Z']);
    expect(s['duration@hotel.example']).toEqual(['2027-03-31T22:00:00.000Z', '2027-04-03T22:00:00.000Z']);
    // Recurring all-day: the instance key is the date; the EXDATE removed April.
    expect(Object.keys(s).filter((id) => id.startsWith('monthly-'))).toEqual(['monthly-maintenance@hotel.example@20270305']);
    expect(bookings.find((b) => b.externalId.startsWith('monthly-'))?.span).toEqual({
      by: 'time', start: localMidnight('2027-03-05', 'Europe/Berlin'), end: localMidnight('2027-03-06', 'Europe/Berlin'),
    });
  });

  it('are the nights of the stay on a night resource, whatever the zone', () => {
    for (const timezone of ['Europe/Berlin', 'Pacific/Auckland', 'America/Los_Angeles']) {
      const { bookings } = run(fixture('all-day.ics'), { timezone, resource: { id: 'double', bookedBy: 'night' } });
      expect(byId(bookings, 'stay-over-dst@hotel.example')?.span).toEqual({ by: 'night', nights: ['2027-03-27', '2027-03-28'] });
      expect(byId(bookings, 'duration@hotel.example')?.span).toEqual({ by: 'night', nights: ['2027-04-01', '2027-04-02', '2027-04-03'] });
      expect(byId(bookings, 'one-day@hotel.example')?.span).toEqual({ by: 'night', nights: ['2027-03-10'] });
    }
  });

  it('timed events on a night resource take the local dates they span, at least the start date', () => {
    const ics = [
      'BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:x',
      'BEGIN:VEVENT', 'UID:stay', 'DTSTAMP:20270101T000000Z',
      'DTSTART;TZID=Europe/Berlin:20270310T150000', 'DTEND;TZID=Europe/Berlin:20270312T110000', 'END:VEVENT',
      'BEGIN:VEVENT', 'UID:day-use', 'DTSTAMP:20270101T000000Z',
      'DTSTART:20270315T090000Z', 'DTEND:20270315T120000Z', 'END:VEVENT',
      // 23:30Z on the 19th is already the 20th in Berlin.
      'BEGIN:VEVENT', 'UID:late', 'DTSTAMP:20270101T000000Z',
      'DTSTART:20270319T233000Z', 'DTEND:20270321T090000Z', 'END:VEVENT',
      'END:VCALENDAR', '',
    ].join('\r\n');
    const { bookings } = run(ics, { resource: { id: 'double', bookedBy: 'night' } });
    expect(Object.fromEntries(bookings.map((b) => [b.externalId, b.span]))).toEqual({
      stay: { by: 'night', nights: ['2027-03-10', '2027-03-11'] },
      'day-use': { by: 'night', nights: ['2027-03-15'] },
      late: { by: 'night', nights: ['2027-03-20'] },
    });
  });
});

describe('normalizeCalendar: recurrence exceptions', () => {
  const { bookings, skipped } = run(fixture('exceptions.ics'));
  const uid = 'class@gym.example';

  it('expands within the window, leaves out EXDATEs (TZID and UTC forms) and overridden instances', () => {
    expect(skipped).toEqual([]);
    const ids = bookings.map((b) => b.externalId).sort();
    expect(ids).toEqual([
      `${uid}@20270303T170000Z`,
      `${uid}@20270317T170000Z`, // moved to Thursday
      `${uid}@20270324T170000Z`, // cancelled
      `${uid}@20270414T160000Z`,
      `${uid}@20270421T160000Z`,
      `${uid}@20270428T160000Z`,
      `${uid}@20270505T160000Z`, // an instance after the window, moved into it
    ]);
  });

  it('a RECURRENCE-ID override replaces its instance with its own times and stamps', () => {
    const moved = byId(bookings, `${uid}@20270317T170000Z`)!;
    expect(spans([moved])[moved.externalId]).toEqual(['2027-03-18T19:00:00.000Z', '2027-03-18T20:30:00.000Z']);
    expect(moved.updatedAt).toBe(Date.UTC(2027, 1, 1));
    expect(moved.createdAt).toBe(Date.UTC(2026, 11, 1, 10)); // the master's CREATED
  });

  it('a cancelled override cancels that instance only', () => {
    expect(byId(bookings, `${uid}@20270324T170000Z`)?.status).toBe('cancelled');
    expect(byId(bookings, `${uid}@20270414T160000Z`)?.status).toBe('confirmed');
  });

  it('an override moved out of the window disappears; one moved into it appears', () => {
    expect(bookings.some((b) => b.externalId.includes('20270407'))).toBe(false);
    const into = byId(bookings, `${uid}@20270505T160000Z`)!;
    expect(spans([into])[into.externalId]).toEqual(['2027-04-28T05:00:00.000Z', '2027-04-28T06:00:00.000Z']);
    expect(into.status).toBe('tentative');
    expect(into.busy).toBe(true);
  });

  it('an unbounded rule is expanded only up to the window end', () => {
    const ics = [
      'BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:x', 'BEGIN:VEVENT', 'UID:forever', 'DTSTAMP:20270101T000000Z',
      'DTSTART:20100101T090000Z', 'DTEND:20100101T100000Z', 'RRULE:FREQ=DAILY', 'END:VEVENT', 'END:VCALENDAR', '',
    ].join('\r\n');
    const result = run(ics);
    expect(result.skipped).toEqual([]);
    expect(result.bookings).toHaveLength(61); // March and April 2027
    expect(result.bookings[0]?.externalId).toBe('forever@20270301T090000Z');
    expect(result.bookings.at(-1)?.externalId).toBe('forever@20270430T090000Z');
  });

  it('a runaway rule is cut at the instance cap and reported', () => {
    const ics = [
      'BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:x', 'BEGIN:VEVENT', 'UID:runaway', 'DTSTAMP:20270101T000000Z',
      'DTSTART:20270301T000000Z', 'DURATION:PT1M', 'RRULE:FREQ=MINUTELY', 'END:VEVENT', 'END:VCALENDAR', '',
    ].join('\r\n');
    const result = run(ics);
    expect(result.bookings).toHaveLength(MAX_INSTANCES);
    expect(result.skipped).toEqual([{ externalId: 'runaway', reason: expect.stringContaining('stopped'), resource: 'hall' }]);
  });
});

describe('normalizeCalendar: flags and window', () => {
  const { bookings } = run(fixture('flags.ics'));

  it('TRANSP:TRANSPARENT is free, TENTATIVE stays busy, CANCELLED is reported as cancelled', () => {
    expect(byId(bookings, 'free@hall.example')).toMatchObject({ busy: false, status: 'confirmed' });
    expect(byId(bookings, 'tentative@hall.example')).toMatchObject({ busy: true, status: 'tentative' });
    expect(spans([byId(bookings, 'tentative@hall.example')!])['tentative@hall.example'])
      .toEqual(['2027-03-11T09:00:00.000Z', '2027-03-11T10:30:00.000Z']);
    expect(byId(bookings, 'cancelled@hall.example')?.status).toBe('cancelled');
  });

  it('reads the hub reference and the stamps', () => {
    expect(byId(bookings, 'avhub-res_42@hub.example')).toMatchObject({
      hubReference: 'res_42', createdAt: Date.UTC(2027, 1, 1, 10, 15), updatedAt: Date.UTC(2027, 1, 2, 8),
    });
    // Without LAST-MODIFIED, DTSTAMP is the best "updated" there is.
    expect(byId(bookings, 'free@hall.example')?.updatedAt).toBe(Date.UTC(2027, 0, 1));
    expect(byId(bookings, 'free@hall.example')?.hubReference).toBeUndefined();
  });

  it('leaves out events that end at the window start or start at its end', () => {
    expect(byId(bookings, 'before-window@hall.example')).toBeUndefined();
    expect(byId(bookings, 'after-window@hall.example')).toBeUndefined();
    expect(bookings).toHaveLength(5);
  });
});

describe('normalizeCalendar: bad input', () => {
  it('skips each malformed event with its reason and keeps the others', () => {
    const { bookings, skipped } = run(fixture('malformed.ics'), { idPrefix: 'p:' });
    // The event without UID is kept under an identity derived from its content (see real-world.test.ts).
    expect(bookings.map((b) => b.externalId).sort()).toEqual(['p:good-1@example', 'p:good-2@example', expect.stringMatching(/^p:nouid-[0-9a-f]{20}$/)]);
    const reasons = Object.fromEntries(skipped.map((s) => [s.externalId, s.reason]));
    expect(Object.keys(reasons).sort()).toEqual([
      'p:backwards@example', 'p:bad-date@example', 'p:bad-rrule@example', 'p:instant@example', 'p:no-start@example',
    ]);
    expect(reasons['p:no-start@example']).toMatch(/missing DTSTART/);
    expect(reasons['p:bad-date@example']).toMatch(/DTSTART/);
    expect(reasons['p:bad-rrule@example']).toMatch(/FORTNIGHTLY/);
    expect(reasons['p:instant@example']).toMatch(/zero-length/);
    expect(reasons['p:backwards@example']).toMatch(/ends before it starts/);
    expect(skipped.every((s) => s.resource === 'hall')).toBe(true);
  });

  it('throws a clear error for text that is not iCalendar at all', () => {
    expect(() => run('<html><body>Please log in</body></html>')).toThrow(/not an iCalendar document/);
    expect(() => run('')).toThrow(/not an iCalendar document/);
    expect(() => run('BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:x\r\n')).toThrow(/not an iCalendar document/);
  });

  it('an empty calendar is no bookings', () => {
    expect(run('BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nEND:VCALENDAR\r\n')).toEqual({ bookings: [], skipped: [] });
  });

  it('refuses an unknown site zone', () => {
    expect(() => run(fixture('flags.ics'), { timezone: 'Mars/Olympus' })).toThrow(/time zone/);
  });
});
