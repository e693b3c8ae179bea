import { describe, expect, it } from 'vitest';
import { toPayload } from '../delivery.js';
import { emailSubject, emailText } from './email.js';
import { slackEscape, slackMessage } from './slack.js';
import { webhookRequest } from './webhook.js';

const at = new Date('2027-01-10T09:00:00Z');
const payload = toPayload('a1', {
  event: 'writeback.failed', site: 'mitte', group: 'rooms', summary: 'Reservation r1 <failed> & released',
  details: { reservation: 'r1', attempts: 8, id: 'must not replace the id', summary: 'nor the summary' },
}, at, {});

describe('payload', () => {
  it('is the DESIGN §7 body: core fields first, details spread, core fields never replaced', () => {
    expect(payload).toEqual({
      id: 'a1', event: 'writeback.failed', at: '2027-01-10T09:00:00.000Z', site: 'mitte',
      summary: 'Reservation r1 <failed> & released', reservation: 'r1', attempts: 8, group: 'rooms',
    });
    expect(Object.keys(payload).slice(0, 5)).toEqual(['id', 'event', 'at', 'site', 'summary']);
    expect(toPayload('a2', { event: 'workers.missing', summary: 's' }, at, { reminder: true, openedAt: Date.parse('2027-01-10T08:00:00Z') }))
      .toEqual({ id: 'a2', event: 'workers.missing', at: '2027-01-10T09:00:00.000Z', site: null, summary: 's', reminder: true, openedAt: '2027-01-10T08:00:00.000Z' });
  });

  it('webhook: the body as JSON with timestamp, signature and, while rotating, the previous signature', () => {
    const { body, headers } = webhookRequest({ kind: 'webhook', url: 'https://x.example', secret: 'k', previousSecret: 'old' }, payload, 1_800_000_000);
    expect(JSON.parse(body)).toEqual(payload);
    expect(headers).toMatchObject({ 'X-Avhub-Timestamp': '1800000000', 'X-Avhub-Signature': expect.stringMatching(/^sha256=[0-9a-f]{64}$/) });
    expect(headers['X-Avhub-Signature-Previous']).toMatch(/^sha256=/);
    expect(webhookRequest({ kind: 'webhook', url: 'https://x.example', secret: 'k' }, payload, 1).headers['X-Avhub-Signature-Previous']).toBeUndefined();
  });
});

describe('slack message', () => {
  it('escapes &, < and > and carries text and blocks', () => {
    expect(slackEscape('a & <b>')).toBe('a &amp; &lt;b&gt;');
    const message = slackMessage(payload);
    expect(message.text).toBe(':x: writeback.failed at mitte: Reservation r1 &lt;failed&gt; &amp; released');
    expect(JSON.stringify(message.blocks)).toContain('reservation: r1');
    expect(JSON.stringify(message.blocks)).not.toContain('<failed>');
  });
});

describe('e-mail', () => {
  it('has the subject "[avhub] <event> <site>: <summary>" and the details in the text', () => {
    expect(emailSubject(payload)).toBe('[avhub] writeback.failed mitte: Reservation r1 <failed> & released');
    expect(emailSubject({ ...payload, site: null, summary: 'two\nlines', reminder: true })).toBe('[avhub] writeback.failed: reminder: two lines');
    expect(emailText(payload)).toContain('reservation: r1\nattempts: 8\n');
  });
});
