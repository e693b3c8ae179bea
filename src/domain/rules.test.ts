import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addDays, localDateOf, localMidnight } from './local-dates.js';
import {
  blockedByNotice, bookableNights, checkNightRules, checkTimeRules, nightRulesStableUntil, noticeStableUntil,
} from './rules.js';
import type { AvailabilityRules, OpeningHours } from './types.js';

const M = 60_000;
const H = 3_600_000;
const D = 86_400_000;
const BERLIN = 'Europe/Berlin';
const NEW_YORK = 'America/New_York';
const z = (y: number, mo: number, d: number, h = 0, mi = 0) => Date.UTC(y, mo - 1, d, h, mi);
/** Well before every span in these tests. */
const EARLY = z(2027, 1, 1);

describe('checkTimeRules', () => {
  const weekdays: OpeningHours = {
    mon: [{ from: 480, to: 1080 }],
    sat: [{ from: 1200, to: 1440 }],
    sun: [{ from: 0, to: 240 }],
  };

  it('accepts a span that meets every rule', () => {
    expect(checkTimeRules({}, { start: z(2027, 3, 1, 9), end: z(2027, 3, 1, 10) }, EARLY, BERLIN)).toBeNull();
    // Monday 2027-03-01 09:00-17:00 CET is 08:00Z-16:00Z.
    expect(checkTimeRules({ openingHours: weekdays }, { start: z(2027, 3, 1, 7), end: z(2027, 3, 1, 17) }, EARLY, BERLIN))
      .toBeNull();
  });

  it('rejects an invalid span', () => {
    expect(checkTimeRules({}, { start: 10, end: 10 }, 0, BERLIN)?.code).toBe('invalid-span');
    expect(checkTimeRules({}, { start: 10, end: Number.NaN }, 0, BERLIN)?.code).toBe('invalid-span');
  });

  it('checks the length in milliseconds', () => {
    const rules: AvailabilityRules = { minStay: 30 * M, maxStay: 2 * H };
    const at = z(2027, 3, 1, 9);
    expect(checkTimeRules(rules, { start: at, end: at + 29 * M }, EARLY, BERLIN)?.code).toBe('min-stay');
    expect(checkTimeRules(rules, { start: at, end: at + 30 * M }, EARLY, BERLIN)).toBeNull();
    expect(checkTimeRules(rules, { start: at, end: at + 2 * H }, EARLY, BERLIN)).toBeNull();
    expect(checkTimeRules(rules, { start: at, end: at + 2 * H + 1 }, EARLY, BERLIN)?.code).toBe('max-stay');
  });

  it('checks notice and advance against now', () => {
    const now = z(2027, 3, 1, 9);
    const rules: AvailabilityRules = { minNotice: 2 * H, maxAdvance: 30 * D };
    const span = (start: number) => ({ start, end: start + H });
    expect(checkTimeRules(rules, span(now + 2 * H - 1), now, BERLIN)?.code).toBe('min-notice');
    expect(checkTimeRules(rules, span(now + 2 * H), now, BERLIN)).toBeNull();
    expect(checkTimeRules(rules, span(now + 30 * D), now, BERLIN)).toBeNull();
    expect(checkTimeRules(rules, span(now + 30 * D + 1), now, BERLIN)?.code).toBe('max-advance');
    // Without minNotice nothing may start in the past.
    expect(checkTimeRules({}, span(now - 1), now, BERLIN)?.code).toBe('min-notice');
    expect(checkTimeRules({}, span(now), now, BERLIN)).toBeNull();
  });

  it('requires the whole booking inside opening hours', () => {
    const rules = { openingHours: weekdays };
    // Monday 17:00-18:30 CET runs past closing at 18:00.
    expect(checkTimeRules(rules, { start: z(2027, 3, 1, 16), end: z(2027, 3, 1, 17, 30) }, EARLY, BERLIN)?.code).toBe(
      'outside-opening-hours',
    );
    // Tuesday is closed.
    expect(checkTimeRules(rules, { start: z(2027, 3, 2, 9), end: z(2027, 3, 2, 10) }, EARLY, BERLIN)?.code).toBe(
      'outside-opening-hours',
    );
  });

  it('runs across midnight when 24:00 meets 00:00, also over the Berlin spring-forward', () => {
    const rules = { openingHours: weekdays };
    // Saturday 2027-03-27 22:00 CET to Sunday 04:00 CEST: 21:00Z-02:00Z, five real hours.
    expect(checkTimeRules(rules, { start: z(2027, 3, 27, 21), end: z(2027, 3, 28, 2) }, EARLY, BERLIN)).toBeNull();
    // One minute more is past Sunday's closing at 04:00.
    expect(checkTimeRules(rules, { start: z(2027, 3, 27, 21), end: z(2027, 3, 28, 2, 1) }, EARLY, BERLIN)?.code).toBe(
      'outside-opening-hours',
    );
  });

  it('covers both passes through the repeated New York hour', () => {
    const rules: AvailabilityRules = { openingHours: { sun: [{ from: 0, to: 150 }] } };
    // 2027-11-07 00:00 EDT to 02:30 EST is 04:00Z-07:30Z.
    expect(checkTimeRules(rules, { start: z(2027, 11, 7, 4), end: z(2027, 11, 7, 7, 30) }, EARLY, NEW_YORK)).toBeNull();
  });
});

describe('checkNightRules', () => {
  it('lets today be booked without minNotice, even late in the evening', () => {
    const now = z(2027, 3, 27, 22, 30); // 23:30 CET on Saturday 2027-03-27
    expect(checkNightRules({}, '2027-03-27', '2027-03-28', now, BERLIN)).toBeNull();
    expect(checkNightRules({}, '2027-03-26', '2027-03-28', now, BERLIN)?.code).toBe('min-notice');
  });

  it('moves the first bookable night with minNotice across the DST night', () => {
    const now = z(2027, 3, 27, 22, 30);
    const rules = { minNotice: 2 * H }; // 01:30 CET... which is 00:30Z, 2027-03-28
    expect(checkNightRules(rules, '2027-03-27', '2027-03-29', now, BERLIN)?.code).toBe('min-notice');
    expect(checkNightRules(rules, '2027-03-28', '2027-03-29', now, BERLIN)).toBeNull();
  });

  it('limits how far ahead a stay may start', () => {
    const now = z(2027, 11, 7, 3, 30); // 23:30 EDT on 2027-11-06 in New York
    const rules = { maxAdvance: 30 * D };
    expect(localDateOf(now + 30 * D, NEW_YORK)).toBe('2027-12-06'); // 22:30 EST, the clock fell back
    expect(checkNightRules(rules, '2027-12-06', '2027-12-08', now, NEW_YORK)).toBeNull();
    expect(checkNightRules(rules, '2027-12-07', '2027-12-08', now, NEW_YORK)?.code).toBe('max-advance');
  });

  it('checks the stay length in nights', () => {
    const rules = { minStay: 2, maxStay: 3 };
    expect(checkNightRules(rules, '2027-10-30', '2027-10-31', EARLY, BERLIN)?.code).toBe('min-stay');
    expect(checkNightRules(rules, '2027-10-30', '2027-11-01', EARLY, BERLIN)).toBeNull();
    expect(checkNightRules(rules, '2027-10-30', '2027-11-02', EARLY, BERLIN)).toBeNull();
    expect(checkNightRules(rules, '2027-10-30', '2027-11-03', EARLY, BERLIN)?.code).toBe('max-stay');
  });

  it('rejects bad dates and empty stays', () => {
    expect(checkNightRules({}, '2027-02-30', '2027-03-02', EARLY, BERLIN)?.code).toBe('invalid-span');
    expect(checkNightRules({}, '2027-03-02', '2027-03-02', EARLY, BERLIN)?.code).toBe('invalid-span');
    expect(checkNightRules({}, '2027-03-03', '2027-03-02', EARLY, BERLIN)?.code).toBe('invalid-span');
  });
});

describe('blockedByNotice', () => {
  const now = z(2027, 3, 28, 0);
  const window = { start: z(2027, 3, 27), end: z(2027, 4, 30) };

  it('blocks the past without minNotice and nothing ahead without maxAdvance', () => {
    expect(blockedByNotice({}, window, now)).toEqual([{ start: window.start, end: now }]);
    expect(blockedByNotice({}, { start: now, end: now + D }, now)).toEqual([]);
  });

  it('blocks before now + minNotice and from now + maxAdvance', () => {
    expect(blockedByNotice({ minNotice: H, maxAdvance: 7 * D }, window, now)).toEqual([
      { start: window.start, end: now + H },
      { start: now + 7 * D, end: window.end },
    ]);
  });

  it('blocks everything when the limits cross and nothing for an empty window', () => {
    expect(blockedByNotice({ minNotice: 2 * D, maxAdvance: D }, window, now)).toEqual([
      { start: window.start, end: now + 2 * D },
      { start: now + 2 * D, end: window.end },
    ]);
    expect(blockedByNotice({}, { start: 5, end: 5 }, now)).toEqual([]);
  });
});

describe('bookableNights', () => {
  it('keeps the dates a stay could start on', () => {
    const now = z(2027, 10, 30, 21); // 23:00 CEST, 2027-10-30
    const dates = ['2027-10-29', '2027-10-30', '2027-10-31', '2027-11-01', '2027-11-02'];
    expect([...bookableNights({}, dates, now, BERLIN)]).toEqual(dates.slice(1));
    expect([...bookableNights({ minNotice: 2 * H, maxAdvance: 2 * D }, dates, now, BERLIN)]).toEqual([
      '2027-10-31',
      '2027-11-01',
    ]);
  });
});

describe('properties around the 2027 DST changes', () => {
  const scenario = fc
    .tuple(
      fc.constantFrom(
        { tz: BERLIN, date: '2027-03-28' },
        { tz: BERLIN, date: '2027-10-31' },
        { tz: NEW_YORK, date: '2027-03-14' },
        { tz: NEW_YORK, date: '2027-11-07' },
      ),
      fc.integer({ min: -48 * 60, max: 48 * 60 }),
      fc.option(fc.integer({ min: 0, max: 72 * 60 }), { nil: undefined }),
      fc.option(fc.integer({ min: 0, max: 10 * 24 * 60 }), { nil: undefined }),
    )
    .map(([{ tz, date }, nowMin, noticeMin, advanceMin]) => ({
      tz,
      now: localMidnight(date, tz) + nowMin * M,
      rules: {
        ...(noticeMin === undefined ? {} : { minNotice: noticeMin * M }),
        ...(advanceMin === undefined ? {} : { maxAdvance: advanceMin * M }),
      } satisfies AvailabilityRules,
    }));

  it('property: bookableNights agrees with checkNightRules for one-night stays', () => {
    fc.assert(
      fc.property(scenario, fc.integer({ min: -3, max: 14 }), ({ tz, now, rules }, k) => {
        const night = addDays(localDateOf(now, tz), k);
        const allowed = checkNightRules(rules, night, addDays(night, 1), now, tz) === null;
        expect(bookableNights(rules, [night], now, tz).has(night)).toBe(allowed);
      }),
    );
  });

  it('property: a start is blocked by notice exactly when checkTimeRules refuses it for notice', () => {
    fc.assert(
      fc.property(scenario, fc.integer({ min: -72 * 60, max: 12 * 24 * 60 }), ({ tz, now, rules }, offsetMin) => {
        const start = now + offsetMin * M;
        const window = { start: now - 4 * D, end: now + 20 * D };
        const blocked = blockedByNotice(rules, window, now).some((b) => b.start <= start && start < b.end);
        const verdict = checkTimeRules(rules, { start, end: start + 30 * M }, now, tz);
        const atMaxAdvance = rules.maxAdvance !== undefined && start === now + rules.maxAdvance;
        if (atMaxAdvance && start >= now + (rules.minNotice ?? 0)) expect(verdict).toBeNull();
        else expect(blocked).toBe(verdict !== null);
      }),
    );
  });
});

describe('rule horizons (how long a kept answer stays right)', () => {
  const rules = fc.record({
    minNotice: fc.option(fc.integer({ min: 0, max: 72 * 60 }).map((m) => m * M), { nil: undefined }),
    maxAdvance: fc.option(fc.integer({ min: 0, max: 20 * 24 * 60 }).map((m) => m * M), { nil: undefined }),
  }).map((r): AvailabilityRules => ({
    ...(r.minNotice !== undefined ? { minNotice: r.minNotice } : {}),
    ...(r.maxAdvance !== undefined ? { maxAdvance: r.maxAdvance } : {}),
  }));
  // Around the 2027 DST changes of both zones.
  const instant = fc.integer({ min: z(2027, 3, 10), max: z(2027, 4, 5) });
  const zone = fc.constantFrom(BERLIN, NEW_YORK, 'Australia/Lord_Howe');

  it('bookable nights stay the same from now until the horizon', () => {
    fc.assert(fc.property(rules, instant, zone, fc.double({ min: 0, max: 1, noNaN: true }), (r, now, tz, f) => {
      const dates = Array.from({ length: 40 }, (_, i) => addDays(localDateOf(z(2027, 3, 8), tz), i));
      const until = nightRulesStableUntil(r, now, tz);
      expect(until).toBeGreaterThan(now);
      const at = (t: number) => [...bookableNights(r, dates, t, tz)].join();
      const inside = now + Math.floor((until - 1 - now) * f);
      expect(at(inside)).toBe(at(now));
      expect(at(until - 1)).toBe(at(now));
    }), { numRuns: 400, seed: 11 });
  });

  it('notice-blocked parts stay the same from now until the horizon', () => {
    fc.assert(fc.property(rules, instant, fc.integer({ min: 0, max: 30 * D }), fc.integer({ min: 1, max: 10 * D }), fc.double({ min: 0, max: 1, noNaN: true }), (r, now, offset, len, f) => {
      const window = { start: z(2027, 3, 10) + offset, end: z(2027, 3, 10) + offset + len };
      const until = noticeStableUntil(r, window, now);
      expect(until).toBeGreaterThan(now);
      const end = Number.isFinite(until) ? until - 1 : now + 400 * D;
      const inside = now + Math.floor((end - now) * f);
      expect(blockedByNotice(r, window, inside)).toEqual(blockedByNotice(r, window, now));
      expect(blockedByNotice(r, window, end)).toEqual(blockedByNotice(r, window, now));
    }), { numRuns: 600, seed: 11 });
  });
});
