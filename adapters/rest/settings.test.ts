import { describe, expect, it } from 'vitest';
import { restAdapter } from './index.js';
import { restSettings } from './settings.js';

const base = {
  baseUrl: 'http://pms.local/api/',
  availability: { path: '/availability?roomType={resource}&from={from}&to={to}', items: 'data.nights', fields: { date: 'date', available: 'free' } },
};
const messages = (input: unknown) => {
  const r = restSettings.safeParse(input);
  return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
};

describe('rest settings', () => {
  it('accepts a minimal counts-only config and fills the defaults', () => {
    const s = restSettings.parse(base);
    expect(s).toMatchObject({ timeoutMs: 10_000, referencePrefix: 'avhub-', availability: { method: 'GET', maxNights: 31 } });
  });

  it('wants something to read', () => {
    expect(messages({ baseUrl: 'http://pms.local/' })).toEqual([': configure availability (per-night counts), bookings (a reservation list) or both']);
  });

  it('refuses paths that are URLs, climb out of baseUrl or use unknown placeholders', () => {
    const withPath = (path: string) => messages({ ...base, availability: { ...base.availability, path } });
    expect(withPath('http://evil.example/{resource}')).toEqual([expect.stringMatching(/^availability\.path: .*must be a path relative to baseUrl/)]);
    expect(withPath('//evil.example/{resource}')).toEqual([expect.stringContaining('relative to baseUrl')]);
    expect(withPath('/../admin/{resource}')).toEqual([expect.stringContaining('must not contain . or .. segments')]);
    expect(withPath('/a/{resource}/{room}')).toEqual(['availability.path: unknown placeholder {room}; this path may use {resource} {from} {to}']);
    expect(withPath('/a/{resource')).toContainEqual(expect.stringContaining('unbalanced'));
    expect(withPath('/a/{resource}}')).toEqual([expect.stringContaining('unbalanced')]);
  });

  it('needs {resource} in the availability path or a resource field', () => {
    expect(messages({ ...base, availability: { ...base.availability, path: '/availability?from={from}&to={to}' } }))
      .toEqual(['availability.path: put {resource} in the path, or name fields.resource so each item says its room type']);
    expect(messages({ ...base, availability: { ...base.availability, path: '/availability?from={from}', fields: { date: 'd', available: 'a', resource: 'rt' } } })).toEqual([]);
  });

  it('{since} and {page} must be whole query values, and {page} goes with nextPage', () => {
    const bookings = (path: string, nextPage?: string) => messages({
      baseUrl: 'http://pms.local/',
      bookings: { path, items: 'data', ...(nextPage ? { nextPage } : {}), fields: { id: 'id', resource: 'r', checkIn: 'a', checkOut: 'd' } },
    });
    expect(bookings('/bookings/{since}')).toEqual([expect.stringContaining('{since} may be absent, so it must be a whole query value')]);
    expect(bookings('/bookings?q=since:{since}')).toEqual([expect.stringContaining('{since} may be absent')]);
    expect(bookings('/bookings?page={page}')).toEqual([expect.stringMatching(/^bookings\.nextPage: the path uses \{page\}/)]);
    expect(bookings('/bookings', 'next')).toEqual([expect.stringMatching(/^bookings\.path: nextPage is set/)]);
    expect(bookings('/bookings?updatedSince={since}&page={page}', 'data.next')).toEqual([]);
  });

  it('create needs a lookup by {reference}, and its body may use only known placeholders', () => {
    const create = { path: '/bookings', body: { rt: '{resource}', who: '{customer.name}', n: '{nightz}' }, id: 'id' };
    expect(messages({ ...base, create })).toEqual([
      expect.stringMatching(/^create\.body: unknown placeholder \{nightz\}/),
      expect.stringMatching(/^lookup: create needs lookup/),
    ]);
    expect(messages({ ...base, create: { ...create, body: {} }, lookup: { path: '/bookings', items: 'data', id: 'id' } }))
      .toEqual(['lookup.path: a lookup path must filter by {reference}']);
    const lookup = { path: '/bookings?ref={reference}', items: 'data', id: 'id' };
    expect(messages({ ...base, create: { ...create, body: {} }, lookup, cancel: { method: 'POST', path: '/bookings/{id}/cancel', body: { why: '{reason}', ref: '{reference}' } } }))
      .toEqual([expect.stringMatching(/^cancel\.body: unknown placeholder \{reason\}/)]);
  });

  it('refuses unknown keys and bad values with a hint', () => {
    expect(messages({ ...base, timeout: 5 })).toEqual([expect.stringContaining('Unrecognized key')]);
    expect(messages({ ...base, baseUrl: 'ftp://pms.local/' })).toEqual(['baseUrl: an http(s) URL like http://pms.example.local/api/']);
    expect(messages({ ...base, auth: { header: 'Bad Header', value: 'x' } })).toEqual(['auth.header: an HTTP header name like Authorization or X-Api-Key']);
    expect(messages({ ...base, availability: { ...base.availability, items: 'data[0]' } })).toEqual([expect.stringMatching(/^availability\.items: /)]);
  });
});

describe('restAdapter definition', () => {
  it('hashes the credential (baseUrl + auth value), never exposing the secret', () => {
    const a = restSettings.parse({ ...base, auth: { header: 'Authorization', value: 'Bearer s3cret' } });
    const b = restSettings.parse({ ...base, auth: { header: 'Authorization', value: 'Bearer other' } });
    expect(restAdapter.credentialId(a)).toMatch(/^[0-9a-f]{16}$/);
    expect(restAdapter.credentialId(a)).not.toBe(restAdapter.credentialId(b));
    expect(restAdapter.credentialId(a)).toBe(restAdapter.credentialId(restSettings.parse({ ...base, auth: { header: 'X', value: 'Bearer s3cret' } })));
    expect(restAdapter.quota).toEqual({ perSecond: 5, burst: 10 });
  });

  it('the source mapping is the PMS id, strictly', () => {
    expect(restAdapter.source.safeParse({ id: 'DBL' }).success).toBe(true);
    expect(restAdapter.source.safeParse({ id: '' }).success).toBe(false);
    expect(restAdapter.source.safeParse({ id: 'DBL', extra: 1 }).success).toBe(false);
  });

  it('the options of issue 15: auth kinds, paging styles, nights, modify, [] and ^. paths, each error naming its field and the fix', () => {
    const bookings = { path: '/b?offset={offset}&limit={limit}', items: 'data.bookings[].rooms', paging: { style: 'offset', size: 50 },
      fields: { id: '^.id', resource: 'type', checkIn: '^.arrival', nights: '^.nights' } };
    expect(messages({ ...base, bookings, auth: { query: 'api_key', value: 'k' } })).toEqual([]);
    expect(messages({ ...base, auth: { header: 'X-Key', query: 'k', value: 'v' } })).toEqual(['auth: give one of header (with value), query (with value) or oauth2; found header and query']);
    expect(messages({ ...base, auth: { query: 'api_key' } })).toEqual([expect.stringMatching(/^auth\.value: query needs the credential as value/)]);
    expect(messages({ ...base, auth: { oauth2: { tokenUrl: 'https://a/t', clientId: 'c', clientSecret: 's' }, value: 'x' } }))
      .toEqual(['auth.value: oauth2 takes its secret as oauth2.clientSecret; remove value']);
    expect(messages({ ...base, auth: { oauth2: { tokenUrl: 'ftp://a/t', clientId: 'c', clientSecret: 's' } } }))
      .toEqual([expect.stringMatching(/^auth\.oauth2\.tokenUrl: the token endpoint/)]);
    expect(messages({ ...base, bookings: { ...bookings, path: '/b' } })).toEqual([expect.stringMatching(/^bookings\.path: paging\.style offset: the path needs an offset=\{offset\}/)]);
    expect(messages({ ...base, bookings: { ...bookings, paging: { style: 'cursor' } } })).toEqual([expect.stringMatching(/^bookings\.paging\.style: paging\.style is page .*, link or nextUrl/)]);
    expect(messages({ ...base, bookings: { ...bookings, fields: { ...bookings.fields, checkOut: '^.departure' } } })).toEqual(['bookings.fields.nights: give checkOut or nights, not both']);
    expect(messages({ ...base, bookings: { ...bookings, fields: { id: 'id', resource: 'r', checkIn: 'a' } } }))
      .toEqual([expect.stringMatching(/^bookings\.fields\.checkOut: name where a booking ends: checkOut .* or nights/)]);
    expect(messages({ ...base, bookings: { ...bookings, items: 'data[0]' } })).toEqual([expect.stringMatching(/^bookings\.items: a dot path like data\.bookings, or data\.roomTypes\[\]\.nights/)]);
    expect(messages({ ...base, bookings: { ...bookings, fields: { ...bookings.fields, id: 'a.^.id' } } })).toEqual([expect.stringMatching(/^bookings\.fields\.id: a dot path like guest\.name, or \^\.id/)]);
    expect(messages({ ...base, modify: { path: '/b/{id}', body: { a: '{checkIn}' } } })).toEqual(['modify: modify without create: the hub never has a booking of its own to change']);
    expect(messages({ ...base, modify: { path: '/b/{id}', body: { r: '{reference}' } } })[0]).toMatch(/^modify\.body: unknown placeholder \{reference\}; a modify body may use \{id\}/);
  });
});
