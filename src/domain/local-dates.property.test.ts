import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { calendarMs, formatCalendar } from './local-dates.js';

/** The Date-based reading these replaced (kept here as the oracle). */
function byDate(date: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (m === null) return Number.NaN;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const d = new Date(0);
  d.setUTCFullYear(year, month - 1, day);
  if (d.getUTCFullYear() !== year || d.getUTCMonth() !== month - 1 || d.getUTCDate() !== day) return Number.NaN;
  return d.getTime();
}

const pad = (n: number, w: number) => String(n).padStart(w, '0');

describe('calendar arithmetic without Date objects', () => {
  it('reads every YYYY-MM-DD string, valid or not, as Date does (years 0000-9999, days 00-39)', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 9999 }), fc.integer({ min: 0, max: 13 }), fc.integer({ min: 0, max: 39 }), (y, m, d) => {
      const date = `${pad(y, 4)}-${pad(m, 2)}-${pad(d, 2)}`;
      expect(calendarMs(date)).toEqual(byDate(date));
    }), { numRuns: 20_000 });
  });

  it('refuses what is not a date', () => {
    for (const bad of ['2026-1-01', '2026-01-1', '2026/01/01', '2026-01-01T00:00', ' 2026-01-01', '2026-02-29', '1900-02-29', '+02026-01-01', '2026-0a-01', '']) {
      expect(calendarMs(bad), bad).toBeNaN();
    }
    expect(calendarMs('2000-02-29')).toBe(Date.UTC(2000, 1, 29));
  });

  it('formats every day of years 0000-9999 as Date does, and round-trips', () => {
    const lo = calendarMs('0000-01-01');
    const hi = calendarMs('9999-12-31');
    fc.assert(fc.property(fc.integer({ min: lo / 86_400_000, max: hi / 86_400_000 }), (days) => {
      const ms = days * 86_400_000;
      const date = formatCalendar(ms);
      expect(date).toBe(new Date(ms).toISOString().slice(0, 10).replace(/^\+?0*(\d{4})/, '$1'));
      expect(calendarMs(date)).toBe(ms);
    }), { numRuns: 20_000 });
  });
});
