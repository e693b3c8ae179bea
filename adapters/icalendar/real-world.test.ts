import { describe, expect, it } from 'vitest';
import type { SourceBooking } from '../../src/core/adapter/port.js';
import { MAX_INSTANCES, normalizeCalendar } from './index.js';
import type { NormalizeOptions } from './index.js';

/**
 * The failures of issue 13 (cases 1–8), each as the exporter wrote it. Every test here failed on
 * the normalizer before the fix. Case 9 is in parse (below) and adapters/ical-feed/pull.test.ts,
 * case 10 in test/adapters/caldav-servers.test.ts.
 */

const WINDOW = { start: Date.UTC(2027, 0, 1), end: Date.UTC(2027, 11, 31) };

function run(lines: string[], over: Partial<NormalizeOptions> = {}) {
  return normalizeCalendar(['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//test//EN', ...lines, 'END:VCALENDAR', ''].join('\r\n'), {
    resource: { id: 'hall', bookedBy: 'time' }, timezone: 'Europe/Berlin', window: WINDOW, ...over,
  });
}

const iso = (ms: number) => new Date(ms).toISOString().slice(0, 16);
const spans = (bookings: SourceBooking[]) => bookings.map((b) => {
  if (b.span.by !== 'time') throw new Error('time spans only');
  return `${iso(b.span.start)}/${iso(b.span.end)}`;
}).sort();
const ev = (...lines: string[]) => ['BEGIN:VEVENT', 'DTSTAMP:20270101T000000Z', ...lines, 'END:VEVENT'];

describe('issue 13 case 1: one malformed RECURRENCE-ID never touches other series', () => {
  it('series "a" expands although series "b" has an override written RECURRENCE-ID:20270310', () => {
    const { bookings, skipped } = run([
      ...ev('UID:a', 'DTSTART:20270301T090000Z', 'DTEND:20270301T100000Z', 'RRULE:FREQ=DAILY;COUNT=3'),
      ...ev('UID:b', 'DTSTART;TZID=Europe/Berlin:20270308T120000', 'DTEND;TZID=Europe/Berlin:20270308T130000', 'RRULE:FREQ=DAILY;COUNT=3'),
      ...ev('UID:b', 'RECURRENCE-ID:20270310', 'DTSTART;TZID=Europe/Berlin:20270310T160000', 'DTEND;TZID=Europe/Berlin:20270310T170000'),
    ]);
    expect(skipped).toEqual([]);
    expect(bookings.filter((b) => b.externalId.startsWith('a@')).map((b) => b.externalId)).toEqual([
      'a@20270301T090000Z', 'a@20270302T090000Z', 'a@20270303T090000Z',
    ]);
    // The date names b's instance of that day, which moves to 16:00 local.
    expect(spans(bookings.filter((b) => b.externalId.startsWith('b@')))).toEqual([
      '2027-03-08T11:00/2027-03-08T12:00', '2027-03-09T11:00/2027-03-09T12:00', '2027-03-10T15:00/2027-03-10T16:00',
    ]);
  });
});

describe('issue 13 case 2: offsets of a file\'s VTIMEZONE only where its observances reach', () => {
  // As a WordPress plugin exports Europe/Berlin: only the transitions of the export's year.
  const berlinFrom2027 = [
    'BEGIN:VTIMEZONE', 'TZID:Europe/Berlin',
    'BEGIN:DAYLIGHT', 'TZOFFSETFROM:+0100', 'TZOFFSETTO:+0200', 'TZNAME:CEST', 'DTSTART:20270328T020000', 'END:DAYLIGHT',
    'BEGIN:STANDARD', 'TZOFFSETFROM:+0200', 'TZOFFSETTO:+0100', 'TZNAME:CET', 'DTSTART:20271031T030000', 'END:STANDARD',
    'END:VTIMEZONE',
  ];
  // America/Vancouver written as DTSTART + RDATE (one year of transitions).
  const vancouverRdate = (tzid: string) => [
    'BEGIN:VTIMEZONE', `TZID:${tzid}`,
    'BEGIN:DAYLIGHT', 'TZOFFSETFROM:-0800', 'TZOFFSETTO:-0700', 'TZNAME:PDT', 'DTSTART:20260308T020000', 'RDATE:20260308T020000', 'END:DAYLIGHT',
    'BEGIN:STANDARD', 'TZOFFSETFROM:-0700', 'TZOFFSETTO:-0800', 'TZNAME:PST', 'DTSTART:20261101T020000', 'RDATE:20261101T020000', 'END:STANDARD',
    'END:VTIMEZONE',
  ];

  it('an IANA TZID uses the IANA database: a January event before the VTIMEZONE\'s first observance is CET', () => {
    const { bookings, skipped } = run([...berlinFrom2027,
      ...ev('UID:w', 'DTSTART;TZID=Europe/Berlin:20270115T190000', 'DTEND;TZID=Europe/Berlin:20270115T210000')]);
    expect(skipped).toEqual([]);
    expect(spans(bookings)).toEqual(['2027-01-15T18:00/2027-01-15T20:00']);
  });

  it('an America/Vancouver series is PDT in summer 2027, after the RDATE observances end', () => {
    const { bookings, skipped } = run([...vancouverRdate('America/Vancouver'),
      ...ev('UID:v', 'DTSTART;TZID=America/Vancouver:20270705T090000', 'DTEND;TZID=America/Vancouver:20270705T100000', 'RRULE:FREQ=WEEKLY;COUNT=2')]);
    expect(skipped).toEqual([]);
    expect(spans(bookings)).toEqual(['2027-07-05T16:00/2027-07-05T17:00', '2027-07-12T16:00/2027-07-12T17:00']);
  });

  it('a custom TZID is converted by its VTIMEZONE within reach, and reported (not guessed) beyond it', () => {
    const tz = vancouverRdate('Pacific Custom');
    const inside = run([...tz, ...ev('UID:in', 'DTSTART;TZID=Pacific Custom:20260705T090000', 'DTEND;TZID=Pacific Custom:20260705T100000')],
      { window: { start: Date.UTC(2026, 0, 1), end: Date.UTC(2027, 11, 31) } });
    expect(spans(inside.bookings)).toEqual(['2026-07-05T16:00/2026-07-05T17:00']);
    const beyond = run([...tz, ...ev('UID:out', 'DTSTART;TZID=Pacific Custom:20270705T090000', 'DTEND;TZID=Pacific Custom:20270705T100000')]);
    expect(beyond.bookings).toEqual([]);
    expect(beyond.skipped).toEqual([{ externalId: 'out', resource: 'hall', reason: expect.stringMatching(/VTIMEZONE does not reach/) }]);
    const before = run([...tz, ...ev('UID:early', 'DTSTART;TZID=Pacific Custom:20250105T090000', 'DTEND;TZID=Pacific Custom:20250105T100000')],
      { window: { start: Date.UTC(2025, 0, 1), end: Date.UTC(2025, 11, 31) } });
    expect(before.skipped).toEqual([{ externalId: 'early', resource: 'hall', reason: expect.stringMatching(/VTIMEZONE does not reach/) }]);
  });
});

describe('issue 13 case 3: RDATE;VALUE=PERIOD', () => {
  it('adds instances with their own length and the rule keeps going (9 instances)', () => {
    const { bookings, skipped } = run(ev('UID:p', 'DTSTART:20270301T090000Z', 'DTEND:20270301T100000Z', 'RRULE:FREQ=WEEKLY;COUNT=8',
      'RDATE;VALUE=PERIOD:20270304T140000Z/20270304T170000Z'));
    expect(skipped).toEqual([]);
    expect(bookings).toHaveLength(9);
    expect(spans(bookings)).toContain('2027-03-04T14:00/2027-03-04T17:00');
    expect(spans(bookings)).toContain('2027-04-19T09:00/2027-04-19T10:00');
  });

  it('a PERIOD with a duration, a DATE and a DATE-TIME RDATE all count', () => {
    const { bookings } = run(ev('UID:q', 'DTSTART:20270301T090000Z', 'DURATION:PT1H',
      'RDATE;VALUE=PERIOD:20270305T100000Z/PT2H', 'RDATE:20270306T090000Z'));
    expect(spans(bookings)).toEqual(['2027-03-01T09:00/2027-03-01T10:00', '2027-03-05T10:00/2027-03-05T12:00', '2027-03-06T09:00/2027-03-06T10:00']);
  });
});

describe('issue 13 case 4: two VEVENTs with one UID', () => {
  it('the newest wins (SEQUENCE, then DTSTAMP), wherever it is in the file, and the older is reported', () => {
    const first = run([
      'BEGIN:VEVENT', 'UID:d', 'SEQUENCE:2', 'DTSTAMP:20270102T000000Z', 'DTSTART:20270310T140000Z', 'DTEND:20270310T150000Z', 'END:VEVENT',
      'BEGIN:VEVENT', 'UID:d', 'SEQUENCE:1', 'DTSTAMP:20270103T000000Z', 'DTSTART:20270310T100000Z', 'DTEND:20270310T110000Z', 'END:VEVENT',
    ]);
    expect(spans(first.bookings)).toEqual(['2027-03-10T14:00/2027-03-10T15:00']);
    const second = run([
      'BEGIN:VEVENT', 'UID:d', 'DTSTAMP:20270102T000000Z', 'DTSTART:20270310T100000Z', 'DTEND:20270310T110000Z', 'END:VEVENT',
      'BEGIN:VEVENT', 'UID:d', 'DTSTAMP:20270105T000000Z', 'DTSTART:20270310T140000Z', 'DTEND:20270310T150000Z', 'END:VEVENT',
    ]);
    expect(spans(second.bookings)).toEqual(['2027-03-10T14:00/2027-03-10T15:00']);
    expect(second.skipped).toEqual([{ externalId: 'd', resource: 'hall', reason: expect.stringMatching(/newest/) }]);
  });
});

describe('issue 13 case 5: impossible dates', () => {
  it('DTSTART:20270230T100000Z is not rolled over to 2 March: the event is reported, nothing is booked', () => {
    const { bookings, skipped } = run([
      ...ev('UID:feb30', 'DTSTART:20270230T100000Z', 'DTEND:20270230T110000Z'),
      ...ev('UID:exdate', 'DTSTART:20270301T100000Z', 'DTEND:20270301T110000Z', 'RRULE:FREQ=DAILY;COUNT=2', 'EXDATE:20270231T100000Z'),
      ...ev('UID:ok', 'DTSTART:20270228T100000Z', 'DTEND:20270228T110000Z'),
    ]);
    expect(spans(bookings)).toEqual(['2027-02-28T10:00/2027-02-28T11:00']);
    expect(skipped.map((s) => s.externalId).sort()).toEqual(['exdate', 'feb30']);
    expect(skipped.find((s) => s.externalId === 'feb30')?.reason).toMatch(/not a real date/);
  });
});

describe('issue 13 case 6: events without UID (Outlook Web Access)', () => {
  const owa = (stamp: string) => [
    ...ev('SUMMARY:Busy', 'DTSTART:20270310T090000Z', 'DTEND:20270310T100000Z').map((l) => (l.startsWith('DTSTAMP') ? `DTSTAMP:${stamp}` : l)),
    ...ev('SUMMARY:Busy', 'DTSTART:20270311T090000Z', 'DTEND:20270311T100000Z'),
  ];

  it('are booked under an identity derived from their content, the same at the next export', () => {
    const a = run(owa('20270101T000000Z'));
    const b = run(owa('20270202T101010Z'));
    expect(a.skipped).toEqual([]);
    expect(spans(a.bookings)).toEqual(['2027-03-10T09:00/2027-03-10T10:00', '2027-03-11T09:00/2027-03-11T10:00']);
    expect(a.bookings.map((x) => x.externalId)).toEqual(b.bookings.map((x) => x.externalId));
    expect(new Set(a.bookings.map((x) => x.externalId)).size).toBe(2);
    expect(a.bookings[0]!.externalId).toMatch(/^nouid-[0-9a-f]{20}$/);
  });
});

describe('issue 13 case 7: a Windows or display-name TZID without VTIMEZONE', () => {
  it('maps to its IANA zone by CLDR (never the site zone)', () => {
    const { bookings, skipped } = run([
      ...ev('UID:e', 'DTSTART;TZID="(UTC-05:00) Eastern Time (US and Canada)":20270310T090000', 'DTEND;TZID="(UTC-05:00) Eastern Time (US and Canada)":20270310T100000'),
      ...ev('UID:w', 'DTSTART;TZID=W. Europe Standard Time:20270710T090000', 'DTEND;TZID=W. Europe Standard Time:20270710T100000'),
      ...ev('UID:m', 'DTSTART;TZID=/mozilla.org/20050126_1/America/New_York:20270710T090000', 'DTEND;TZID=/mozilla.org/20050126_1/America/New_York:20270710T100000'),
    ], { timezone: 'Asia/Tokyo' });
    expect(skipped).toEqual([]);
    expect(Object.fromEntries(bookings.map((b) => [b.externalId, spans([b])[0]]))).toEqual({
      e: '2027-03-10T14:00/2027-03-10T15:00', w: '2027-07-10T07:00/2027-07-10T08:00', m: '2027-07-10T13:00/2027-07-10T14:00',
    });
  });

  it('an unknown name is reported, not read in the site zone', () => {
    const { bookings, skipped } = run(ev('UID:x', 'DTSTART;TZID=Mars Standard Time:20270310T090000', 'DTEND;TZID=Mars Standard Time:20270310T100000'));
    expect(bookings).toEqual([]);
    expect(skipped).toEqual([{ externalId: 'x', resource: 'hall', reason: expect.stringMatching(/Mars Standard Time.*no VTIMEZONE/) }]);
  });
});

describe('issue 13 case 8: nothing is truncated or ignored without a note', () => {
  it('an unknown RRULE part (UNTL= for UNTIL=) is reported with the resource', () => {
    const { bookings, skipped } = run(ev('UID:t', 'DTSTART:20270301T090000Z', 'DTEND:20270301T100000Z', 'RRULE:FREQ=WEEKLY;UNTL=20270315T000000Z;COUNT=4'));
    expect(bookings).toHaveLength(4);
    expect(skipped).toEqual([{ externalId: 't', resource: 'hall', reason: expect.stringMatching(/UNTL unknown/) }]);
  });

  it('the expansion cap is reported with the resource it cut', () => {
    const { bookings, skipped } = run(ev('UID:r', 'DTSTART:20270301T000000Z', 'DURATION:PT1M', 'RRULE:FREQ=MINUTELY;INTERVAL=5'));
    expect(bookings).toHaveLength(MAX_INSTANCES);
    expect(skipped).toEqual([{ externalId: 'r', resource: 'hall', reason: expect.stringMatching(/stopped at 5000 instances/) }]);
  });
});

describe('issue 13 case 9 (parsing): a stray line outside any event', () => {
  it('is left out and reported; every event is read', () => {
    const { bookings, skipped } = run([
      'X-WR-CALNAME:Rooms', 'Exported by RoomTool 2.1 - do not edit',
      ...ev('UID:s1', 'DTSTART:20270310T090000Z', 'DTEND:20270310T100000Z'),
      ...ev('UID:s2', 'DTSTART:20270311T090000Z', 'DTEND:20270311T100000Z', 'this line is junk inside an event'),
    ]);
    expect(bookings.map((b) => b.externalId).sort()).toEqual(['s1', 's2']);
    expect(skipped).toEqual([
      { externalId: '(calendar)', resource: 'hall', reason: '1 line outside any event is not iCalendar and was ignored' },
      { externalId: '(calendar)', resource: 'hall', reason: 'event s2: 1 line that is not iCalendar ignored' },
    ]);
  });
});

describe('what the differential test found in real exports', () => {
  it('EXDATE and RDATE written as bare dates (no VALUE=DATE) name that day\'s instance', () => {
    const { bookings, skipped } = run(ev('UID:b', 'DTSTART:20270301T140000Z', 'DTEND:20270301T150000Z', 'RRULE:FREQ=DAILY;COUNT=3',
      'EXDATE:20270302', 'RDATE:20270310'));
    expect(skipped).toEqual([]);
    expect(bookings.map((b) => b.externalId)).toEqual(['b@20270301T140000Z', 'b@20270303T140000Z', 'b@20270310T140000Z']);
  });

  it('floating times are local to the calendar\'s X-WR-TIMEZONE when it names a zone', () => {
    const { bookings } = run(['X-WR-TIMEZONE:US/Pacific', ...ev('UID:f', 'DTSTART:20270310T090000', 'DTEND:20270310T100000')]);
    expect(spans(bookings)).toEqual(['2027-03-10T17:00/2027-03-10T18:00']);
  });

  it('TZIDs "/Europe/Stockholm" and "UTC+01" resolve without guessing', () => {
    const { bookings, skipped } = run([
      ...ev('UID:s', 'DTSTART;TZID=/Europe/Stockholm:20270710T090000', 'DTEND;TZID=/Europe/Stockholm:20270710T100000'),
      ...ev('UID:u', 'DTSTART;TZID=UTC+01:20270710T090000', 'DTEND;TZID=UTC+01:20270710T100000'),
    ]);
    expect(skipped).toEqual([]);
    expect(spans(bookings)).toEqual(['2027-07-10T07:00/2027-07-10T08:00', '2027-07-10T08:00/2027-07-10T09:00']);
  });

  it('an override that cannot be read keeps the instance it names busy, and is reported', () => {
    const { bookings, skipped } = run([
      ...ev('UID:o', 'DTSTART:20270301T100000Z', 'DTEND:20270301T110000Z', 'RRULE:FREQ=DAILY;COUNT=2'),
      ...ev('UID:o', 'RECURRENCE-ID:20270302T100000Z', 'DTSTART:20270302T150000Z', 'DTEND:20270302T140000Z'),
    ]);
    expect(spans(bookings)).toEqual(['2027-03-01T10:00/2027-03-01T11:00', '2027-03-02T10:00/2027-03-02T11:00']);
    expect(skipped).toEqual([{ externalId: 'o@20270302T100000Z', resource: 'hall', reason: expect.stringMatching(/ends before it starts; the series' own instance is kept/) }]);
  });
});
