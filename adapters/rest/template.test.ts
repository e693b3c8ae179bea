import { describe, expect, it } from 'vitest';
import { fillPath, placeholdersIn, placeholdersInBody, renderBody } from './template.js';

describe('fillPath', () => {
  it('fills and URL-encodes placeholders', () => {
    expect(fillPath('/availability?roomType={resource}&from={from}&to={to}', { resource: 'DBL & TWIN', from: '2027-03-01', to: '2027-03-31' }))
      .toBe('/availability?roomType=DBL%20%26%20TWIN&from=2027-03-01&to=2027-03-31');
    expect(fillPath('/bookings/{id}', { id: 'a/b?c' })).toBe('/bookings/a%2Fb%3Fc');
  });

  it('leaves out a query parameter whose whole value has no value (full pull, first page)', () => {
    const path = '/bookings?updatedSince={since}&page={page}&limit=100';
    expect(fillPath(path, {})).toBe('/bookings?limit=100');
    expect(fillPath(path, { since: '2027-03-01T00:00:00.000Z', page: 2 })).toBe('/bookings?updatedSince=2027-03-01T00%3A00%3A00.000Z&page=2&limit=100');
    expect(fillPath('/bookings?page={page}', {})).toBe('/bookings');
  });

  it('refuses a path segment without a value', () => {
    expect(() => fillPath('/bookings/{id}', {})).toThrow('path placeholder {id} has no value');
  });

  it('reaches nested values with a dot path', () => {
    expect(fillPath('/x?name={customer.name}', { customer: { name: 'Zoë' } })).toBe('/x?name=Zo%C3%AB');
  });
});

describe('renderBody', () => {
  const values = { resource: 'DBL', quantity: 2, checkIn: '2027-03-01', customer: { name: 'Ada', tags: ['vip'] } };

  it('keeps the type of a value that is a whole placeholder', () => {
    expect(renderBody({ roomType: '{resource}', rooms: '{quantity}', tags: '{customer.tags}' }, values))
      .toEqual({ roomType: 'DBL', rooms: 2, tags: ['vip'] });
  });

  it('interpolates text, renders nested objects and arrays, leaves other values alone', () => {
    expect(renderBody({ note: 'hub {resource} x{quantity}', guest: { name: '{customer.name}' }, list: ['{checkIn}', 5], flag: true }, values))
      .toEqual({ note: 'hub DBL x2', guest: { name: 'Ada' }, list: ['2027-03-01', 5], flag: true });
  });

  it('a missing value is null as a whole value and empty inside text', () => {
    expect(renderBody({ phone: '{customer.phone}', note: 'tel: {customer.phone}' }, values)).toEqual({ phone: null, note: 'tel: ' });
  });
});

describe('placeholders', () => {
  it('lists every placeholder of a path and of a body', () => {
    expect(placeholdersIn('/a/{id}?b={since}')).toEqual(['id', 'since']);
    expect(placeholdersInBody({ a: '{x}', b: ['{y} {z}'], c: { d: '{customer.name}' }, e: 1 })).toEqual(['x', 'y', 'z', 'customer.name']);
  });
});
