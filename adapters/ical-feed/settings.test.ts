import { describe, expect, it } from 'vitest';
import { icalFeedAdapter } from './index.js';

describe('ical-feed settings', () => {
  const { settings, source } = icalFeedAdapter;

  it('accepts a feed URL, headers and a timeout as ms or a duration', () => {
    expect(settings.parse({ url: 'https://ota.example/ical/1.ics?s=x', headers: { Authorization: 'Bearer t' }, timeout: '15s' }))
      .toEqual({ url: 'https://ota.example/ical/1.ics?s=x', headers: { Authorization: 'Bearer t' }, timeout: 15_000 });
    expect(settings.parse({ timeout: 2500 })).toEqual({ timeout: 2500 });
    expect(settings.parse({ timeout: '500ms' })).toEqual({ timeout: 500 });
    expect(settings.parse({})).toEqual({});
  });

  it('refuses other schemes, unknown keys and silly timeouts', () => {
    expect(settings.safeParse({ url: 'ftp://ota.example/1.ics' }).success).toBe(false);
    expect(settings.safeParse({ url: 'webcal://ota.example/1.ics' }).success).toBe(false);
    expect(settings.safeParse({ feed: 'https://ota.example/1.ics' }).success).toBe(false);
    expect(settings.safeParse({ timeout: '1h' }).success).toBe(false);
    expect(settings.safeParse({ timeout: '10m' }).success).toBe(false);
    expect(settings.safeParse({ timeout: -1 }).success).toBe(false);
  });

  it('a resource source is an optional URL and nothing else', () => {
    expect(source.parse({ url: 'http://127.0.0.1:8080/room.ics' })).toEqual({ url: 'http://127.0.0.1:8080/room.ics' });
    expect(source.parse({})).toEqual({});
    expect(source.safeParse({ calendar: '/x/' }).success).toBe(false);
  });

  it('the credential id is a hash of the host and the site, never the URL or its secret', () => {
    const a = icalFeedAdapter.credentialId(settings.parse({ url: 'https://ota.example/ical/secret-1.ics' }), 'seaside');
    const b = icalFeedAdapter.credentialId(settings.parse({ url: 'https://OTA.example/ical/secret-2.ics', headers: { Authorization: 'x' } }), 'seaside');
    const c = icalFeedAdapter.credentialId(settings.parse({ url: 'https://other.example/ical/secret-1.ics' }), 'seaside');
    expect(a).toBe(b);
    expect(a).not.toBe(c);
    expect(a).toMatch(/^[0-9a-f]{16}$/);
    expect(icalFeedAdapter.credentialId(settings.parse({}), 'seaside')).toMatch(/^[0-9a-f]{16}$/);
  });

  // Issue 14: hostile feeds on a good feed's host spent the good site's quota (one bucket per host).
  it('sites on one host get buckets of their own', () => {
    const url = settings.parse({ url: 'https://ota.example/ical/x.ics' });
    expect(icalFeedAdapter.credentialId(url, 'good')).not.toBe(icalFeedAdapter.credentialId(url, 'hostile'));
  });
});
