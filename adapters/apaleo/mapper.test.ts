import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { closedNights, externalCodeFor, hubReferenceOf, localDateOfApaleo, toSourceBooking, toSourceCounts } from './mapper.js';
import type { ApaleoAvailabilitySlice, ApaleoReservation } from './mapper.js';
import { parseCursor } from './cursor.js';
import { ApaleoRequestError, errorForStatus } from './errors.js';
import { AdapterRateLimitedError, AdapterUnavailableError, CursorRejectedError } from '../../src/core/adapter/errors.js';

const fixture = <T>(name: string): T => JSON.parse(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8')) as T;
const NY = 'America/New_York';

describe('apaleo mapper', () => {
  it('maps a stay across the 2027-03-14 DST change to its local nights', () => {
    const { reservations } = fixture<{ reservations: ApaleoReservation[] }>('reservations-ny.json');
    const b = toSourceBooking(reservations[0]!, 'double', NY);
    expect(b).toEqual({
      externalId: 'NYDST-1', resource: 'double', span: { by: 'night', nights: ['2027-03-13', '2027-03-14'] },
      quantity: 1, status: 'confirmed', busy: true,
      createdAt: Date.UTC(2027, 1, 1, 9, 30, 12), updatedAt: Date.UTC(2027, 1, 2, 10), hubReference: 'res_7Hq',
    });
  });

  it('treats NoShow as released and leaves site bookings without a hub reference', () => {
    const { reservations } = fixture<{ reservations: ApaleoReservation[] }>('reservations-ny.json');
    const b = toSourceBooking(reservations[1]!, 'double', NY);
    expect(b).toMatchObject({ status: 'cancelled', span: { by: 'night', nights: ['2027-03-14'] } });
    expect(b).not.toHaveProperty('hubReference');
    expect(toSourceBooking({ ...reservations[1]!, status: 'Weird' }, 'double', NY)).toEqual({ skip: 'unknown reservation status Weird' });
  });

  it('turns time slices into counts, never selling allowed overbooking', () => {
    const { timeSlices } = fixture<{ timeSlices: ApaleoAvailabilitySlice[] }>('availability-ny.json');
    const counts = toSourceCounts(timeSlices, new Map([['NYC-DBL', ['double']]]), NY, new Set(['2027-03-13', '2027-03-14']));
    expect(counts).toEqual([
      { resource: 'double', date: '2027-03-13', available: 7 },
      { resource: 'double', date: '2027-03-14', available: 0 },
    ]);
  });

  it('reads the closed restriction of rates as stop-sell nights', () => {
    expect(closedNights([
      { from: '2027-03-13T17:00:00-05:00', to: '2027-03-14T11:00:00-04:00', restrictions: { closed: false } },
      { from: '2027-03-14T17:00:00-04:00', to: '2027-03-15T11:00:00-04:00', restrictions: { closed: true } },
    ], NY)).toEqual(['2027-03-14']);
  });

  it('derives a stable externalCode that carries the hub reservation id', () => {
    const code = externalCodeFor('res:42.a', 'key-1');
    expect(code).toBe(externalCodeFor('res:42.a', 'key-1'));
    expect(code).not.toBe(externalCodeFor('res:42.a', 'key-2'));
    expect(code.startsWith('avhub-')).toBe(true);
    expect(hubReferenceOf(code)).toBe('res:42.a');
    expect(hubReferenceOf(`${code}-2`)).toBe('res:42.a');
    expect(hubReferenceOf('BDC-1234')).toBeUndefined();
    expect(hubReferenceOf(undefined)).toBeUndefined();
  });

  it('reads dates and offset date-times as local dates of the property', () => {
    expect(localDateOfApaleo('2027-03-14', NY)).toBe('2027-03-14');
    expect(localDateOfApaleo('2027-03-14T17:00:00-04:00', NY)).toBe('2027-03-14');
    expect(localDateOfApaleo('2027-03-15T02:00:00Z', NY)).toBe('2027-03-14');
    expect(localDateOfApaleo('garbage', NY)).toBeNull();
  });
});

describe('apaleo cursor and Retry-After', () => {
  it('rejects a cursor it did not write', () => {
    expect(() => parseCursor('{"v":2}')).toThrow(CursorRejectedError);
    expect(() => parseCursor('not json')).toThrow(CursorRejectedError);
    expect(parseCursor('{"v":1,"modifiedFrom":"2027-03-01T10:00:00Z"}').modifiedFrom).toBe('2027-03-01T10:00:00Z');
  });

  it('waits as Retry-After says, 5 s when it is missing; other refusals are request errors', () => {
    expect(errorForStatus('apaleo GET /x', 429, { 'retry-after': '3' }, null)).toMatchObject({ retryAfterMs: 3000 });
    const bare = errorForStatus('apaleo GET /x', 429, {}, { messages: ['Too many requests'] });
    expect(bare).toBeInstanceOf(AdapterRateLimitedError);
    expect(bare).toMatchObject({ retryAfterMs: 5000, message: 'apaleo GET /x: HTTP 429 (Too many requests)' });
    expect(errorForStatus('apaleo GET /x', 503, {}, null)).toBeInstanceOf(AdapterUnavailableError);
    expect(errorForStatus('apaleo GET /x', 422, {}, { messages: ['bad'] })).toBeInstanceOf(ApaleoRequestError);
  });
});
