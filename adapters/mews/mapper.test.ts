import { describe, expect, it } from 'vitest';
import { CursorRejectedError } from '../../src/core/adapter/errors.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import { availabilityResult, mewsReservation, statusOf, toBooking, toCounts } from './mapper.js';
import { hubChannelNumber, hubReferenceOf } from './reference.js';
import { splitInterval, stayNights, timeUnitStartUtc, windowNights } from './time-units.js';

/** A reservation as reservations/getAll/2023-06-06 returns it (fields the hub ignores trimmed). */
const RESERVATION = {
  Id: '6a1f3c2e-0b7d-4e59-9d41-2f8c7a3e5b10',
  ServiceId: 'svc-accommodation',
  AccountId: 'c0ffee00-0000-4000-8000-000000000001',
  AccountType: 'Customer',
  Number: '4711',
  State: 'Confirmed',
  Origin: 'Connector',
  CreatedUtc: '2027-02-01T09:30:00Z',
  UpdatedUtc: '2027-02-02T10:00:00Z',
  CancelledUtc: null,
  RequestedResourceCategoryId: 'cat-double',
  ChannelNumber: 'AVHUB:res_42#0123456789ab',
  ScheduledStartUtc: '2027-03-27T14:00:00Z',
  ScheduledEndUtc: '2027-03-29T10:00:00Z',
  StartUtc: '2027-03-27T14:00:00Z',
  EndUtc: '2027-03-29T10:00:00Z',
  PersonCounts: [{ AgeCategoryId: 'adults', Count: 2 }],
};

describe('mews mapper', () => {
  it('maps a reservation to a booking by night in the property zone, with the hub reference', () => {
    const b = toBooking(mewsReservation.parse(RESERVATION), 'double', 'Europe/Berlin');
    expect(b).toEqual({
      externalId: RESERVATION.Id, resource: 'double', quantity: 1, status: 'confirmed', busy: true,
      span: { by: 'night', nights: ['2027-03-27', '2027-03-28'] },
      createdAt: Date.UTC(2027, 1, 1, 9, 30), updatedAt: Date.UTC(2027, 1, 2, 10), hubReference: 'res_42',
    });
  });

  it('uses the deprecated StartUtc/EndUtc when the scheduled ones are missing, and dates in the zone', () => {
    const { ScheduledStartUtc: _s, ScheduledEndUtc: _e, ...old } = RESERVATION;
    // 23:30 UTC on the 9th is already the 10th in Berlin.
    const r = mewsReservation.parse({ ...old, StartUtc: '2027-03-09T23:30:00Z', EndUtc: '2027-03-11T10:00:00Z', ChannelNumber: null });
    const b = toBooking(r, 'double', 'Europe/Berlin');
    expect(b.span).toEqual({ by: 'night', nights: ['2027-03-10'] });
    expect(b.hubReference).toBeUndefined();
  });

  it('a day-use stay occupies its date; a stay ending before it starts is refused', () => {
    const day = mewsReservation.parse({ ...RESERVATION, ScheduledStartUtc: '2027-03-10T08:00:00Z', ScheduledEndUtc: '2027-03-10T16:00:00Z' });
    expect(toBooking(day, 'd', 'Europe/Berlin').span).toEqual({ by: 'night', nights: ['2027-03-10'] });
    const bad = mewsReservation.parse({ ...RESERVATION, ScheduledEndUtc: '2027-03-01T00:00:00Z' });
    expect(() => toBooking(bad, 'd', 'Europe/Berlin')).toThrow(/ends before/);
  });

  it('maps states: cancelled frees, optional holds tentatively, waitlist and inquiries do not hold', () => {
    expect(statusOf('Canceled')).toEqual({ status: 'cancelled', busy: false });
    expect(statusOf('Started')).toEqual({ status: 'confirmed', busy: true });
    expect(statusOf('Processed')).toEqual({ status: 'confirmed', busy: true });
    expect(statusOf('Optional')).toEqual({ status: 'tentative', busy: true });
    expect(statusOf('Requested')).toEqual({ status: 'tentative', busy: false });
    expect(statusOf('Inquired')).toEqual({ status: 'tentative', busy: false });
  });

  it('maps availability per time unit to counts per local date; overbooked is 0; unmapped ignored', () => {
    const result = availabilityResult.parse({
      CategoryAvailabilities: [
        { CategoryId: 'cat-double', Availabilities: [3, 0, -2], Adjustments: [0, 0, 0] },
        { CategoryId: 'cat-suite', Availabilities: [1, 1, 1], Adjustments: [0, 0, 0] },
      ],
      TimeUnitStartsUtc: ['2027-03-26T23:00:00Z', '2027-03-27T23:00:00Z', '2027-03-28T22:00:00Z'],
    });
    expect(toCounts(result, new Map([['cat-double', 'double']]), 'Europe/Berlin')).toEqual([
      { resource: 'double', date: '2027-03-27', available: 3 },
      { resource: 'double', date: '2027-03-28', available: 0 },
      { resource: 'double', date: '2027-03-29', available: 0 },
    ]);
  });
});

describe('mews hub reference (ChannelNumber)', () => {
  it('carries the reservation id and a key hash; other channel numbers are not the hub\'s', () => {
    const a = hubChannelNumber('res_1', 'key-a');
    expect(a).toMatch(/^AVHUB:res_1#[0-9a-f]{12}$/);
    expect(hubChannelNumber('res_1', 'key-a')).toBe(a);
    expect(hubChannelNumber('res_1', 'key-b')).not.toBe(a);
    expect(hubReferenceOf(a)).toBe('res_1');
    expect(hubReferenceOf(hubChannelNumber('a#b', 'k'))).toBe('a#b');
    expect(hubReferenceOf('1337614414')).toBeUndefined();
    expect(hubReferenceOf(null)).toBeUndefined();
    expect(hubReferenceOf('AVHUB:')).toBeUndefined();
  });
});

describe('mews cursor', () => {
  it('round-trips, and refuses garbage and cursors older than an UpdatedUtc filter may reach', () => {
    const now = Date.UTC(2027, 5, 1);
    expect(decodeCursor(encodeCursor(now - 1000), now)).toBe(now - 1000);
    expect(() => decodeCursor('{"v":2}', now)).toThrow(CursorRejectedError);
    expect(() => decodeCursor('not json', now)).toThrow(CursorRejectedError);
    expect(() => decodeCursor(encodeCursor(now - 100 * 86_400_000), now)).toThrow(CursorRejectedError);
  });
});

describe('mews time units', () => {
  it('time units start at local midnight, in UTC, across the DST change (Berlin, 2027-03-28)', () => {
    expect(timeUnitStartUtc('2027-03-28', 'Europe/Berlin')).toBe('2027-03-27T23:00:00.000Z');
    expect(timeUnitStartUtc('2027-03-29', 'Europe/Berlin')).toBe('2027-03-28T22:00:00.000Z');
    expect(timeUnitStartUtc('2027-10-31', 'Europe/Berlin')).toBe('2027-10-30T22:00:00.000Z');
    expect(timeUnitStartUtc('2027-11-01', 'Europe/Berlin')).toBe('2027-10-31T23:00:00.000Z');
  });

  it('a window covers the local dates it touches; stays occupy arrival to departure', () => {
    expect(windowNights({ start: Date.UTC(2027, 2, 27, 23), end: Date.UTC(2027, 2, 29, 22) }, 'Europe/Berlin'))
      .toEqual(['2027-03-28', '2027-03-29']);
    expect(windowNights({ start: 5, end: 5 }, 'UTC')).toEqual([]);
    expect(stayNights(Date.UTC(2027, 2, 27, 14), Date.UTC(2027, 2, 29, 10), 'Europe/Berlin')).toEqual(['2027-03-27', '2027-03-28']);
  });

  it('splits an interval into pieces of at most the given length', () => {
    expect(splitInterval({ start: 0, end: 25 }, 10)).toEqual([{ start: 0, end: 10 }, { start: 10, end: 20 }, { start: 20, end: 25 }]);
  });
});
