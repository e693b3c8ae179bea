import { describe, expect, it } from 'vitest';
import { DOT_PATH, getPath } from './dot-path.js';

describe('getPath', () => {
  const doc = { data: { nights: [{ date: '2027-03-01', free: 3 }], next: null, 'room-type': 'DBL', zero: 0 } };

  it('walks objects and indexes arrays by whole-number segments', () => {
    expect(getPath(doc, 'data.nights.0.free')).toBe(3);
    expect(getPath(doc, 'data.room-type')).toBe('DBL');
    expect(getPath(doc, 'data.zero')).toBe(0);
    expect(getPath(doc, 'data.next')).toBeNull();
  });

  it('answers undefined for anything missing, never throws', () => {
    expect(getPath(doc, 'data.nights.1.free')).toBeUndefined();
    expect(getPath(doc, 'data.nights.first')).toBeUndefined();
    expect(getPath(doc, 'data.next.page')).toBeUndefined();
    expect(getPath(doc, 'data.zero.x')).toBeUndefined();
    expect(getPath('text', 'length')).toBeUndefined();
    expect(getPath(doc, 'constructor')).toBeUndefined();
    expect(getPath(null, 'a')).toBeUndefined();
  });

  it('"" and "." name the value itself (a response that is a bare array)', () => {
    expect(getPath([1, 2], '')).toEqual([1, 2]);
    expect(getPath([1, 2], '.')).toEqual([1, 2]);
  });

  it('the syntax: segments joined by dots', () => {
    expect(DOT_PATH.test('data.items')).toBe(true);
    expect(DOT_PATH.test('a.0.b_c-d$')).toBe(true);
    for (const bad of ['', '.a', 'a.', 'a..b', 'a[0]', 'a b', '$.a[*]']) expect(DOT_PATH.test(bad), bad).toBe(false);
  });
});
