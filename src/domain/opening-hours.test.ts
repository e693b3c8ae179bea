import fc from 'fast-check';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { mergeIntervals, totalLength } from './intervals.js';
import { dayInterval, localDateOf, localMidnight } from './local-dates.js';
import { closedIntervals, openIntervals, weekdayOf } from './opening-hours.js';
import type { Interval, OpeningHours, Weekday } from './types.js';

const H = 3_600_000;
const BERLIN = 'Europe/Berlin';
const NEW_YORK = 'America/New_York';
const z = (y: number, mo: number, d: number, h = 0, mi = 0) => Date.UTC(y, mo - 1, d, h, mi);

describe('weekdayOf', () => {
  it('names the weekday of a date', () => {
    expect(weekdayOf('2027-03-28')).toBe('sun');
    expect(weekdayOf('2027-03-29')).toBe('mon');
    expect(weekdayOf('2028-02-29')).toBe('tue');
  });
});

describe('openIntervals and closedIntervals on DST days', () => {
  it('gives a 23-hour Sunday when open all day during the Berlin spring-forward', () => {
    const day = dayInterval('2027-03-28', BERLIN);
    expect(openIntervals({ sun: [{ from: 0, to: 1440 }] }, day, BERLIN)).toEqual([day]);
    expect(closedIntervals({ sun: [{ from: 0, to: 1440 }] }, day, BERLIN)).toEqual([]);
    expect(day.end - day.start).toBe(23 * H);
  });

  it('skips the missing Berlin hour 02:00-03:00 on 2027-03-28', () => {
    const day = dayInterval('2027-03-28', BERLIN);
    // 01:00-04:00 local is two real hours: 00:00Z-02:00Z.
    expect(openIntervals({ sun: [{ from: 60, to: 240 }] }, day, BERLIN)).toEqual([
      { start: z(2027, 3, 28, 0), end: z(2027, 3, 28, 2) },
    ]);
    // A range wholly inside the gap is never open.
    expect(openIntervals({ sun: [{ from: 130, to: 170 }] }, day, BERLIN)).toEqual([]);
  });

  it('opens the repeated Berlin hour twice on 2027-10-31', () => {
    const day = dayInterval('2027-10-31', BERLIN);
    expect(openIntervals({ sun: [{ from: 120, to: 180 }] }, day, BERLIN)).toEqual([
      { start: z(2027, 10, 31, 0), end: z(2027, 10, 31, 2) },
    ]);
    // Open 09:00-17:00 local in winter time: 08:00Z-16:00Z.
    expect(openIntervals({ sun: [{ from: 540, to: 1020 }] }, day, BERLIN)).toEqual([
      { start: z(2027, 10, 31, 8), end: z(2027, 10, 31, 16) },
    ]);
  });

  it('handles New York 2027-03-14 and 2027-11-07', () => {
    const spring = dayInterval('2027-03-14', NEW_YORK);
    expect(openIntervals({ sun: [{ from: 540, to: 1020 }] }, spring, NEW_YORK)).toEqual([
      { start: z(2027, 3, 14, 13), end: z(2027, 3, 14, 21) },
    ]);
    const fall = dayInterval('2027-11-07', NEW_YORK);
    expect(openIntervals({ sun: [{ from: 60, to: 120 }] }, fall, NEW_YORK)).toEqual([
      { start: z(2027, 11, 7, 5), end: z(2027, 11, 7, 7) },
    ]);
    expect(closedIntervals({ sun: [{ from: 60, to: 120 }] }, fall, NEW_YORK)).toEqual([
      { start: fall.start, end: z(2027, 11, 7, 5) },
      { start: z(2027, 11, 7, 7), end: fall.end },
    ]);
  });

  it('joins a range ending at 24:00 with one starting at 00:00 the next day', () => {
    const hours: OpeningHours = { sat: [{ from: 1200, to: 1440 }], sun: [{ from: 0, to: 120 }] };
    const window = { start: localMidnight('2027-03-27', BERLIN), end: localMidnight('2027-03-29', BERLIN) };
    // Saturday 20:00 CET to Sunday 03:00 CEST (02:00 does not exist, so the range ends at the jump).
    expect(openIntervals(hours, window, BERLIN)).toEqual([{ start: z(2027, 3, 27, 19), end: z(2027, 3, 28, 1) }]);
  });

  it('is all open without opening hours and all closed with none listed', () => {
    const window = { start: z(2027, 3, 1), end: z(2027, 3, 8) };
    expect(openIntervals(undefined, window, BERLIN)).toEqual([window]);
    expect(closedIntervals(undefined, window, BERLIN)).toEqual([]);
    expect(closedIntervals({}, window, BERLIN)).toEqual([window]);
    expect(openIntervals({ mon: [{ from: 600, to: 600 }] }, window, BERLIN)).toEqual([]);
  });

  it('clips to the window', () => {
    const window = { start: z(2027, 3, 1, 10), end: z(2027, 3, 1, 12) }; // Monday 11:00-13:00 CET
    expect(openIntervals({ mon: [{ from: 540, to: 720 }] }, window, BERLIN)).toEqual([
      { start: z(2027, 3, 1, 10), end: z(2027, 3, 1, 11) },
    ]);
  });
});

describe('properties across the 2027 DST changes', () => {
  const WEEKDAYS: Weekday[] = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
  const range = fc
    .tuple(fc.integer({ min: 0, max: 48 }), fc.integer({ min: 0, max: 48 }))
    .map(([a, b]) => ({ from: Math.min(a, b) * 30, to: Math.max(a, b) * 30 }));
  const openingHours: fc.Arbitrary<OpeningHours> = fc
    .tuple(...WEEKDAYS.map(() => fc.option(fc.array(range, { maxLength: 3 }), { nil: undefined })))
    .map((days) => {
      const hours: OpeningHours = {};
      days.forEach((ranges, k) => {
        if (ranges !== undefined) hours[WEEKDAYS[k]!] = ranges;
      });
      return hours;
    });
  const window = fc
    .tuple(
      fc.constantFrom(
        { tz: BERLIN, at: z(2027, 3, 28, 1) },
        { tz: BERLIN, at: z(2027, 10, 31, 1) },
        { tz: NEW_YORK, at: z(2027, 3, 14, 7) },
        { tz: NEW_YORK, at: z(2027, 11, 7, 6) },
      ),
      fc.integer({ min: -60 * 60, max: 60 * 60 }),
      fc.integer({ min: 0, max: 80 * 60 }),
    )
    .map(([{ tz, at }, startMin, lenMin]) => ({
      tz,
      window: { start: at + startMin * 60_000, end: at + (startMin + lenMin) * 60_000 },
    }));

  /** Independent oracle: is instant t open, judged by luxon's local wall clock? */
  const isOpenAt = (hours: OpeningHours, t: number, tz: string) => {
    const local = DateTime.fromMillis(t, { zone: tz });
    const minute = local.hour * 60 + local.minute;
    return (hours[weekdayOf(localDateOf(t, tz))] ?? []).some((r) => r.from <= minute && minute < r.to);
  };
  const covers = (list: Interval[], t: number) => list.some((i) => i.start <= t && t < i.end);

  it('property: open and closed partition the window', () => {
    fc.assert(
      fc.property(openingHours, window, (hours, { tz, window }) => {
        const open = openIntervals(hours, window, tz);
        const closed = closedIntervals(hours, window, tz);
        expect(mergeIntervals(open)).toEqual(open);
        expect(mergeIntervals(closed)).toEqual(closed);
        expect(totalLength([...open, ...closed])).toBe(window.end - window.start);
        expect(totalLength(open) + totalLength(closed)).toBe(window.end - window.start);
        expect(mergeIntervals([...open, ...closed])).toEqual(window.end > window.start ? [window] : []);
      }),
    );
  });

  it('property: an instant is open exactly when its local wall-clock time is in a range', () => {
    fc.assert(
      fc.property(openingHours, window, fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 1, maxLength: 20 }), (hours, { tz, window }, fractions) => {
        const open = openIntervals(hours, window, tz);
        // Probe random instants and every piece boundary (and the instant before it).
        const probes = fractions.map((f) => window.start + Math.floor(f * (window.end - window.start)));
        for (const i of open) probes.push(i.start, i.start - 1, i.end, i.end - 1);
        for (const t of probes) {
          if (t < window.start || t >= window.end) continue;
          expect(covers(open, t)).toBe(isOpenAt(hours, t, tz));
        }
      }),
    );
  });
});
