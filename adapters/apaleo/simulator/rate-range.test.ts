import { describe, expect, it } from 'vitest';
import { rateRange } from './rate-range.js';

/** apaleo Rate Plan V1 `GET /rate-plans/{id}/rates`: from <= rate.from < to, dates or date-times. */
describe('apaleo simulator: rates from/to', () => {
  const zone = 'Europe/Berlin';

  it('reads a pure date as the property midnight and `to` as exclusive', () => {
    const r = rateRange({ from: '2027-03-10', to: '2027-03-11' }, zone, 800);
    if (typeof r === 'string') throw new Error(r);
    expect(r.fromMs).toBe(Date.parse('2027-03-09T23:00:00Z'));
    expect(r.toMs).toBe(Date.parse('2027-03-10T23:00:00Z'));
    expect(r.candidates).toContain('2027-03-10');
  });

  it('takes date-times in UTC or with an offset, and refuses fractions, bare times and empty ranges', () => {
    const r = rateRange({ from: '2027-03-10T00:00:00Z', to: '2027-03-11T00:00:00+01:00' }, zone, 800);
    expect(typeof r).toBe('object');
    expect(typeof rateRange({ from: '2027-03-10T00:00:00.5Z', to: '2027-03-11' }, zone, 800)).toBe('string');
    expect(typeof rateRange({ from: '2027-03-10T00:00:00', to: '2027-03-11' }, zone, 800)).toBe('string');
    expect(typeof rateRange({ from: '2027-03-10', to: '2027-03-10' }, zone, 800)).toBe('string');
  });
});
