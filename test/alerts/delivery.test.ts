import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { AlertJobData } from '../../src/alerts/delivery.js';
import type { AlertEvent } from '../../src/core/alerts.js';
import { verifySignature } from '../../src/alerts/signature.js';
import type { AlertChannelConfig } from '../../src/config/types.js';
import { eventually, startAlertHarness, type AlertHarness } from './harness.js';
import { startHttpReceiver, startSmtpServer, type HttpReceiver } from './servers.js';

const SECRET = 'whsec-current-8f3a1c';
const OLD_SECRET = 'whsec-previous-2b7d90';
const SLACK_PATH = '/services/T000/B000/slack-token-XYZ';

let http: HttpReceiver;
let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
let harness: AlertHarness | undefined;
let n = 0;

beforeAll(async () => {
  http = await startHttpReceiver();
  smtp = await startSmtpServer();
});
afterAll(async () => {
  await http.close();
  await smtp.close();
});
afterEach(async () => {
  await harness?.stop();
  harness = undefined;
});

/** Fresh paths and a fresh recipient per test, so the shared servers' records do not mix. */
function channels() {
  const id = ++n;
  const hook = `/hooks/${id}`;
  const slack = `${SLACK_PATH}-${id}`;
  const to = `ops-${id}@example.com`;
  http.setSecrets(hook, [SECRET]);
  const list: AlertChannelConfig[] = [
    { kind: 'webhook', url: `${http.url}${hook}`, secret: SECRET },
    { kind: 'slack', url: `${http.url}${slack}` },
    { kind: 'email', smtp: { host: '127.0.0.1', port: smtp.port, secure: false }, from: 'avhub@example.com', to: [to] },
  ];
  return { list, hook, slack, mails: () => smtp.mails.filter((m) => m.to.includes(to)) };
}

const limited: AlertEvent = {
  event: 'site.limited', site: 'mitte', group: 'rooms', incident: 'site:mitte:health',
  summary: 'Hotel Mitte is not answering: limited availability', details: { code: 'ADAPTER.UNAVAILABLE', failures: 3 },
};
const recovered: AlertEvent = {
  event: 'site.recovered', site: 'mitte', incident: 'site:mitte:health', closes: true, summary: 'Hotel Mitte answers again',
};

describe('alert incidents and delivery (real Redis, BullMQ, HTTP and SMTP servers)', () => {
  it('sends one alert per channel for an incident emitted 20 times at once', async () => {
    const c = channels();
    harness = startAlertHarness(c.list);
    const decisions = await Promise.all(Array.from({ length: 20 }, () => harness!.alerts.decide(limited)));
    expect(decisions.filter((d) => d === 'opened')).toHaveLength(1);
    expect(decisions.filter((d) => d === 'dropped')).toHaveLength(19);

    await eventually(() => {
      expect(http.accepted(c.hook)).toHaveLength(1);
      expect(http.accepted(c.slack)).toHaveLength(1);
      expect(c.mails()).toHaveLength(1);
    });
    await harness.settled();
    expect(http.requests.filter((r) => r.path === c.hook)).toHaveLength(1);
    expect(http.requests.filter((r) => r.path === c.slack)).toHaveLength(1);
    expect(c.mails()).toHaveLength(1);

    // Webhook: the DESIGN §7 body, signed over "<timestamp>.<body>".
    const hook = http.accepted(c.hook)[0]!;
    expect(hook.verified).toBe(true);
    expect(hook.headers['x-avhub-signature']).toMatch(/^sha256=[0-9a-f]{64}$/);
    expect(Math.abs(Number(hook.headers['x-avhub-timestamp']) - Date.now() / 1000)).toBeLessThan(30);
    expect(hook.json).toEqual({
      id: expect.any(String), event: 'site.limited', at: expect.any(String), site: 'mitte',
      summary: 'Hotel Mitte is not answering: limited availability', code: 'ADAPTER.UNAVAILABLE', failures: 3,
      group: 'rooms', incident: 'site:mitte:health',
    });
    expect(verifySignature('wrong-secret', hook.headers['x-avhub-timestamp'] as string, hook.body, hook.headers['x-avhub-signature'] as string)).toBe(false);

    // Slack: incoming-webhook JSON with a readable text and blocks.
    const slack = http.accepted(c.slack)[0]!.json as { text: string; blocks: Array<{ type: string }> };
    expect(slack.text).toContain('site.limited at mitte');
    expect(slack.text).toContain('Hotel Mitte is not answering');
    expect(slack.blocks.map((b) => b.type)).toEqual(['section', 'context']);

    // E-mail: subject "[avhub] <event> <site>: <summary>", details in the text.
    const mail = c.mails()[0]!;
    expect(mail.subject).toBe('[avhub] site.limited mitte: Hotel Mitte is not answering: limited availability');
    expect(mail.text).toContain('code: ADAPTER.UNAVAILABLE');
    expect(mail.text).toContain(`alert id: ${hook.json['id'] as string}`);

    // The incident keeps count of what it dropped.
    expect(await harness.incidents.incident('site:mitte:health')).toMatchObject({ sent: 1, dropped: 19 });
  });

  it('repeats an open incident as a reminder once reminderEvery has passed since the last delivery, and not sooner', async () => {
    const c = channels();
    // The sink's clock is injected: reminder times are reached by setting it, not by waiting.
    const OPENED = Date.parse('2027-01-10T09:00:00.000Z');
    let now = OPENED;
    harness = startAlertHarness(c.list.slice(0, 1), { reminderEvery: 3_600_000, now: () => now });
    const still = { ...limited, summary: 'Hotel Mitte is still not answering' };
    expect(await harness.alerts.decide(limited)).toBe('opened');
    now = OPENED + 3_599_999; // 1 ms short of reminderEvery
    expect(await harness.alerts.decide(limited)).toBe('dropped');
    now = OPENED + 3_600_000; // exactly reminderEvery after the opening
    expect(await harness.alerts.decide(still)).toBe('reminder');
    now = OPENED + 5_400_000; // 1.5 h after opening, but only 30 min after the reminder
    expect(await harness.alerts.decide(limited)).toBe('dropped');
    now = OPENED + 7_200_000; // reminderEvery after the reminder
    expect(await harness.alerts.decide(still)).toBe('reminder');
    expect(await harness.incidents.incident('site:mitte:health')).toEqual({ openedAt: OPENED, lastSentAt: OPENED + 7_200_000, sent: 3, dropped: 2 });

    await eventually(() => expect(http.accepted(c.hook)).toHaveLength(3));
    await harness.settled();
    expect(http.accepted(c.hook)).toHaveLength(3);
    const [first, reminder, second] = http.accepted(c.hook).map((r) => r.json);
    expect(first).toMatchObject({ at: '2027-01-10T09:00:00.000Z', summary: limited.summary });
    expect(first!['reminder']).toBeUndefined();
    expect(first!['openedAt']).toBeUndefined();
    expect(reminder).toMatchObject({ reminder: true, at: '2027-01-10T10:00:00.000Z', openedAt: '2027-01-10T09:00:00.000Z', summary: still.summary });
    expect(second).toMatchObject({ reminder: true, at: '2027-01-10T11:00:00.000Z', openedAt: '2027-01-10T09:00:00.000Z' });
    expect(new Set([first!['id'], reminder!['id'], second!['id']]).size).toBe(3);
  });

  it('sends exactly one recovery when an incident closes, and none for an incident that is not open', async () => {
    const c = channels();
    harness = startAlertHarness(c.list);
    expect(await harness.alerts.decide(recovered)).toBe('not-open');
    await harness.alerts.emit(limited);
    const closes = await Promise.all(Array.from({ length: 5 }, () => harness!.alerts.decide(recovered)));
    expect(closes.filter((d) => d === 'closed')).toHaveLength(1);
    expect(closes.filter((d) => d === 'not-open')).toHaveLength(4);
    await eventually(() => {
      expect(http.accepted(c.hook).map((r) => r.json['event'])).toEqual(['site.limited', 'site.recovered']);
      expect(http.accepted(c.slack)).toHaveLength(2);
      expect(c.mails().map((m) => m.subject)).toContain('[avhub] site.recovered mitte: Hotel Mitte answers again');
    });
    await harness.settled();
    expect(http.accepted(c.hook)).toHaveLength(2);
    expect(c.mails()).toHaveLength(2);
    expect(http.accepted(c.hook)[1]!.json).toMatchObject({ event: 'site.recovered', openedAt: expect.any(String) });
    // A new problem after the recovery is a new incident.
    expect(await harness.incidents.incident('site:mitte:health')).toBeNull();
    expect(await harness.alerts.decide(limited)).toBe('opened');
  });

  it('delivers every event without an incident key', async () => {
    const c = channels();
    harness = startAlertHarness(c.list.slice(0, 1));
    const failed: AlertEvent = { event: 'writeback.failed', site: 'mitte', summary: 'Reservation r1 could not be written', details: { reservation: 'r1' } };
    expect(await harness.alerts.decide(failed)).toBe('delivered');
    expect(await harness.alerts.decide(failed)).toBe('delivered');
    await eventually(() => expect(http.accepted(c.hook)).toHaveLength(2));
  });

  it('retries a channel that is down (HTTP 500 twice) until it takes the alert, signing each attempt', async () => {
    const c = channels();
    http.failFirst(c.hook, 2);
    http.failFirst(c.slack, 2);
    harness = startAlertHarness(c.list.slice(0, 2));
    await harness.alerts.emit(limited);
    await eventually(() => {
      expect(http.accepted(c.hook)).toHaveLength(1);
      expect(http.accepted(c.slack)).toHaveLength(1);
    });
    const attempts = http.requests.filter((r) => r.path === c.hook);
    expect(attempts).toHaveLength(3);
    expect(new Set(attempts.map((r) => r.json['id'])).size).toBe(1);
    for (const r of attempts) expect(verifySignature(SECRET, r.headers['x-avhub-timestamp'] as string, r.body, r.headers['x-avhub-signature'] as string)).toBe(true);
    // The worker counts a delivery after the receiver has answered: wait for the count too.
    await eventually(() => expect(harness!.counts.filter((l) => l['kind'] === 'webhook').map((l) => l['outcome'])).toEqual(['retry', 'retry', 'sent']));
  });

  it('never logs a secret, a webhook path or a Slack URL, even when delivery fails', async () => {
    const c = channels();
    http.failFirst(c.slack, 1);
    http.failFirst(c.hook, 1);
    harness = startAlertHarness(c.list.slice(0, 2));
    await harness.alerts.emit(limited);
    await eventually(() => expect(http.accepted(c.slack)).toHaveLength(1));
    await eventually(() => expect(http.accepted(c.hook)).toHaveLength(1));
    const logs = harness.logs.join('\n');
    expect(logs).toContain('alert delivery failed; will retry');
    expect(logs).toContain('127.0.0.1');
    for (const secret of [SECRET, 'slack-token-XYZ', '/services/', c.hook]) expect(logs).not.toContain(secret);
  });

  it('routes by site, group and event', async () => {
    const id = ++n;
    const path = (name: string) => `/route/${id}/${name}`;
    const hook = (name: string, routing: Partial<AlertChannelConfig>): AlertChannelConfig =>
      ({ kind: 'webhook', url: `${http.url}${path(name)}`, secret: SECRET, ...routing }) as AlertChannelConfig;
    harness = startAlertHarness([
      hook('all', {}),
      hook('mitte', { sites: ['mitte'] }),
      hook('harbor', { sites: ['harbor'] }),
      hook('halls', { groups: ['halls'] }),
      hook('recoveries', { events: ['site.recovered'] }),
      hook('mitte-rooms-writeback', { sites: ['mitte'], groups: ['rooms'], events: ['writeback.failed'] }),
    ]);
    await harness.alerts.emit({ event: 'writeback.failed', site: 'mitte', group: 'rooms', summary: 'mitte rooms' });
    await harness.alerts.emit({ event: 'writeback.failed', site: 'harbor', group: 'halls', summary: 'harbor halls' });
    await harness.alerts.emit({ event: 'site.recovered', site: 'harbor', summary: 'harbor back' });
    await harness.alerts.emit({ event: 'workers.missing', summary: 'no workers' });
    const got = (name: string) => http.accepted(path(name)).map((r) => r.json['summary']).sort();
    await eventually(() => expect(got('all')).toHaveLength(4));
    await harness.settled();
    expect(got('all')).toEqual(['harbor back', 'harbor halls', 'mitte rooms', 'no workers']);
    // A site filter applies to events with a site; hub-wide events pass it.
    expect(got('mitte')).toEqual(['mitte rooms', 'no workers']);
    expect(got('harbor')).toEqual(['harbor back', 'harbor halls', 'no workers']);
    expect(got('halls')).toEqual(['harbor back', 'harbor halls', 'no workers']);
    expect(got('recoveries')).toEqual(['harbor back']);
    expect(got('mitte-rooms-writeback')).toEqual(['mitte rooms']);
  });
});

describe('webhook secret rotation', () => {
  it('signs with secret, and with previousSecret in X-Avhub-Signature-Previous while it is set', async () => {
    const id = ++n;
    const oldReceiver = `/rotate/${id}/old`;
    const newReceiver = `/rotate/${id}/new`;
    const both = `/rotate/${id}/both`;
    http.setSecrets(oldReceiver, [OLD_SECRET]);
    http.setSecrets(newReceiver, [SECRET]);
    http.setSecrets(both, [SECRET, OLD_SECRET]);
    const rotating = (p: string): AlertChannelConfig => ({ kind: 'webhook', url: `${http.url}${p}`, secret: SECRET, previousSecret: OLD_SECRET });
    harness = startAlertHarness([rotating(oldReceiver), rotating(newReceiver), rotating(both)]);
    await harness.alerts.emit({ event: 'conflict.opened', site: 'mitte', summary: 'two bookings for the ballroom' });
    await eventually(() => {
      for (const p of [oldReceiver, newReceiver, both]) expect(http.accepted(p)).toHaveLength(1);
    });
    const r = http.accepted(newReceiver)[0]!;
    const ts = r.headers['x-avhub-timestamp'] as string;
    // The main header is always the current secret's; the old one only verifies the extra header.
    expect(verifySignature(SECRET, ts, r.body, r.headers['x-avhub-signature'] as string)).toBe(true);
    expect(verifySignature(OLD_SECRET, ts, r.body, r.headers['x-avhub-signature'] as string)).toBe(false);
    expect(verifySignature(OLD_SECRET, ts, r.body, r.headers['x-avhub-signature-previous'] as string)).toBe(true);
  });

  it('a receiver that knows only the old secret rejects a hub signing with a new one and no previousSecret', async () => {
    const p = `/rotate/${++n}/stale`;
    http.setSecrets(p, [OLD_SECRET]);
    harness = startAlertHarness([{ kind: 'webhook', url: `${http.url}${p}`, secret: SECRET }], { attempts: 2 });
    await harness.alerts.emit({ event: 'conflict.opened', site: 'mitte', summary: 'x' });
    await eventually(() => expect(http.requests.filter((x) => x.path === p)).toHaveLength(2));
    expect(http.accepted(p)).toHaveLength(0);
    await eventually(() => expect(harness!.logs.join('\n')).toContain('giving up'));
  });
});

describe('e-mail with SMTP authentication', () => {
  it('logs in and delivers; a wrong password is retried, then given up', async () => {
    const server = await startSmtpServer({ user: 'avhub', password: 'smtp-pass-1' });
    try {
      const mail = (password: string, to: string): AlertChannelConfig => ({
        kind: 'email', smtp: { host: '127.0.0.1', port: server.port, secure: false, user: 'avhub', password }, from: 'Avhub <avhub@example.com>', to: [to],
      });
      harness = startAlertHarness([mail('smtp-pass-1', 'good@example.com'), mail('wrong', 'bad@example.com')], { attempts: 2 });
      await harness.alerts.emit({ event: 'workers.missing', incident: 'workers', summary: 'No avhub worker is running' });
      await eventually(() => expect(server.mails).toHaveLength(1));
      expect(server.mails[0]).toMatchObject({ user: 'avhub', to: ['good@example.com'], subject: '[avhub] workers.missing: No avhub worker is running' });
      await eventually(() => expect(harness!.counts.filter((l) => l['kind'] === 'email' && l['outcome'] === 'failed')).toHaveLength(1));
      expect(harness.logs.join('\n')).not.toContain('wrong');
      expect(harness.logs.join('\n')).not.toContain('smtp-pass-1');
    } finally {
      await server.close();
    }
  });
});

describe('failures while queueing', () => {
  it('undoes an opening that could not be queued, so the next event opens the incident again', async () => {
    const { Queue } = await import('bullmq');
    const { Redis } = await import('ioredis');
    const { pino } = await import('pino');
    const { Alerts } = await import('../../src/alerts/alerts.js');
    const { ALERT_QUEUE, openAlertQueue } = await import('../../src/alerts/delivery.js');
    const { AlertStore } = await import('../../src/store/alert-store.js');
    const { HubKeys } = await import('../../src/store/keys.js');
    const { deleteByPrefix, TEST_REDIS_URL, uniquePrefix } = await import('../helpers/redis.js');
    const redis = new Redis(TEST_REDIS_URL);
    const prefix = uniquePrefix();
    const keys = new HubKeys(prefix, 'test');
    // A real queue whose Redis is unreachable (nothing listens on port 1): adding fails at once.
    const deadConnection = new Redis('redis://127.0.0.1:1', { maxRetriesPerRequest: null, enableOfflineQueue: false, lazyConnect: true });
    deadConnection.on('error', () => undefined);
    const live = openAlertQueue({ url: TEST_REDIS_URL }, keys);
    const dead = new Queue<AlertJobData>(ALERT_QUEUE, { connection: deadConnection, prefix: keys.queuePrefix() });
    dead.on('error', () => undefined);
    const logs: string[] = [];
    const incidents = new AlertStore(redis, keys);
    const sink = (queue: typeof live.queue) => new Alerts({
      incidents, queue, reminderEvery: 60_000,
      channels: [{ kind: 'slack', url: 'https://hooks.slack.com/services/T/B/X' }],
      logger: pino({ level: 'info' }, { write: (l: string) => { logs.push(l); } }),
    });
    try {
      const down = sink(dead);
      await expect(down.decide(limited)).rejects.toThrow();
      expect(await incidents.incident('site:mitte:health')).toBeNull();
      await down.emit(limited); // never throws; logs instead
      expect(logs.join('\n')).toContain('alert could not be queued');
      // The queue is back (another process, same incidents): the next event opens the incident.
      const up = sink(live.queue);
      expect(await up.decide(limited)).toBe('opened');
      expect(await up.decide(limited)).toBe('dropped');
      expect(await live.queue.getJobCounts('waiting')).toEqual({ waiting: 1 });
    } finally {
      await dead.close().catch(() => undefined);
      deadConnection.disconnect();
      await live.close();
      await deleteByPrefix(redis, prefix);
      redis.disconnect();
    }
  });
});
