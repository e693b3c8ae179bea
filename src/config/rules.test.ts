import { describe, expect, it } from 'vitest';

import { resolveRules } from './rules.js';

const group = {
  rules: { bufferAfter: 1_800_000, minNotice: 3_600_000, minStay: { unit: 'nights' as const, value: 2, raw: 2 } },
  path: ['groups', 'rooms', 'rules'],
};

describe('resolveRules', () => {
  it('overlays the resource rules on the group rules key by key', () => {
    const own = { rules: { minNotice: 0, maxStay: { unit: 'nights' as const, value: 14, raw: 14 } }, path: ['r'] };
    expect(resolveRules(group, own, 'night', 'mitte/double')).toEqual({
      rules: { bufferAfter: 1_800_000, minNotice: 0, minStay: 2, maxStay: 14 },
      issues: [],
    });
  });

  it('reports a stay in nights on a resource booked by time at the group rule', () => {
    const { issues } = resolveRules(group, { rules: {}, path: ['sites', 0, 'resources', 1, 'rules'] }, 'time', 'mitte/ballroom');
    expect(issues).toEqual([
      {
        path: ['groups', 'rooms', 'rules', 'minStay'],
        message: '2 does not fit mitte/ballroom, which is booked by time and inherits this group rule; use a duration, like "2h"',
      },
    ]);
  });

  it('reports a duration on a resource booked by night at the resource rule', () => {
    const own = { rules: { minStay: { unit: 'ms' as const, value: 3_600_000, raw: '1h' } }, path: ['sites', 0, 'resources', 0, 'rules'] };
    const { issues } = resolveRules(undefined, own, 'night', 'mitte/double');
    expect(issues[0]).toEqual({
      path: ['sites', 0, 'resources', 0, 'rules', 'minStay'],
      message: '"1h" does not fit mitte/double, which is booked by night; use a number of nights, like 2',
    });
  });

  it('requires minStay <= maxStay after the overlay', () => {
    const own = { rules: { maxStay: { unit: 'nights' as const, value: 1, raw: 1 } }, path: ['r'] };
    const { issues } = resolveRules(group, own, 'night', 'mitte/double');
    expect(issues).toEqual([
      { path: ['groups', 'rooms', 'rules', 'minStay'], message: 'minStay 2 is longer than maxStay 1 for mitte/double; make minStay at most maxStay' },
    ]);
  });
});
