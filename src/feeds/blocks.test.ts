import { describe, expect, it } from 'vitest';
import { busyIntervals, busyNights } from './blocks.js';
import type { NightFigures, TimeClaim } from '../store/conflicts/types.js';

const figures = (over: Partial<NightFigures>): NightFigures => ({ claimed: {}, sourceFree: {}, reported: {}, inventory: {}, unreported: {}, ...over });
const base = { excluded: [], capacity: 1, units: 1, from: '2027-03-01', until: '2028-03-01' };

describe('busyNights', () => {
  it('merges consecutive busy nights into one run, check-out exclusive', () => {
    const nights = busyNights({ ...base, figures: figures({ claimed: { '2027-03-10': 1, '2027-03-11': 1, '2027-03-13': 1 } }) });
    expect(nights).toEqual([{ start: '2027-03-10', end: '2027-03-12' }, { start: '2027-03-13', end: '2027-03-14' }]);
  });

  it('leaves out the excluded sites\' claims, and only those', () => {
    const input = {
      ...base,
      figures: figures({ claimed: { '2027-03-10': 1, '2027-03-11': 1 } }),
      excluded: [{ id: 'ota-1', ledger: 's:house', by: 'night' as const, quantity: 1, nights: ['2027-03-11'] }],
    };
    expect(busyNights(input)).toEqual([{ start: '2027-03-10', end: '2027-03-11' }]);
  });

  it('blocks a pool night only when fewer units than the listing sells are left', () => {
    const f = figures({ claimed: { '2027-03-10': 1, '2027-03-11': 2, '2027-03-12': 3 } });
    expect(busyNights({ ...base, capacity: 3, figures: f })).toEqual([{ start: '2027-03-12', end: '2027-03-13' }]);
    expect(busyNights({ ...base, capacity: 3, units: 2, figures: f })).toEqual([{ start: '2027-03-11', end: '2027-03-13' }]);
  });

  it('reads a count-only source as the availability model does: its count caps, reported units are not taken twice', () => {
    const f = figures({ claimed: { '2027-03-10': 1, '2027-03-11': 1 }, sourceFree: { '2027-03-10': 1, '2027-03-11': 2, '2027-03-12': 0 }, reported: { '2027-03-11': 1 } });
    // 10th: 1 free at the source, 1 hub unit not yet in its count → 0 left. 11th: the hub unit is in the count → 2 left. 12th: closed.
    expect(busyNights({ ...base, capacity: 5, figures: f })).toEqual([{ start: '2027-03-10', end: '2027-03-11' }, { start: '2027-03-12', end: '2027-03-13' }]);
  });

  it('lists a run that began before today whole, and none that ended', () => {
    const f = figures({ claimed: { '2027-02-26': 1, '2027-02-27': 1, '2027-02-28': 1, '2027-03-01': 1, '2027-03-02': 1, '2027-02-20': 1 } });
    expect(busyNights({ ...base, figures: f })).toEqual([{ start: '2027-02-26', end: '2027-03-03' }]);
  });
});

describe('busyIntervals', () => {
  const H = 3_600_000;
  const t0 = Date.UTC(2027, 2, 10, 9);
  const hub = (start: number, end: number, quantity = 1): TimeClaim => ({ origin: 'hub', key: `h:${start}`, owner: 'r1', start, end, quantity });
  const site = (s: string, start: number, end: number): TimeClaim => ({ origin: 'site', site: s, externalId: `x${start}`, start, end, quantity: 1 });
  const input = { exclude: new Set(['ota']), capacity: 1, units: 1, bufferBefore: 0, bufferAfter: 0, window: { start: t0 - 24 * H, end: t0 + 240 * H } };

  it('merges touching claims, applies buffers, and leaves out excluded sites', () => {
    const claims = [hub(t0, t0 + H), site('pms', t0 + H, t0 + 2 * H), site('ota', t0 + 5 * H, t0 + 6 * H)];
    expect(busyIntervals({ ...input, claims })).toEqual([{ start: t0, end: t0 + 2 * H }]);
    expect(busyIntervals({ ...input, claims, bufferAfter: H / 2 })).toEqual([{ start: t0, end: t0 + 2.5 * H }]);
  });

  it('is busy on a pool only where fewer than `units` are left', () => {
    const claims = [hub(t0, t0 + 3 * H), hub(t0 + H, t0 + 2 * H)];
    expect(busyIntervals({ ...input, capacity: 2, claims })).toEqual([{ start: t0 + H, end: t0 + 2 * H }]);
    expect(busyIntervals({ ...input, capacity: 2, units: 2, claims })).toEqual([{ start: t0, end: t0 + 3 * H }]);
  });

  it('keeps the true start of a block that began before the window', () => {
    expect(busyIntervals({ ...input, claims: [hub(t0 - 30 * H, t0 + H)] })).toEqual([{ start: t0 - 30 * H, end: t0 + H }]);
    expect(busyIntervals({ ...input, claims: [hub(t0 - 30 * H, t0 - 25 * H)] })).toEqual([]);
  });
});
