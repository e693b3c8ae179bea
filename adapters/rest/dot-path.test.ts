import { describe, expect, it } from 'vitest';
import { DOT_PATH, FIELD_PATH, ITEMS_PATH, getPath, readField, selectItems } from './dot-path.js';

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

describe('selectItems and readField: nested arrays', () => {
  const doc = {
    roomTypes: [
      { code: 'DBL', nights: [{ date: '2027-03-01', free: 3 }, { date: '2027-03-02', free: 2 }] },
      { code: 'SGL' },
      { code: 'STE', nights: [{ date: '2027-03-01', free: 1 }] },
    ],
  };

  it('walks every element of a [] segment; fields reach the enclosing element with ^.', () => {
    const items = selectItems(doc, 'roomTypes[].nights[]')!;
    expect(items.map((i) => [readField(i.value, i.parents, '^.code'), readField(i.value, i.parents, 'date'), i.index])).toEqual([
      ['DBL', '2027-03-01', 0], ['DBL', '2027-03-02', 1], ['STE', '2027-03-01', 0],
    ]);
    expect(selectItems(doc, 'roomTypes[].nights')).toEqual(items);
    expect(readField(items[0]!.value, items[0]!.parents, '^.^.code')).toBeUndefined();
  });

  it('a path without [] is the array itself; a missing outer array is undefined', () => {
    expect(selectItems({ data: [1, 2] }, 'data')!.map((i) => i.value)).toEqual([1, 2]);
    expect(selectItems([1], '')!.map((i) => i.value)).toEqual([1]);
    expect(selectItems(doc, 'rooms[].nights')).toBeUndefined();
    expect(selectItems({ booking: { rooms: 'none' } }, 'booking.rooms[]')).toBeUndefined();
  });

  it('the syntax', () => {
    for (const ok of ['data.roomTypes[].nights[]', 'booking.rooms[]', 'a.b']) expect(ITEMS_PATH.test(ok), ok).toBe(true);
    for (const bad of ['a[0]', '[]', 'a.[]', 'a[][]', '^.a']) expect(ITEMS_PATH.test(bad), bad).toBe(false);
    for (const ok of ['^.id', '^.^.code', 'id']) expect(FIELD_PATH.test(ok), ok).toBe(true);
    for (const bad of ['^', 'a.^.b', '^id', 'a[]']) expect(FIELD_PATH.test(bad), bad).toBe(false);
  });
});
