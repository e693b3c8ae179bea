import { describe, expect, it } from 'vitest';

import { parseOpeningHours } from './opening-hours.js';

const ok = (raw: unknown) => {
  const result = parseOpeningHours(raw);
  if (!result.ok) throw new Error(JSON.stringify(result.issues));
  return result.value;
};
const issues = (raw: unknown) => {
  const result = parseOpeningHours(raw);
  if (result.ok) throw new Error('expected issues');
  return result.issues;
};

describe('parseOpeningHours', () => {
  it('expands day ranges into minute ranges', () => {
    expect(ok({ 'mon-fri': '08:00-22:00', sat: '10:00-14:00, 15:00-18:00' })).toEqual({
      mon: [{ from: 480, to: 1320 }],
      tue: [{ from: 480, to: 1320 }],
      wed: [{ from: 480, to: 1320 }],
      thu: [{ from: 480, to: 1320 }],
      fri: [{ from: 480, to: 1320 }],
      sat: [{ from: 600, to: 840 }, { from: 900, to: 1080 }],
    });
  });

  it('accepts 24:00 as an end, daily, wrapping ranges and closed', () => {
    expect(ok({ daily: '00:00-24:00', sun: 'closed' })).toEqual(
      Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri', 'sat'].map((d) => [d, [{ from: 0, to: 1440 }]])),
    );
    expect(Object.keys(ok({ 'fri-mon': '9:00-17:00' }))).toEqual(['mon', 'fri', 'sat', 'sun']);
  });

  it('lets a single day override a range and a range override daily', () => {
    const hours = ok({ daily: '07:00-23:00', 'sat-sun': '09:00-23:00', sun: '10:00-12:00' });
    expect(hours.mon).toEqual([{ from: 420, to: 1380 }]);
    expect(hours.sat).toEqual([{ from: 540, to: 1380 }]);
    expect(hours.sun).toEqual([{ from: 600, to: 720 }]);
  });

  it('rejects a day set twice at the same level', () => {
    expect(issues({ 'mon-fri': '08:00-12:00', 'thu-sat': '09:00-10:00' })).toEqual([
      { path: ['thu-sat'], message: 'thu is already set by "mon-fri"; list each day once' },
      { path: ['thu-sat'], message: 'fri is already set by "mon-fri"; list each day once' },
    ]);
  });

  it.each([
    [{ monday: '08:00-10:00' }, 'monday', 'is not a day; use a day (mon..sun)'],
    [{ mon: '8-10' }, 'mon', 'is not a time range; use "HH:MM-HH:MM"'],
    [{ mon: '22:00-02:00' }, 'mon', 'a range cannot cross midnight'],
    [{ mon: '08:00-25:00' }, 'mon', 'hours run 00:00 to 24:00'],
    [{ mon: '08:00-12:00, 11:00-13:00' }, 'mon', 'overlapping'],
    [{ mon: 8 }, 'mon', 'expected a string'],
  ])('reports %j at its key with the valid form', (raw, key, text) => {
    const [issue] = issues(raw);
    expect(issue!.path).toEqual([key]);
    expect(issue!.message).toContain(text);
  });
});
