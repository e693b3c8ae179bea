import { describe, expect, it } from 'vitest';
import { MAX_INSTANCES, normalizeCalendar } from './index.js';

/**
 * Issue 16: SECONDLY and MINUTELY rules never lose instances without a note, and a rule whose BY
 * parts match rarely or never cannot hold the event loop (ical.js steps such rules one second at
 * a time inside a single `next()`).
 */
const WINDOW = { start: Date.UTC(2027, 2, 1), end: Date.UTC(2027, 4, 1) };

function run(...lines: string[]) {
  return normalizeCalendar(['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//test//EN', 'BEGIN:VEVENT', 'DTSTAMP:20270101T000000Z',
    ...lines, 'END:VEVENT', 'END:VCALENDAR', ''].join('\r\n'), {
    resource: { id: 'hall', bookedBy: 'time' }, timezone: 'Europe/Berlin', window: WINDOW,
  });
}

describe('expansion caps of fast rules are reported', () => {
  it('FREQ=SECONDLY cut at the instance cap is reported even when EXDATEs leave fewer instances than the cap', () => {
    const { bookings, skipped } = run('UID:sec', 'DTSTART:20270301T000000Z', 'DURATION:PT1S', 'RRULE:FREQ=SECONDLY',
      'EXDATE:20270301T000001Z,20270301T000002Z');
    expect(bookings.length).toBe(MAX_INSTANCES - 1);
    expect(skipped).toEqual([{ externalId: 'sec', resource: 'hall', reason: expect.stringMatching(/FREQ=SECONDLY stopped at 5000 instances in the window; later instances are missing/) }]);
  });

  it('FREQ=MINUTELY cut at the instance cap is reported once, naming the rule', () => {
    const { bookings, skipped } = run('UID:min', 'DTSTART:20270301T000000Z', 'DURATION:PT1M', 'RRULE:FREQ=MINUTELY;INTERVAL=2');
    expect(bookings).toHaveLength(MAX_INSTANCES);
    expect(skipped).toEqual([{ externalId: 'min', resource: 'hall', reason: expect.stringMatching(/FREQ=MINUTELY stopped at 5000/) }]);
  });

  it('FREQ=SECONDLY starting a day before the window is cut at the step cap and reported', () => {
    const { bookings, skipped } = run('UID:early', 'DTSTART:20270228T000000Z', 'DURATION:PT1S', 'RRULE:FREQ=SECONDLY');
    expect(bookings).toEqual([]);
    expect(skipped).toEqual([{ externalId: 'early', resource: 'hall', reason: expect.stringMatching(/FREQ=SECONDLY stopped after 50001 rule steps \(0 found in the window\)/) }]);
  });

  it('a complete SECONDLY expansion has no note', () => {
    const { bookings, skipped } = run('UID:ok', 'DTSTART:20270301T090000Z', 'DURATION:PT1S', 'RRULE:FREQ=SECONDLY;COUNT=120');
    expect(bookings).toHaveLength(120);
    expect(skipped).toEqual([]);
  });
});

describe('rules whose BY parts never or rarely match end, with a note', () => {
  it.each([
    ['FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30', 40_000],
    ['FREQ=MINUTELY;BYMONTH=2;BYMONTHDAY=30', 200_000],
    ['FREQ=SECONDLY;BYMONTH=2;BYMONTHDAY=30', 200_000],
  ])('%s (30 February) ends and is reported', (rule, cap) => {
    const { bookings, skipped } = run('UID:never', 'DTSTART:20270301T000000Z', 'DURATION:PT1S', `RRULE:${rule}`);
    // DTSTART itself is an instance (RFC 5545 §3.8.5.3); the rule adds none.
    expect(bookings).toHaveLength(1);
    expect(skipped).toEqual([{ externalId: 'never', resource: 'hall',
      reason: `recurrence expansion of ${rule.slice(0, rule.indexOf(';'))} stopped after trying ${cap} candidate times (its BY parts match rarely or never; 1 found in the window); later instances are missing` }]);
  });

  it('FREQ=SECONDLY;BYMONTH=4;BYDAY=MO (seconds of Mondays in April, a month after DTSTART) is cut and reported, not minutes of work', () => {
    const { skipped } = run('UID:rare', 'DTSTART:20270301T000000Z', 'DURATION:PT1S', 'RRULE:FREQ=SECONDLY;BYMONTH=4;BYDAY=MO;BYHOUR=9;BYMINUTE=0');
    expect(skipped).toEqual([{ externalId: 'rare', resource: 'hall', reason: expect.stringMatching(/FREQ=SECONDLY stopped after trying 200000 candidate times/) }]);
  });
});
