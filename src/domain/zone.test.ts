import { describe, expect, it } from 'vitest';
import { isTimeZone, offsetAt, offsetSegments } from './zone.js';

const H = 3_600_000;

describe('offsetAt', () => {
  it('gives Berlin winter and summer offsets', () => {
    expect(offsetAt('Europe/Berlin', Date.UTC(2027, 0, 15))).toBe(1 * H);
    expect(offsetAt('Europe/Berlin', Date.UTC(2027, 6, 15))).toBe(2 * H);
  });

  it('rejects an unknown zone', () => {
    expect(() => offsetAt('Mars/Olympus', 0)).toThrow(RangeError);
    expect(isTimeZone('Mars/Olympus')).toBe(false);
    expect(isTimeZone('America/New_York')).toBe(true);
  });
});

describe('offsetSegments', () => {
  it('finds the Berlin spring-forward instant to the millisecond', () => {
    const from = Date.UTC(2027, 2, 27, 23);
    const to = Date.UTC(2027, 2, 28, 22);
    expect(offsetSegments('Europe/Berlin', from, to)).toEqual([
      { start: from, end: Date.UTC(2027, 2, 28, 1), offset: 1 * H },
      { start: Date.UTC(2027, 2, 28, 1), end: to, offset: 2 * H },
    ]);
  });

  it('finds the New York fall-back instant', () => {
    const segs = offsetSegments('America/New_York', Date.UTC(2027, 10, 7), Date.UTC(2027, 10, 8));
    expect(segs.map((s) => [s.end, s.offset])).toEqual([
      [Date.UTC(2027, 10, 7, 6), -4 * H],
      [Date.UTC(2027, 10, 8), -5 * H],
    ]);
  });

  it('is one segment when nothing changes and empty for an empty range', () => {
    expect(offsetSegments('UTC', 0, 10 * 86_400_000)).toEqual([{ start: 0, end: 10 * 86_400_000, offset: 0 }]);
    expect(offsetSegments('UTC', 5, 5)).toEqual([]);
  });
});
