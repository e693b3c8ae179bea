import { describe, expect, it } from 'vitest';
import { CursorRejectedError } from '../../src/core/adapter/errors.js';
import { externalIdsOf, formatCursor, objectState, parseCursor } from './cursor.js';

describe('CalDAV cursor', () => {
  const prefix = '/north/main-hall/standup.ics#';

  it('records every id an object produced compactly and gives them all back', () => {
    const ids = [
      `${prefix}standup@site.example@20270325T080000Z`, `${prefix}standup@site.example@20270326T080000Z`,
      `${prefix}plain@site.example`, `${prefix}allday@20270327`, 'foreign-id',
    ];
    const state = objectState(prefix, ids, '"etag-1"');
    expect(state).toEqual({
      e: '"etag-1"',
      u: {
        'standup@site.example': ['20270325T080000Z', '20270326T080000Z'],
        'plain@site.example': [''],
        allday: ['20270327'],
        '\u0000foreign-id': [''],
      },
    });
    expect(externalIdsOf(prefix, state).sort()).toEqual([...ids].sort());
    expect(externalIdsOf(prefix, undefined)).toEqual([]);
  });

  it('round-trips, and rejects what it did not write', () => {
    const cursor = {
      v: 1 as const,
      calendars: { 'http://dav.test/north/main-hall/': {
        resource: 'main-hall', ref: '/north/main-hall/', tz: 'Europe/Berlin', mode: 'sync' as const,
        syncToken: 'http://radicale.org/ns/sync/abc', objects: { 'a.ics': objectState(prefix, [`${prefix}a`], '"1"') },
      } },
    };
    expect(parseCursor(formatCursor(cursor))).toEqual(cursor);
    expect(() => parseCursor('{')).toThrow(CursorRejectedError);
    expect(() => parseCursor('{"v":2,"calendars":{}}')).toThrow(CursorRejectedError);
    expect(() => parseCursor('"a google sync token"')).toThrow(CursorRejectedError);
  });
});
