import { mkdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { QueueEvents } from 'bullmq';
import type { Page } from 'playwright-core';
import { pino } from 'pino';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { startRestPmsSimulator, type RestPmsSimulator } from '../../adapters/rest/simulator/index.js';
import { Alerts } from '../../src/alerts/alerts.js';
import { openAlertQueue } from '../../src/alerts/delivery.js';
import { AlertStore } from '../../src/store/alert-store.js';
import { HubKeys } from '../../src/store/keys.js';
import { bullConnection } from '../../src/store/queues.js';
import { feedIcs, startFeedServer, type FeedServer } from '../adapters/ical-feed-server.js';
import { ADMIN, ADMIN_TOKEN, call, eventually, startTestHub, type TestHub } from '../helpers/hub.js';
import { seriousViolations, horizontalOverflow } from './axe.js';
import { describeWithChromium, launchChromium, type Chromium } from './chromium.js';

/**
 * The dashboard's operations views against a whole hub: next polls, a write-back waiting to retry
 * (its due time as BullMQ has it), a conflict between two bookings a venue's own calendar made
 * (their titles and links), workers, alert deliveries (sent, retrying, failed, sent again) and
 * the search of holds and reservations.
 */

const ARTIFACTS = new URL('../../test-artifacts/', import.meta.url);
const PMS_TOKEN = 'pms-secret-token';
const H = 3_600_000;
const DAY = 86_400_000;
const DAY0 = Math.floor(Date.now() / DAY) * DAY + 12 * DAY;
const date = (days: number) => new Date(Math.floor(Date.now() / DAY) * DAY + days * DAY).toISOString().slice(0, 10);
const SECRET_PATH = '/hooks/T0SECRET/B0SECRET';

let feeds: FeedServer;
let pms: RestPmsSimulator;
let hub: TestHub;
let browser: Chromium;
let page: Page;
let hooks: Server;
let hookBase: string;
/** Paths the webhook receiver refuses with 500. */
const refusing = new Set<string>([`${SECRET_PATH}/down`]);
const received: string[] = [];

function hubYaml(): string {
  const lakeside = parse(readFileSync(new URL('../../adapters/rest/fixtures/example-site.yaml', import.meta.url), 'utf8')) as Record<string, any>;
  lakeside.adapter.baseUrl = pms.url;
  lakeside.adapter.auth.value = `Bearer ${PMS_TOKEN}`;
  lakeside.pollEvery = '1h';
  for (const r of lakeside.resources) r.group = 'rooms';
  return stringify({
    auth: { adminToken: ADMIN_TOKEN },
    defaults: { writeback: { attempts: 6, backoff: '3s' }, syncWindow: { past: '1d', future: '60d' } },
    groups: { rooms: { workflow: 'hybrid' }, halls: { workflow: 'hybrid', conflictPolicy: 'manual' } },
    alerts: [
      { kind: 'webhook', url: `${hookBase}${SECRET_PATH}/ok`, secret: 'webhook-signing-secret-1', events: ['conflict.opened'] },
      { kind: 'webhook', url: `${hookBase}${SECRET_PATH}/down`, secret: 'webhook-signing-secret-2', events: ['conflict.opened'] },
    ],
    sites: [
      { id: 'venue', name: 'Venue Hall', timezone: 'Europe/London', pollEvery: '1s',
        adapter: { kind: 'ical-feed', url: feeds.url('/hall.ics') }, resources: [{ id: 'hall', name: 'Great hall', kind: 'unit', group: 'halls' }] },
      lakeside,
      { id: 'mitte', name: 'Hotel Mitte', timezone: 'Europe/Berlin', adapter: { kind: 'none' },
        resources: [{ id: 'double', name: 'Double room', kind: 'pool', capacity: 4, group: 'rooms', bookedBy: 'night' }] },
    ],
  });
}

async function hold(body: Record<string, unknown>): Promise<string> {
  const r = await call(hub.base, 'POST', '/v1/holds', { headers: ADMIN, body });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body.id as string;
}
async function reserve(body: Record<string, unknown>): Promise<string> {
  const id = await hold(body);
  const r = await call(hub.base, 'POST', `/v1/holds/${id}/confirm`, { headers: ADMIN });
  expect(r.status, JSON.stringify(r.body)).toBe(202);
  return r.body.reservationId as string;
}

describeWithChromium('dashboard operations views in Chromium', () => {
  beforeAll(async () => {
    hooks = createServer((req, res) => {
      received.push(req.url ?? '');
      req.resume();
      res.writeHead(refusing.has(req.url ?? '') ? 500 : 204).end();
    });
    await new Promise<void>((resolve) => hooks.listen(0, '127.0.0.1', resolve));
    hookBase = `http://127.0.0.1:${(hooks.address() as AddressInfo).port}`;
    feeds = await startFeedServer();
    feeds.setFeed('/hall.ics', feedIcs([]));
    pms = await startRestPmsSimulator({ token: PMS_TOKEN, seed: { roomTypes: { DBL: 5, SGL: 2 } } });
    hub = await startTestHub({ yaml: hubYaml(), roles: ['api', 'worker', 'scheduler'] });
    await eventually(async () => {
      for (const site of ['venue', 'lakeside']) {
        expect((await call(hub.base, 'GET', `/v1/sites/${site}`, { headers: ADMIN })).body.sync.lastSuccessAt).not.toBeNull();
      }
    }, 20_000);
    browser = await launchChromium({ viewport: { width: 1280, height: 900 }, timezoneId: 'Asia/Tokyo' });
    page = await browser.context.newPage();
    mkdirSync(ARTIFACTS, { recursive: true });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await hub?.stop();
    await feeds?.close();
    await pms?.stop();
    await new Promise((resolve) => hooks?.close(resolve));
  });

  it('the admin API: next polls, a retrying write-back\'s due time as BullMQ has it, workers, bookings search', async () => {
    const venue = (await call(hub.base, 'GET', '/v1/sites/venue', { headers: ADMIN })).body;
    expect(Date.parse(venue.sync.nextPollAt)).toBeGreaterThan(Date.now() - 2_000);
    expect(Date.parse(venue.sync.nextPollAt)).toBeLessThan(Date.now() + 3_000);
    expect((await call(hub.base, 'GET', '/v1/sites/mitte', { headers: ADMIN })).body.sync.nextPollAt).toBeNull();

    // The PMS refuses the next requests: the write-back waits to retry, and says until when.
    const connection = bullConnection(hub.config.redis);
    const events = new QueueEvents('writeback', { connection, prefix: new HubKeys(hub.prefix, hub.config.hubId).queuePrefix() });
    await events.waitUntilReady();
    const due = new Map<string, number>();
    events.on('delayed', ({ jobId, delay }) => due.set(jobId, Number(delay)));
    // Failing for the rest of this file: the write-back stays pending, waiting to retry.
    pms.admin.failNext(500, 1000);
    const resv = await reserve({ site: 'lakeside', resource: 'double', checkIn: date(20), checkOut: date(22), customer: { name: 'Grace Hopper', email: 'grace@example.org', reference: 'BK-7731' } });
    const job = await eventually(async () => {
      const jobs = (await call(hub.base, 'GET', '/v1/admin/writebacks?state=pending', { headers: ADMIN })).body.jobs as any[];
      const j = jobs.find((x) => x.reservation === resv && x.state === 'delayed' && x.attemptsMade === 2);
      expect(j).toBeDefined();
      return j;
    }, 20_000);
    await events.close();
    await connection.quit();
    expect(Date.parse(job.nextAttemptAt)).toBe(due.get(job.id));
    expect(Date.parse(job.nextAttemptAt)).toBeGreaterThan(Date.now() - 500);

    const workers = (await call(hub.base, 'GET', '/v1/admin/workers', { headers: ADMIN })).body;
    expect(workers).toMatchObject({ redis: 'up', ready: true, staleAfterSeconds: 15 });
    expect(workers.workers).toEqual([expect.objectContaining({ alive: true, pid: process.pid })]);
    expect((await call(hub.base, 'GET', '/v1/admin/workers')).status).toBe(401);

    // Holds and reservations, by guest, reference, site, dates and status.
    const ada = await reserve({ site: 'mitte', resource: 'double', checkIn: date(30), checkOut: date(33), customer: { name: 'Ada Lovelace', email: 'ada@example.org' } });
    const live = await hold({ site: 'mitte', resource: 'double', checkIn: date(40), checkOut: date(41), customer: { name: 'Alan Turing' } });
    const find = async (q: string) => {
      const r = await call(hub.base, 'GET', `/v1/admin/bookings?${q}`, { headers: ADMIN });
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      return (r.body.bookings as any[]).map((b) => `${b.kind}:${b.id}`);
    };
    expect(await find('q=lovelace')).toEqual([`reservation:${ada}`]);
    expect(await find('q=bk-7731')).toEqual([`reservation:${resv}`]);
    expect(await find('q=ADA%20example.org')).toEqual([`reservation:${ada}`]);
    expect(await find('site=mitte')).toEqual([`hold:${live}`, `reservation:${ada}`]);
    expect(await find(`site=mitte&from=${date(31)}&to=${date(32)}`)).toEqual([`reservation:${ada}`]);
    expect(await find(`from=${date(33)}&to=${date(40)}`)).toEqual([]);
    expect(await find('status=held')).toEqual([`hold:${live}`]);
    expect(await find('kind=reservation&resource=double&site=lakeside')).toEqual([`reservation:${resv}`]);
    const page1 = (await call(hub.base, 'GET', '/v1/admin/bookings?kind=reservation&limit=1', { headers: ADMIN })).body;
    expect(page1.bookings[0]).toMatchObject({ id: ada, customer: { name: 'Ada Lovelace' }, items: [{ siteName: 'Hotel Mitte', resourceName: 'Double room', checkIn: date(30), checkOut: date(33) }] });
    const page2 = (await call(hub.base, 'GET', `/v1/admin/bookings?kind=reservation&limit=1&cursor=${page1.next}`, { headers: ADMIN })).body;
    expect(page2.bookings.map((b: any) => b.id)).toEqual([resv]);
    const bad = await call(hub.base, 'GET', `/v1/admin/bookings?from=${date(5)}&to=${date(4)}`, { headers: ADMIN });
    expect(bad.body).toMatchObject({ status: 400, type: 'invalid-request', field: 'to' });
    // Guest details never reach the public availability answer.
    const open = await call(hub.base, 'GET', `/v1/availability?site=mitte&from=${date(30)}&to=${date(33)}`, { headers: ADMIN });
    expect(JSON.stringify(open.body)).not.toMatch(/Lovelace|Turing/);
  }, 60_000);

  it('shows next polls, the retry time, workers, a conflict\'s source titles and links, alert deliveries and the search', async () => {
    // The venue's own calendar sells the hall twice: each event has a title and a page.
    feeds.setFeed('/hall.ics', feedIcs([
      { uid: 'smith', start: DAY0 + 10 * H, end: DAY0 + 14 * H, extra: ['SUMMARY:Smith wedding', 'URL:https://venue.example/bookings/smith'] },
      { uid: 'jones', start: DAY0 + 12 * H, end: DAY0 + 16 * H, extra: ['SUMMARY:Jones party'] },
    ]));
    const conflict = await eventually(async () => {
      const r = await call(hub.base, 'GET', '/v1/conflicts?status=open', { headers: ADMIN });
      expect(r.body.conflicts).toHaveLength(1);
      return r.body.conflicts[0];
    }, 20_000);
    expect(conflict.bookings).toEqual(expect.arrayContaining([
      expect.objectContaining({ origin: 'site', title: 'Smith wedding', link: 'https://venue.example/bookings/smith' }),
      expect.objectContaining({ origin: 'site', title: 'Jones party' }),
    ]));
    // An alert that will fail for good (one attempt), beside the hub's own retrying one.
    const redis = hub.redis;
    const keys = new HubKeys(hub.prefix, hub.config.hubId);
    const queue = openAlertQueue(hub.config.redis, keys);
    const sink = new Alerts({ incidents: new AlertStore(redis, keys), queue: queue.queue, channels: hub.config.alerts, reminderEvery: H,
      logger: pino({ level: 'silent' }), delivery: { attempts: 1, backoffMs: 100 } });
    await sink.emit({ event: 'conflict.opened', site: 'venue', summary: 'Test alert: the hall is sold twice', incident: 'test:one' });
    await queue.close();
    const deliveries = await eventually(async () => {
      const d = (await call(hub.base, 'GET', '/v1/admin/alerts', { headers: ADMIN })).body.deliveries as any[];
      expect(d.filter((x) => x.state === 'failed')).toHaveLength(1);
      expect(d.filter((x) => x.state === 'sent').length).toBeGreaterThanOrEqual(2);
      expect(d.filter((x) => x.state === 'pending' && x.nextAttemptAt)).toHaveLength(1);
      return d;
    }, 20_000);
    const host = new URL(hookBase).host;
    expect(deliveries.map((d) => d.channel.target)).toEqual(deliveries.map(() => host));
    expect(JSON.stringify(deliveries)).not.toMatch(/SECRET|signing-secret/);

    await page.goto(`${hub.base}/dashboard/`);
    await page.fill('#token', ADMIN_TOKEN);
    await page.click('#login-form button[type=submit]');
    const venueRow = page.locator('#sites tbody tr[data-key="venue"]');
    await venueRow.waitFor({ timeout: 10_000 });
    const cell = (row: typeof venueRow, label: string) => row.locator(`td[data-label="${label}"]`);
    await expect.poll(() => cell(venueRow, 'Next poll').textContent()).toMatch(/^(in \d s \(\d\d:\d\d Europe\/London\)|due now)$/);
    expect(await cell(page.locator('#sites tbody tr[data-key="mitte"]'), 'Next poll').textContent()).toBe('—');

    // The write-back waiting to retry says when, never a time already past.
    const pending = page.locator('#pending tbody tr', { hasText: 'Grace Hopper' });
    await pending.waitFor({ timeout: 10_000 });
    await expect.poll(() => cell(pending, 'State').textContent()).toMatch(/^(waiting to retry: next attempt in \d+ s \(\d\d:\d\d Europe\/Berlin\)|retrying now.*)$/);

    await expect.poll(() => page.locator('#readiness').textContent()).toBe('Ready: 1 worker running.');
    expect(await page.locator('#workers tbody tr .badge').allTextContents()).toEqual(['alive']);

    // The conflict names the venue's bookings as its calendar does, with a link to the one that has a page.
    const row = page.locator(`#conflicts tbody tr[data-key="${conflict.id}"]`);
    await row.waitFor({ timeout: 10_000 });
    const bookings = cell(row, 'Bookings');
    await expect.poll(() => bookings.textContent()).toContain('“Smith wedding”, booking hall/smith made at Venue Hall');
    expect(await bookings.textContent()).toContain('“Jones party”, booking hall/jones made at Venue Hall');
    const link = row.getByRole('link', { name: 'Open “Smith wedding” at Venue Hall' });
    expect(await link.getAttribute('href')).toBe('https://venue.example/bookings/smith');
    expect(await link.getAttribute('rel')).toBe('noopener noreferrer');
    expect(await row.getByRole('button', { name: /^Keep Venue Hall booking/ }).count()).toBe(2);

    // Alert deliveries: sent, retrying, failed with "Send again", the target without its secret path.
    const failed = page.locator('#alerts tbody tr', { hasText: 'Test alert' }).filter({ has: page.locator('.badge', { hasText: 'failed' }) });
    await failed.waitFor({ timeout: 10_000 });
    expect(await cell(failed, 'To').textContent()).toBe(`webhook: ${host}`);
    expect(await cell(failed, 'Error').textContent()).toMatch(/HTTP 500/);
    await expect.poll(() => page.locator('#alerts .badge').allTextContents()).toEqual(expect.arrayContaining(['sent', 'retrying', 'failed']));
    expect(await page.locator('#alerts').textContent()).not.toMatch(/SECRET/);

    // Search: by guest, then by site and status.
    await page.waitForFunction(() => document.querySelectorAll('#bookings tbody tr').length >= 3, undefined, { timeout: 10_000 });
    await page.fill('#q', 'lovelace');
    await page.click('#search button[type=submit]');
    await expect.poll(() => page.locator('#bookings tbody tr').count()).toBe(1);
    const found = page.locator('#bookings tbody tr').first();
    expect(await found.locator('th').textContent()).toBe('Ada Lovelaceada@example.org');
    expect(await cell(found, 'What').textContent()).toBe(`Double room at Hotel Mitte, ${date(30)} to ${date(33)}`);
    expect(await page.locator('#bookings-note').textContent()).toBe('1 found.');
    await page.fill('#q', '');
    await page.selectOption('#s-site', 'mitte');
    await page.selectOption('#s-status', 'held');
    await page.click('#search button[type=submit]');
    await expect.poll(() => page.locator('#bookings tbody th').allTextContents()).toEqual(['Alan Turing']);
    await page.screenshot({ path: new URL('dashboard-ops.png', ARTIFACTS).pathname, fullPage: true });
    expect(await seriousViolations(page)).toEqual([]);

    // The failing receiver is back: "Send again" delivers the failed alert.
    refusing.clear();
    const before = received.length;
    await failed.getByRole('button', { name: /^Send again: Test alert/ }).click();
    await eventually(async () => expect(received.slice(before)).toContain(`${SECRET_PATH}/down`), 15_000);
    await expect.poll(() => page.locator('#alerts tbody tr', { hasText: 'Test alert' }).locator('.badge').allTextContents(), { timeout: 15_000 })
      .not.toContain('failed');

    // On a phone: every view fits, and axe finds nothing serious.
    await page.setViewportSize({ width: 390, height: 844 });
    expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
    expect(await seriousViolations(page)).toEqual([]);
  }, 90_000);
});
