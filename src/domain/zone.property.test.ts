import fc from 'fast-check';
import { IANAZone } from 'luxon';
import { describe, expect, it } from 'vitest';
import { offsetAt, offsetSegments } from './zone.js';

/**
 * The transition tables agree with luxon's per-instant lookup (the reference they replace) in
 * zones with unusual rules: Lord Howe's half-hour DST, Santiago's DST starting at midnight, Dublin's
 * negative DST (winter is the "daylight" time), Apia crossing the date line (2011-12-30 skipped),
 * Casablanca's DST paused for Ramadan, Troll's two-hour DST, Kathmandu's +5:45, Chatham's +12:45,
 * Moscow's 2011 and 2014 changes of standard time, Sao Paulo's DST abolished in 2019.
 */
const ZONES = [
  'Australia/Lord_Howe', 'America/Santiago', 'Europe/Dublin', 'Pacific/Apia', 'Africa/Casablanca',
  'Antarctica/Troll', 'Asia/Kathmandu', 'Pacific/Chatham', 'Europe/Moscow', 'America/Sao_Paulo',
  'Europe/Berlin', 'America/New_York', 'America/St_Johns', 'Asia/Kolkata', 'UTC',
];
const FROM = Date.UTC(1995, 0, 1);
const TO = Date.UTC(2040, 0, 1);
const luxon = (tz: string, t: number) => IANAZone.create(tz).offset(t) * 60_000;
const DAY = 86_400_000;

describe('zone transition tables', () => {
  it('give luxon\'s offset at any instant, 1995-2040', () => {
    fc.assert(fc.property(fc.constantFrom(...ZONES), fc.integer({ min: FROM, max: TO }), (tz, t) => {
      expect(offsetAt(tz, t)).toBe(luxon(tz, t));
    }), { numRuns: 3_000, seed: 11 });
  });

  it('split any window into segments luxon agrees with, changes found to the millisecond', () => {
    fc.assert(fc.property(fc.constantFrom(...ZONES), fc.integer({ min: FROM, max: TO }), fc.integer({ min: 1, max: 400 * DAY }), (tz, start, len) => {
      const end = start + len;
      const segs = offsetSegments(tz, start, end);
      expect(segs[0]!.start).toBe(start);
      expect(segs.at(-1)!.end).toBe(end);
      segs.forEach((seg, i) => {
        expect(seg.end).toBeGreaterThan(seg.start);
        expect(luxon(tz, seg.start)).toBe(seg.offset);
        expect(luxon(tz, seg.end - 1)).toBe(seg.offset);
        expect(luxon(tz, seg.start + Math.floor((seg.end - seg.start) / 2))).toBe(seg.offset);
        if (i > 0) {
          expect(seg.start).toBe(segs[i - 1]!.end);
          expect(seg.offset).not.toBe(segs[i - 1]!.offset);
        }
      });
    }), { numRuns: 600, seed: 11 });
  });

  it('know every transition of every year in these zones', () => {
    for (const tz of ZONES) {
      for (let year = 2000; year < 2036; year += 5) {
        const start = Date.UTC(year, 0, 1);
        for (const seg of offsetSegments(tz, start, Date.UTC(year + 1, 0, 1)).slice(1)) {
          expect(offsetAt(tz, seg.start - 1)).toBe(luxon(tz, seg.start - 1));
          expect(offsetAt(tz, seg.start)).toBe(luxon(tz, seg.start));
          expect(luxon(tz, seg.start)).not.toBe(luxon(tz, seg.start - 1));
        }
      }
    }
    // Apia skipped 2011-12-30: its offset jumped by a whole day.
    const jump = offsetSegments('Pacific/Apia', Date.UTC(2011, 11, 29), Date.UTC(2011, 11, 31));
    expect(jump.map((s) => s.offset / 3_600_000)).toEqual([-10, 14]);
  });
});
