import { mkdirSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { stringify, parse } from 'yaml';
import { startRestPmsSimulator, type RestPmsSimulator } from '../../adapters/rest/simulator/index.js';
import { feedIcs, startFeedServer, type FeedServer } from '../adapters/ical-feed-server.js';
import { ADMIN, ADMIN_TOKEN, call, eventually, startTestHub, type TestHub } from '../helpers/hub.js';
import { describeWithChromium, launchChromium, type Chromium } from './chromium.js';

/**
 * The staff dashboard in a real Chromium against a whole hub: an iCal-feed site that goes dark,
 * a REST PMS whose write-backs fail, and the Retry button.
 */

const ARTIFACTS = new URL('../../test-artifacts/', import.meta.url);
const PMS_TOKEN = 'pms-secret-token';
const H = 3_600_000;
const DAY = 86_400_000;
const DAY0 = Math.floor(Date.now() / DAY) * DAY + 10 * DAY;
const date = (days: number) => new Date(Math.floor(Date.now() / DAY) * DAY + days * DAY).toISOString().slice(0, 10);

function hubYaml(feedUrl: string, pmsUrl: string): string {
  const lakeside = parse(readFileSync(new URL('../../adapters/rest/fixtures/example-site.yaml', import.meta.url), 'utf8')) as Record<string, any>;
  lakeside.adapter.baseUrl = pmsUrl;
  lakeside.adapter.auth.value = `Bearer ${PMS_TOKEN}`;
  // Polled rarely: the PMS failures below are meant for write-backs, not for polls.
  lakeside.pollEvery = '1h';
  for (const r of lakeside.resources) r.group = 'rooms';
  return stringify({
    auth: { adminToken: ADMIN_TOKEN },
    defaults: { limitedAfter: { failures: 2 }, recoverAfter: 1, writeback: { attempts: 1, backoff: '100ms' }, syncWindow: { past: '1d', future: '60d' } },
    groups: { rooms: { workflow: 'hybrid' }, halls: { workflow: 'hybrid' } },
    sites: [
      { id: 'venue', name: 'Venue Hall', timezone: 'Europe/Berlin', pollEvery: '1s',
        adapter: { kind: 'ical-feed', url: feedUrl }, resources: [{ id: 'hall', kind: 'unit', group: 'halls' }] },
      lakeside,
      { id: 'mitte', name: 'Hotel Mitte', timezone: 'Europe/Berlin', adapter: { kind: 'none' },
        resources: [{ id: 'double', kind: 'pool', capacity: 4, group: 'rooms', bookedBy: 'night' }] },
    ],
  });
}

let feeds: FeedServer;
let pms: RestPmsSimulator;
let hub: TestHub;
let browser: Chromium;
let page: Page;
const requested: string[] = [];

async function shot(name: string) {
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: new URL(`dashboard-${name}.png`, ARTIFACTS).pathname, fullPage: true });
}

const healthOf = (site: string) => page.locator(`#sites tr[data-key="${site}"] .badge`).textContent();

async function writebacks(state: 'failed' | 'pending') {
  const r = await call(hub.base, 'GET', `/v1/admin/writebacks?state=${state}`, { headers: ADMIN });
  expect(r.status).toBe(200);
  return r.body.jobs as Array<{ id: string; op: string; reservation: string; state: string; retryable: boolean; failedReason: string | null }>;
}

async function reservationAtLakeside(): Promise<string> {
  const hold = await call(hub.base, 'POST', '/v1/holds', { headers: ADMIN, body: { site: 'lakeside', resource: 'double', checkIn: date(20), checkOut: date(22), customer: { name: 'Ada' } } });
  expect(hold.status).toBe(201);
  const confirm = await call(hub.base, 'POST', `/v1/holds/${hold.body.id}/confirm`, { headers: ADMIN });
  expect(confirm.status).toBe(202);
  return confirm.body.reservationId as string;
}

/** Uses up the simulator's queued faults (it has no call to clear them). */
async function drainPmsFaults() {
  for (let i = 0; i < 100; i++) {
    const res = await fetch(`${pms.url}bookings?page=1`, { headers: { authorization: `Bearer ${PMS_TOKEN}` } });
    await res.arrayBuffer();
    if (res.status !== 500) return;
  }
  throw new Error('the PMS simulator kept failing');
}

describeWithChromium('staff dashboard in Chromium', () => {
  beforeAll(async () => {
    feeds = await startFeedServer();
    feeds.setFeed('/hall.ics', feedIcs([{ uid: 'a', start: DAY0 + 9 * H, end: DAY0 + 11 * H }]));
    pms = await startRestPmsSimulator({ token: PMS_TOKEN, seed: { roomTypes: { DBL: 5, SGL: 2 } } });
    hub = await startTestHub({ yaml: hubYaml(feeds.url('/hall.ics'), pms.url), roles: ['api', 'worker', 'scheduler'] });
    await eventually(async () => {
      const s = await call(hub.base, 'GET', '/v1/sites/venue', { headers: ADMIN });
      expect(s.body.sync.lastSuccessAt).not.toBeNull();
    }, 15_000);
    browser = await launchChromium({ viewport: { width: 1280, height: 900 } });
    page = await browser.context.newPage();
    page.on('request', (r) => requested.push(r.url()));
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await hub?.stop();
    await feeds?.close();
    await pms?.stop();
  });

  it('logs in with the admin token (kept out of URLs) and shows every site\'s health', async () => {
    const res = await page.goto(`${hub.base}/dashboard`);
    expect(res?.status()).toBe(200);
    expect(new URL(page.url()).pathname).toBe('/dashboard/');
    expect(res?.headers()['content-security-policy']).toMatch(/default-src 'none'/);

    await page.fill('#token', 'not-the-admin-token-at-all');
    await page.click('#login-form button[type=submit]');
    await page.waitForFunction(() => document.getElementById('login-error')?.textContent?.includes('not accepted'), undefined, { timeout: 10_000 });
    expect(await page.isVisible('#app')).toBe(false);

    await page.fill('#token', ADMIN_TOKEN);
    await page.click('#login-form button[type=submit]');
    await page.waitForSelector('#sites tbody tr[data-key="mitte"]', { timeout: 10_000 });
    await page.waitForFunction(() => document.querySelectorAll('#sites tbody tr').length === 3, undefined, { timeout: 10_000 });
    expect(await healthOf('venue')).toBe('healthy');
    expect(await healthOf('lakeside')).toBe('healthy');
    expect(await healthOf('mitte')).toBe('healthy');
    expect(await page.locator('#sites tr[data-key="mitte"] td').nth(2).textContent()).toBe('live');
    expect(await page.evaluate(() => sessionStorage.getItem('avhub.adminToken'))).toBe(ADMIN_TOKEN);
    expect(await page.inputValue('#token')).toBe('');
    // Conflicts: a placeholder until the hub tracks them (GET /v1/conflicts answers 404), else the open ones.
    const tracked = (await call(hub.base, 'GET', '/v1/conflicts?status=open', { headers: ADMIN })).status !== 404;
    const expected = tracked ? 'No open conflicts.' : 'No conflict tracking yet.';
    await page.waitForFunction((text) => document.getElementById('conflicts-note')?.textContent === text, expected, { timeout: 10_000 });

    // Accessible structure: headings, row headers, a live region.
    expect(await page.locator('h1').count()).toBe(1);
    expect(await page.locator('main h2').allTextContents()).toEqual(expect.arrayContaining(['Sites', 'Failed write-backs', 'Pending write-backs', 'Open conflicts']));
    expect(await page.locator('#sites tbody th[scope=row]').count()).toBe(3);
    expect(await page.getAttribute('#announcer', 'aria-live')).toBe('polite');
    await shot('healthy');
  });

  it('shows a dark polled site as limited within seconds, without reloading', async () => {
    await page.evaluate(() => { (window as unknown as { marker: number }).marker = 42; });
    feeds.fail({ status: 503 });
    const started = Date.now();
    await page.waitForFunction(() => document.querySelector('#sites tr[data-key="venue"] .badge')?.textContent === 'limited', undefined, { timeout: 20_000 });
    console.info(`dashboard showed venue limited ${Date.now() - started} ms after the feed went dark`);
    expect(await page.evaluate(() => (window as unknown as { marker?: number }).marker)).toBe(42);
    const row = page.locator('#sites tr[data-key="venue"]');
    expect(await row.locator('td.reason').textContent()).toMatch(/ADAPTER\.UNAVAILABLE/);
    expect(Number(await row.locator('td[data-label="Failures"]').textContent())).toBeGreaterThanOrEqual(2);
    await page.waitForFunction(() => [...document.querySelectorAll('#history tbody tr')].some((r) => r.textContent?.includes('Venue Hall') && r.textContent.includes('limited')), undefined, { timeout: 10_000 });
    await page.waitForFunction(() => document.getElementById('announcer')?.textContent?.includes('Venue Hall is now limited'), undefined, { timeout: 10_000 });
    expect(await healthOf('mitte')).toBe('healthy');
    await shot('limited');
  });

  it('lists failed write-backs; Retry queues a failed cancel again and it reaches the PMS', async () => {
    const kept = await reservationAtLakeside();
    await eventually(async () => {
      expect((await call(hub.base, 'GET', `/v1/reservations/${kept}`, { headers: ADMIN })).body.status).toBe('confirmed');
    }, 15_000);
    const booking = () => pms.admin.bookings().find((b) => b.externalRef?.startsWith(`avhub-${kept}`));
    expect(booking()?.state).toBe('CONFIRMED');

    let cancelJob: string;
    pms.admin.failNext(500, 50);
    try {
      // A cancel the PMS refuses (attempts: 1) ends failed, and retrying can still help.
      expect((await call(hub.base, 'DELETE', `/v1/reservations/${kept}`, { headers: ADMIN })).body.status).toBe('cancelled');
      // A create the PMS refuses fails its reservation and releases the capacity: not retryable.
      const lost = await reservationAtLakeside();
      const failed = await eventually(async () => {
        const jobs = await writebacks('failed');
        expect(jobs.map((j) => [j.reservation, j.op]).sort()).toEqual([[kept, 'cancel'], [lost, 'create']].sort());
        return jobs;
      }, 15_000);
      expect(failed.find((j) => j.op === 'cancel')).toMatchObject({ retryable: true, state: 'failed', failedReason: expect.stringMatching(/500/) });
      cancelJob = failed.find((j) => j.op === 'cancel')!.id;
      expect(failed.find((j) => j.op === 'create')).toMatchObject({ retryable: false });
      const notRetryable = await call(hub.base, 'POST', `/v1/admin/writebacks/${failed.find((j) => j.op === 'create')!.id}/retry`, { headers: ADMIN });
      expect(notRetryable.status).toBe(409);
      expect(notRetryable.body.type).toBe('writeback-not-retryable');
    } finally {
      await drainPmsFaults();
    }
    expect((await call(hub.base, 'POST', '/v1/admin/writebacks/no-such-job/retry', { headers: ADMIN })).status).toBe(404);

    const cancelRow = page.locator('#failed tbody tr', { hasText: kept });
    await cancelRow.waitFor({ timeout: 10_000 });
    expect(await cancelRow.locator('td').first().textContent()).toBe('cancel');
    await page.waitForFunction(() => document.querySelectorAll('#failed tbody tr').length === 2, undefined, { timeout: 10_000 });
    expect(await page.locator('#failed tbody tr button.retry').count()).toBe(1);
    expect(await page.locator('#failed tbody tr', { hasText: 'create' }).textContent()).toMatch(/cannot retry: reservation failed/);
    await page.waitForFunction(() => document.getElementById('announcer')?.textContent?.includes('failed'), undefined, { timeout: 10_000 });
    await shot('writeback-failed');

    await cancelRow.locator('button.retry').click();
    await cancelRow.waitFor({ state: 'detached', timeout: 10_000 });
    await eventually(async () => expect(booking()?.state).toBe('CANCELLED'), 10_000);
    expect((await writebacks('failed')).map((j) => j.op)).toEqual(['create']);
    const again = await call(hub.base, 'POST', `/v1/admin/writebacks/${cancelJob}/retry`, { headers: ADMIN });
    expect(again.body).toMatchObject({ status: 409, type: 'not-failed' });
    await page.waitForFunction(() => document.getElementById('announcer')?.textContent?.includes('queued again'), undefined, { timeout: 10_000 });
    await shot('retried');
  });

  it('recovers on screen when the source answers again, and logs out cleanly', async () => {
    feeds.fail(null);
    await page.waitForFunction(() => document.querySelector('#sites tr[data-key="venue"] .badge')?.textContent === 'healthy', undefined, { timeout: 20_000 });
    await page.click('#logout');
    expect(await page.isVisible('#login')).toBe(true);
    expect(await page.evaluate(() => sessionStorage.getItem('avhub.adminToken'))).toBeNull();
    // No request left the hub, and the token never travelled in a URL.
    const origin = new URL(hub.base).origin;
    expect(requested.filter((u) => !u.startsWith(origin))).toEqual([]);
    expect(requested.filter((u) => u.includes(ADMIN_TOKEN))).toEqual([]);
  });
});

describeWithChromium('/docs in Chromium', () => {
  let docsHub: TestHub;
  let docsBrowser: Chromium;
  beforeAll(async () => {
    docsHub = await startTestHub({ roles: ['api'] });
    docsBrowser = await launchChromium();
  });
  afterAll(async () => {
    await docsBrowser?.close();
    await docsHub?.stop();
  });

  it('renders every endpoint of /openapi.json with its parameters and responses, from the hub alone', async () => {
    const docsPage = await docsBrowser.context.newPage();
    const urls: string[] = [];
    docsPage.on('request', (r) => urls.push(r.url()));
    await docsPage.goto(`${docsHub.base}/docs`);
    await docsPage.waitForSelector('#endpoints[aria-busy=false]');
    const spec = (await call(docsHub.base, 'GET', '/openapi.json')).body as { paths: Record<string, Record<string, unknown>> };
    const count = Object.values(spec.paths).reduce((n, ops) => n + Object.keys(ops).length, 0);
    expect(await docsPage.locator('section.op').count()).toBe(count);
    const holds = docsPage.locator('section.op', { has: docsPage.locator('h2', { hasText: /^POST\/v1\/holds$/ }) });
    expect(await holds.locator('table').first().textContent()).toContain('Idempotency-Key');
    expect(await holds.locator('pre').first().textContent()).toContain('checkIn?: string');
    expect(await holds.textContent()).toContain('429');
    await docsPage.fill('#filter', 'writebacks');
    expect(await docsPage.locator('section.op:visible').count()).toBe(2);
    expect(urls.filter((u) => !u.startsWith(new URL(docsHub.base).origin))).toEqual([]);
    mkdirSync(ARTIFACTS, { recursive: true });
    await docsPage.screenshot({ path: new URL('dashboard-docs.png', ARTIFACTS).pathname });
  });
});
