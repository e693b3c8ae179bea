import { describe, expect, it } from 'vitest';
import { caldavAdapter } from './index.js';

describe('caldav adapter definition', () => {
  const ok = { url: 'https://dav.example.com/', username: 'north', password: 's3cret' };

  it('validates its settings strictly and names the field', () => {
    expect(caldavAdapter.settings.parse({ ...ok, calendarHome: '/north/' })).toEqual({ ...ok, calendarHome: '/north/' });
    const issues = (v: unknown) => caldavAdapter.settings.safeParse(v).error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`) ?? [];
    expect(issues({ ...ok, url: 'ftp://dav.example.com/' })[0]).toMatch(/^url: an http/);
    expect(issues({ ...ok, url: 'https://north:s3cret@dav.example.com/' })[0]).toMatch(/^url: put the credentials in username and password/);
    expect(issues({ ...ok, password: '' })[0]).toMatch(/^password:/);
    expect(issues({ ...ok, token: 'x' }).join()).toMatch(/token/);
  });

  it('maps a resource by { calendar } only', () => {
    expect(caldavAdapter.source.safeParse({ calendar: '/north/main-hall/' }).success).toBe(true);
    expect(caldavAdapter.source.safeParse({ calendar: '' }).success).toBe(false);
    expect(caldavAdapter.source.safeParse({ calendar: 'x', id: 1 }).success).toBe(false);
  });

  it('identifies the credential by server and user, never by the password', () => {
    const id = caldavAdapter.credentialId(ok);
    expect(id).toMatch(/^[0-9a-f]{64}$/);
    expect(caldavAdapter.credentialId({ ...ok, password: 'other' })).toBe(id);
    expect(caldavAdapter.credentialId({ ...ok, username: 'south' })).not.toBe(id);
    expect(id).not.toContain('s3cret');
    expect(caldavAdapter.writable).toBe(true);
    expect(caldavAdapter.quota).toEqual({ perSecond: 10, burst: 20 });
  });
});
