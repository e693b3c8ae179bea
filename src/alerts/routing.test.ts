import { describe, expect, it } from 'vitest';
import type { AlertChannelConfig } from '../config/types.js';
import { describeChannel, routes } from './routing.js';

const hook = (routing: Partial<AlertChannelConfig> = {}) =>
  ({ kind: 'webhook', url: 'https://ops.example.com/hooks/secret-path?token=t', secret: 's', ...routing }) as AlertChannelConfig;

describe('routes', () => {
  it('lets everything through without filters', () => {
    expect(routes(hook(), { event: 'site.limited', site: 'mitte', summary: '' })).toBe(true);
  });

  it('filters by site, group and event; a filter ignores events without that dimension', () => {
    const channel = hook({ sites: ['mitte'], groups: ['rooms'], events: ['site.limited', 'workers.missing', 'writeback.failed'] });
    expect(routes(channel, { event: 'site.limited', site: 'mitte', summary: '' })).toBe(true);
    expect(routes(channel, { event: 'site.limited', site: 'harbor', summary: '' })).toBe(false);
    expect(routes(channel, { event: 'site.recovered', site: 'mitte', summary: '' })).toBe(false);
    expect(routes(channel, { event: 'writeback.failed', site: 'mitte', group: 'halls', summary: '' })).toBe(false);
    expect(routes(channel, { event: 'writeback.failed', site: 'mitte', group: 'rooms', summary: '' })).toBe(true);
    expect(routes(channel, { event: 'workers.missing', summary: '' })).toBe(true);
  });
});

describe('describeChannel', () => {
  it('shows the host only', () => {
    expect(describeChannel(hook(), 0)).toBe('webhook#0 (ops.example.com)');
    expect(describeChannel({ kind: 'slack', url: 'https://hooks.slack.com/services/T/B/X' }, 2)).toBe('slack#2 (hooks.slack.com)');
    expect(describeChannel({ kind: 'email', smtp: { host: 'smtp.example.com', port: 587, secure: false, user: 'u', password: 'p' }, from: 'a@b.c', to: ['d@e.f'] }, 1))
      .toBe('email#1 (smtp.example.com:587)');
  });
});
