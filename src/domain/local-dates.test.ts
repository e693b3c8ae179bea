import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  addDays,
  datesCovering,
  dayInterval,
  daysBetween,
  isLocalDate,
  localDateOf,
  localMidnight,
  nightsOf,
} from './local-dates.js';

const H = 3_600_000;
const BERLIN = 'Europe/Berlin';
const NEW_YORK = 'America/New_York';

/** The DST change days the hub is tested on, with their zones and day lengths in hours. */
const DST_DAYS = [
  { tz: BERLIN, date: '2027-03-28', hours: 23 },
  { tz: BERLIN, date: '2027-10-31', hours: 25 },
  { tz: NEW_YORK, date: '2027-03-14', hours: 23 },
  { tz: NEW_YORK, date: '2027-11-07', hours: 25 },
] as const;

/** A zone and a date within ten days of one of its DST changes. */
const zonedDateNearDst = fc
  .tuple(fc.constantFrom(...DST_DAYS), fc.integer({ min: -10, max: 10 }))
  .map(([d, n]) => ({ tz: d.tz, date: addDays(d.date, n) }));

/** A zone and an instant within three days of one of its DST changes. */
const zonedInstantNearDst = fc
  .tuple(fc.constantFrom(...DST_DAYS), fc.integer({ min: -72 * H, max: 72 * H }))
  .map(([d, ms]) => ({ tz: d.tz, instant: localMidnight(d.date, d.tz) + ms }));

const anyDate = fc
  .date({ min: new Date(Date.UTC(1900, 0, 1)), max: new Date(Date.UTC(2200, 11, 31)), noInvalidDate: true })
  .map((d) => d.toISOString().slice(0, 10));

describe('isLocalDate', () => {
  it.each(['2027-03-28', '2028-02-29', '2000-02-29', '0001-01-01', '9999-12-31'])('accepts %s', (s) => {
    expect(isLocalDate(s)).toBe(true);
  });

  it.each(['2027-02-29', '1900-02-29', '2027-13-01', '2027-00-10', '2027-04-31', '2027-3-28', '27-03-28',
    '2027-03-28T00:00', ' 2027-03-28', '20270328', ''])('rejects %j', (s) => {
    expect(isLocalDate(s)).toBe(false);
  });

  it('rejects non-strings', () => {
    expect(isLocalDate(20270328)).toBe(false);
    expect(isLocalDate(null)).toBe(false);
  });
});

describe('calendar arithmetic', () => {
  it('adds days across months, years and leap days', () => {
    expect(addDays('2027-03-28', 1)).toBe('2027-03-29');
    expect(addDays('2027-12-31', 1)).toBe('2028-01-01');
    expect(addDays('2028-02-28', 1)).toBe('2028-02-29');
    expect(addDays('2028-03-01', -1)).toBe('2028-02-29');
    expect(addDays('2027-03-01', -1)).toBe('2027-02-28');
  });

  it('rejects bad input', () => {
    expect(() => addDays('2027-02-30', 1)).toThrow(RangeError);
    expect(() => addDays('2027-02-03', 0.5)).toThrow(RangeError);
  });

  it('counts days between dates', () => {
    expect(daysBetween('2027-03-27', '2027-03-29')).toBe(2);
    expect(daysBetween('2027-03-29', '2027-03-27')).toBe(-2);
    expect(daysBetween('2027-01-01', '2028-01-01')).toBe(365);
  });

  it('lists the nights of a stay', () => {
    expect(nightsOf('2027-10-30', '2027-11-02')).toEqual(['2027-10-30', '2027-10-31', '2027-11-01']);
    expect(nightsOf('2027-10-30', '2027-10-30')).toEqual([]);
    expect(nightsOf('2027-10-30', '2027-10-29')).toEqual([]);
  });

  it('property: addDays and daysBetween are inverse', () => {
    fc.assert(
      fc.property(anyDate, fc.integer({ min: -1000, max: 1000 }), (d, n) => {
        expect(daysBetween(d, addDays(d, n))).toBe(n);
        expect(addDays(addDays(d, n), -n)).toBe(d);
        expect(isLocalDate(addDays(d, n))).toBe(true);
      }),
    );
  });

  it('property: nightsOf has daysBetween nights, consecutive, from check-in', () => {
    fc.assert(
      fc.property(anyDate, fc.integer({ min: -5, max: 60 }), (checkIn, n) => {
        const checkOut = addDays(checkIn, n);
        const nights = nightsOf(checkIn, checkOut);
        expect(nights.length).toBe(Math.max(0, daysBetween(checkIn, checkOut)));
        nights.forEach((night, k) => expect(night).toBe(addDays(checkIn, k)));
      }),
    );
  });
});

describe('localMidnight and localDateOf', () => {
  it('knows the 2027 DST days exactly', () => {
    expect(dayInterval('2027-03-28', BERLIN)).toEqual({
      start: Date.UTC(2027, 2, 27, 23),
      end: Date.UTC(2027, 2, 28, 22),
    });
    expect(dayInterval('2027-10-31', BERLIN)).toEqual({
      start: Date.UTC(2027, 9, 30, 22),
      end: Date.UTC(2027, 9, 31, 23),
    });
    expect(dayInterval('2027-03-14', NEW_YORK)).toEqual({
      start: Date.UTC(2027, 2, 14, 5),
      end: Date.UTC(2027, 2, 15, 4),
    });
    expect(dayInterval('2027-11-07', NEW_YORK)).toEqual({
      start: Date.UTC(2027, 10, 7, 4),
      end: Date.UTC(2027, 10, 8, 5),
    });
  });

  it.each(DST_DAYS)('$tz $date lasts $hours hours', ({ tz, date, hours }) => {
    const { start, end } = dayInterval(date, tz);
    expect(end - start).toBe(hours * H);
    expect(dayInterval(addDays(date, -1), tz).end - dayInterval(addDays(date, -1), tz).start).toBe(24 * H);
    expect(dayInterval(addDays(date, 1), tz).end - dayInterval(addDays(date, 1), tz).start).toBe(24 * H);
  });

  it('starts a day at the end of a DST gap when midnight does not exist', () => {
    // Havana springs from 00:00 to 01:00 on 2027-03-14 (05:00 UTC).
    expect(localMidnight('2027-03-14', 'America/Havana')).toBe(Date.UTC(2027, 2, 14, 5));
    expect(localDateOf(Date.UTC(2027, 2, 14, 5) - 1, 'America/Havana')).toBe('2027-03-13');
    // Santiago springs from 24:00 Saturday to 01:00 Sunday on 2027-09-05 (04:00 UTC).
    expect(localMidnight('2027-09-05', 'America/Santiago')).toBe(Date.UTC(2027, 8, 5, 4));
  });

  it('treats a day a zone skipped as empty', () => {
    // Samoa jumped from 2011-12-29 to 2011-12-31.
    const apia = 'Pacific/Apia';
    expect(localMidnight('2011-12-30', apia)).toBe(localMidnight('2011-12-31', apia));
    expect(datesCovering(localMidnight('2011-12-29', apia), localMidnight('2012-01-01', apia), apia)).toEqual([
      '2011-12-29',
      '2011-12-31',
    ]);
  });

  it('reads local dates around the Berlin fall-back', () => {
    expect(localDateOf(Date.UTC(2027, 9, 30, 21, 59, 59, 999), BERLIN)).toBe('2027-10-30');
    expect(localDateOf(Date.UTC(2027, 9, 30, 22), BERLIN)).toBe('2027-10-31');
    expect(localDateOf(Date.UTC(2027, 9, 31, 22, 59, 59, 999), BERLIN)).toBe('2027-10-31');
    expect(localDateOf(Date.UTC(2027, 9, 31, 23), BERLIN)).toBe('2027-11-01');
  });

  it('property: localDateOf(localMidnight(d)) is d and the instant before is the previous day', () => {
    fc.assert(
      fc.property(zonedDateNearDst, ({ tz, date }) => {
        const start = localMidnight(date, tz);
        expect(localDateOf(start, tz)).toBe(date);
        expect(localDateOf(start - 1, tz)).toBe(addDays(date, -1));
        expect(localMidnight(addDays(date, 1), tz)).toBeGreaterThan(start);
      }),
    );
  });

  it('property: a day lasts 24 hours except 23 or 25 on a DST day', () => {
    fc.assert(
      fc.property(zonedDateNearDst, ({ tz, date }) => {
        const { start, end } = dayInterval(date, tz);
        const special = DST_DAYS.find((d) => d.tz === tz && d.date === date);
        expect(end - start).toBe((special?.hours ?? 24) * H);
      }),
    );
  });

  it('property: every instant lies in the day of its local date', () => {
    fc.assert(
      fc.property(zonedInstantNearDst, ({ tz, instant }) => {
        const { start, end } = dayInterval(localDateOf(instant, tz), tz);
        expect(start).toBeLessThanOrEqual(instant);
        expect(instant).toBeLessThan(end);
      }),
    );
  });
});

describe('datesCovering', () => {
  it('lists the local days an interval touches', () => {
    // 23:30 to 00:30 Berlin time across the spring-forward night.
    expect(datesCovering(Date.UTC(2027, 2, 27, 22, 30), Date.UTC(2027, 2, 27, 23, 30), BERLIN)).toEqual([
      '2027-03-27',
      '2027-03-28',
    ]);
    // Ending exactly at midnight does not touch the next day.
    expect(datesCovering(Date.UTC(2027, 2, 27, 12), Date.UTC(2027, 2, 27, 23), BERLIN)).toEqual(['2027-03-27']);
    expect(datesCovering(10, 10, BERLIN)).toEqual([]);
  });

  it('property: the listed days are exactly those overlapping the interval', () => {
    fc.assert(
      fc.property(zonedInstantNearDst, fc.integer({ min: 0, max: 80 * H }), ({ tz, instant }, length) => {
        const from = instant;
        const to = instant + length;
        const dates = datesCovering(from, to, tz);
        if (length === 0) {
          expect(dates).toEqual([]);
          return;
        }
        expect(dates[0]).toBe(localDateOf(from, tz));
        expect(dates[dates.length - 1]).toBe(localDateOf(to - 1, tz));
        dates.forEach((d, k) => {
          if (k > 0) expect(d).toBe(addDays(dates[k - 1]!, 1));
          const day = dayInterval(d, tz);
          expect(day.start < to && from < day.end).toBe(true);
        });
      }),
    );
  });
});
