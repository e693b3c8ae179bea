import { describe, expect, it } from 'vitest';
import { joinUrl } from './http.js';
import { decodeCursor, encodeCursor } from './pull.js';
import { CursorRejectedError } from '../../src/core/adapter/errors.js';
import { hubReference } from './write.js';

describe('http helpers', () => {
  it('paths stay under baseUrl, leading slash or not', () => {
    expect(joinUrl('http://pms.local/api/', '/bookings?x=1')).toBe('http://pms.local/api/bookings?x=1');
    expect(joinUrl('http://pms.local/api', 'bookings')).toBe('http://pms.local/api/bookings');
    expect(joinUrl('http://pms.local', '/bookings')).toBe('http://pms.local/bookings');
  });
});

describe('cursor and reference', () => {
  it('the cursor round-trips; a foreign one is rejected', () => {
    const t = Date.UTC(2027, 2, 1, 8, 30);
    expect(JSON.parse(encodeCursor(t))).toEqual({ v: 1, since: '2027-03-01T08:30:00.000Z' });
    expect(decodeCursor(encodeCursor(t))).toBe(t);
    expect(() => decodeCursor('CAESB')).toThrow(CursorRejectedError);
    expect(() => decodeCursor('{"v":2,"since":"2027-01-01T00:00:00Z"}')).toThrow(CursorRejectedError);
  });

  it('the hub reference is the reservation id, plus a key hash when the key differs', () => {
    expect(hubReference('avhub-', 'r_1', 'r_1')).toBe('avhub-r_1');
    expect(hubReference('avhub-', 'r_1', 'r_1:v2')).toMatch(/^avhub-r_1\.[0-9a-f]{12}$/);
    expect(hubReference('avhub-', 'r_1', 'r_1:v2')).toBe(hubReference('avhub-', 'r_1', 'r_1:v2'));
    expect(hubReference('avhub-', 'r_1', 'r_1:v2')).not.toBe(hubReference('avhub-', 'r_1', 'r_1:v3'));
  });
});
