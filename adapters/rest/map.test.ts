import { describe, expect, it } from 'vitest';
import type { SourceResource } from '../../src/core/adapter/port.js';
import { chunkNights, hubReferenceOf, mapBooking, mapCount, mapStatus, type BookingContext } from './map.js';

const night: SourceResource = { id: 'double', kind: 'pool', bookedBy: 'night', capacity: 12, mapping: { id: 'DBL' } };
const hall: SourceResource = { id: 'hall', kind: 'unit', bookedBy: 'time', capacity: 1, mapping: { id: 'H1' } };
const bySourceId = new Map([['DBL', night], ['H1', hall]]);

const ctx: BookingContext = {
  fields: { id: 'id', resource: 'type', checkIn: 'from', checkOut: 'to', status: 'state', reference: 'ref', createdAt: 'created', updatedAt: 'modified', quantity: 'rooms' },
  statusMap: { cancelled: ['CANCELLED', 'void'], tentative: ['OPTION'] },
  unknownStatus: 'busy',
  referencePrefix: 'avhub-',
  timezone: 'Europe/Berlin',
  bySourceId,
};
const map = (item: unknown) => mapBooking(item, 7, ctx);

describe('mapBooking (recorded PMS items)', () => {
  it('a night booking with dates, numbers as strings and the hub\'s reference', () => {
    expect(map({ id: 42, type: 'DBL', from: '2027-03-27', to: '2027-03-29', state: 'CONFIRMED', ref: 'avhub-r_abc.0123456789ab', created: '2027-03-01T10:00:00Z', modified: 1803000000, rooms: '2' }))
      .toEqual({ booking: {
        externalId: '42', resource: 'double', span: { by: 'night', nights: ['2027-03-27', '2027-03-28'] }, quantity: 2, status: 'confirmed',
        busy: true, createdAt: Date.UTC(2027, 2, 1, 10), updatedAt: 1803000000 * 1000, hubReference: 'r_abc',
      } });
  });

  it('date-times on a night resource count by the local date of arrival and departure', () => {
    const out = map({ id: 'b', type: 'DBL', from: '2027-03-27T15:00:00+01:00', to: '2027-03-28T23:30:00Z', rooms: null });
    // 23:30Z on the 28th is 01:30 on the 29th in Berlin (summer time began on the 28th).
    expect(out).toMatchObject({ booking: { span: { by: 'night', nights: ['2027-03-27', '2027-03-28'] }, quantity: 1, status: 'confirmed' } });
  });

  it('a time resource: offsetless date-times are the site\'s wall clock, across the DST change', () => {
    const out = map({ id: 'h', type: 'H1', from: '2027-03-28T01:00:00', to: '2027-03-28 04:00:00' });
    expect(out).toMatchObject({ booking: { resource: 'hall', span: { by: 'time', start: Date.UTC(2027, 2, 28, 0), end: Date.UTC(2027, 2, 28, 2) } } });
    expect(map({ id: 'h2', type: 'H1', from: '2027-03-28', to: '2027-03-29' }))
      .toMatchObject({ booking: { span: { by: 'time', start: Date.UTC(2027, 2, 27, 23), end: Date.UTC(2027, 2, 28, 22) } } });
  });

  it('statuses go through the statusMap, case-insensitively; anything else is confirmed', () => {
    const status = (state: unknown) => { const o = map({ id: 'x', type: 'DBL', from: '2027-01-01', to: '2027-01-02', state }); return 'booking' in o ? o.booking.status : o; };
    expect([status('CANCELLED'), status('Void'), status('option'), status('CHECKED_IN'), status(undefined)])
      .toEqual(['cancelled', 'cancelled', 'tentative', 'confirmed', 'confirmed']);
    expect(mapStatus('x', {})).toBe('confirmed');
  });

  it('a status statusMap does not list is reported, and counts as busy unless unknownStatus is free', () => {
    const seen: string[] = [];
    const item = { id: 'u1', type: 'DBL', from: '2027-01-01', to: '2027-01-02', state: 'WAITLIST' };
    const busy = mapBooking(item, 0, { ...ctx, onUnknownStatus: (v, id) => seen.push(`${v}@${id}`) });
    expect('booking' in busy && [busy.booking.status, busy.booking.busy]).toEqual(['confirmed', true]);
    const free = mapBooking(item, 0, { ...ctx, unknownStatus: 'free', onUnknownStatus: (v, id) => seen.push(`${v}@${id}`) });
    expect('booking' in free && [free.booking.status, free.booking.busy]).toEqual(['tentative', false]);
    expect(seen).toEqual(['WAITLIST@u1', 'WAITLIST@u1']);
    // Listed values (confirmed too) and a statusMap listing nothing report nothing.
    const quiet = { ...ctx, statusMap: { ...ctx.statusMap, confirmed: ['WAITLIST'] }, onUnknownStatus: () => seen.push('!') };
    mapBooking(item, 0, quiet);
    mapBooking(item, 0, { ...ctx, statusMap: {}, onUnknownStatus: () => seen.push('!') });
    expect(seen).toHaveLength(2);
  });

  it('an unreadable item is a skip with a reason, never a throw', () => {
    const ok = { id: 'x', type: 'DBL', from: '2027-01-01', to: '2027-01-03' };
    expect(map({ ...ok, id: '' })).toEqual({ skip: { externalId: '#7', reason: 'no id at "id"' } });
    expect(map(null)).toEqual({ skip: { externalId: '#7', reason: 'no id at "id"' } });
    expect(map({ ...ok, type: 'STE' })).toEqual({ skip: { externalId: 'x', reason: 'unknown resource id "STE" (no resource has source.id "STE")' } });
    expect(map({ ...ok, type: undefined })).toEqual({ skip: { externalId: 'x', reason: 'no resource id at "type"' } });
    expect(map({ ...ok, from: '2027-02-30' })).toEqual({ skip: { externalId: 'x', reason: 'checkIn "2027-02-30" is not a date or date-time' } });
    expect(map({ ...ok, to: 'tomorrow' })).toEqual({ skip: { externalId: 'x', reason: 'checkOut "tomorrow" is not a date or date-time' } });
    expect(map({ ...ok, to: '2027-01-01' })).toEqual({ skip: { externalId: 'x', reason: 'checkOut is not after checkIn' } });
    expect(map({ ...ok, rooms: 0 })).toEqual({ skip: { externalId: 'x', reason: 'quantity 0 is not a whole number of 1 or more' } });
    expect(map({ ...ok, created: 'yesterday' })).toMatchObject({ booking: { externalId: 'x' } });
  });
});

describe('mapCount', () => {
  const fields = { date: 'date', available: 'free', closed: 'stop' };
  const dates = new Set(['2027-03-01', '2027-03-02']);

  it('maps a count, a closed night, and clamps an overbooked count to 0', () => {
    expect(mapCount({ date: '2027-03-01', free: '4' }, { fields, resource: night, bySourceId, dates })).toEqual({ resource: 'double', date: '2027-03-01', available: 4 });
    expect(mapCount({ date: '2027-03-02T00:00:00', free: 2, stop: 'Y' }, { fields, resource: night, bySourceId, dates })).toEqual({ resource: 'double', date: '2027-03-02', available: 2, closed: true });
    expect(mapCount({ date: '2027-03-02', free: -1 }, { fields, resource: night, bySourceId, dates })).toMatchObject({ available: 0 });
  });

  it('ignores dates outside the request, skips unreadable items', () => {
    expect(mapCount({ date: '2027-03-03', free: 1 }, { fields, resource: night, bySourceId, dates })).toBeNull();
    expect(mapCount({ date: '03/01/2027', free: 1 }, { fields, resource: night, bySourceId, dates })).toMatchObject({ skip: { reason: expect.stringContaining('is not YYYY-MM-DD') } });
    expect(mapCount({ date: '2027-03-01', free: 'many' }, { fields, resource: night, bySourceId, dates })).toMatchObject({ skip: { externalId: 'availability:double@2027-03-01' } });
  });

  it('finds the resource in the item when the request was not per resource', () => {
    const f = { ...fields, resource: 'rt' };
    expect(mapCount({ rt: 'DBL', date: '2027-03-01', free: 1 }, { fields: f, bySourceId, dates })).toMatchObject({ resource: 'double' });
    expect(mapCount({ rt: 'STE', date: '2027-03-01', free: 1 }, { fields: f, bySourceId, dates })).toMatchObject({ skip: { reason: expect.stringContaining('unknown resource id "STE"') } });
  });
});

describe('helpers', () => {
  it('hubReferenceOf reads the reservation id after the prefix', () => {
    expect(hubReferenceOf('avhub-r_1', 'avhub-')).toBe('r_1');
    expect(hubReferenceOf('avhub-r_1.abcdef', 'avhub-')).toBe('r_1');
    expect(hubReferenceOf('OTA-123', 'avhub-')).toBeUndefined();
    expect(hubReferenceOf('avhub-', 'avhub-')).toBeUndefined();
    expect(hubReferenceOf(12, 'avhub-')).toBeUndefined();
  });

  it('chunkNights splits a window into inclusive chunks of at most n nights', () => {
    expect(chunkNights('2027-01-01', '2027-03-03', 31)).toEqual([
      { from: '2027-01-01', to: '2027-01-31' }, { from: '2027-02-01', to: '2027-03-03' },
    ]);
    expect(chunkNights('2027-01-01', '2027-01-01', 31)).toEqual([{ from: '2027-01-01', to: '2027-01-01' }]);
    expect(chunkNights('2027-01-01', '2027-01-03', 1)).toHaveLength(3);
  });
});
