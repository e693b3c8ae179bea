import { mkdirSync, readFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { startRestPmsSimulator, type RestPmsSimulator } from '../../adapters/rest/simulator/index.js';
import { bearer, call, eventually, startTestHub, type TestHub } from '../helpers/hub.js';
import { describeWithChromium, launchChromium, type Chromium } from './chromium.js';

const ADMIN = 'test-admin-token-0123456789';
const PMS_TOKEN = 'pms-secret-token';
const KEY_A = 'widget-key-a-0001';
const KEY_B = 'widget-key-b-0001';
const SITES = ['lakeside', 'harbor', 'mitte'];
const ARTIFACTS = 'test-artifacts';
const DAY = 86_400_000;
const date = (offsetDays: number) => new Date(Math.floor(Date.now() / DAY) * DAY + offsetDays * DAY).toISOString().slice(0, 10);
const IN = date(20);
const OUT = date(22);
const HALL_DAY = date(21);

/** Three sites in two time zones: one behind the REST PMS simulator, two the hub keeps itself. */
function hubYaml(pmsUrl: string, pageOrigin: string): string {
  const lakeside = parse(readFileSync(new URL('../../adapters/rest/fixtures/example-site.yaml', import.meta.url), 'utf8')) as Record<string, any>;
  lakeside.adapter.baseUrl = pmsUrl;
  lakeside.adapter.auth.value = `Bearer ${PMS_TOKEN}`;
  lakeside.pollEvery = '1s';
  lakeside.resources[0].name = 'Double room';
  lakeside.resources[1].name = 'Single room';
  return stringify({
    auth: {
      adminToken: ADMIN,
      widgetKeys: [
        { key: KEY_A, origins: [pageOrigin], sites: SITES },
        { key: KEY_B, origins: ['http://other.example'], sites: SITES },
      ],
    },
    defaults: { writeback: { attempts: 3, backoff: '100ms' }, syncWindow: { past: '1d', future: '60d' } },
    groups: { rooms: { workflow: 'centralized' }, halls: { workflow: 'centralized' } },
    sites: [
      lakeside,
      {
        id: 'harbor', name: 'Harbor Hotel', timezone: 'America/New_York', adapter: { kind: 'none' },
        resources: [
          { id: 'king', name: 'King room', kind: 'pool', capacity: 8, group: 'rooms', bookedBy: 'night' },
          { id: 'loft', name: 'Conference loft', kind: 'unit', group: 'halls', rules: { openingHours: { daily: '09:00-17:00' } } },
        ],
      },
      {
        id: 'mitte', name: 'Hotel Mitte', timezone: 'Europe/Berlin', adapter: { kind: 'none' },
        resources: [
          { id: 'double', name: 'Double room', kind: 'pool', capacity: 12, group: 'rooms', bookedBy: 'night' },
          { id: 'ballroom', name: 'Ballroom', kind: 'unit', group: 'halls', rules: { openingHours: { daily: '08:00-23:00' } } },
        ],
      },
    ],
  });
}

/** A page on another origin (another port) that embeds the widget the way a website would. */
function pageHtml(hubBase: string, attrs: Record<string, string>): string {
  const attrText = Object.entries(attrs).map(([k, v]) => ` ${k}="${v.replace(/"/g, '&quot;')}"`).join('');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Book with us</title>
<style>body{font-family:sans-serif;margin:1.5rem;max-width:70rem} avhub-availability{--avhub-accent:#0a6b4f;--avhub-radius:10px}</style></head>
<body><h1>Book with us</h1>
<script>window.__events=[];for(const n of ['avhub:held','avhub:released','avhub:reserved','avhub:reservation-failed','avhub:error'])document.addEventListener(n,(e)=>window.__events.push({type:e.type,detail:e.detail}));</script>
<avhub-availability${attrText}></avhub-availability>
<script src="${hubBase}/widget.js"></script>
</body></html>`;
}

interface Seen { method: string; path: string; status: number }

/** What the element's shadow root has focused: the accessible label, id and text. */
const focused = (page: Page) => page.evaluate(() => {
  const el = document.querySelector('avhub-availability')?.shadowRoot?.activeElement as HTMLElement | null | undefined;
  return el ? { tag: el.tagName.toLowerCase(), id: el.id, label: el.getAttribute('aria-label') ?? '', text: el.textContent ?? '',
    outline: getComputedStyle(el).outlineStyle } : null;
});
const seconds = (mmss: string) => { const [m, s] = mmss.split(':').map(Number); return m! * 60 + s!; };
const events = (page: Page) => page.evaluate(() => (window as unknown as { __events: Array<{ type: string; detail: any }> }).__events);

describeWithChromium('the widget in Chromium against a real hub', () => {
  let pms: RestPmsSimulator;
  let hub: TestHub;
  let pageServer: Server;
  let pageBase: string;
  let browser: Chromium;
  const seen: Seen[] = [];
  const hubLog: Array<Record<string, unknown>> = [];
  const pageUrl = (attrs: Record<string, string>) => `${pageBase}/?${new URLSearchParams(attrs)}`;

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    pageServer = createServer((req, res) => {
      const url = new URL(req.url ?? '/', pageBase);
      if (url.pathname !== '/') { res.writeHead(404).end(); return; }
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
      res.end(pageHtml(hub.base, Object.fromEntries(url.searchParams)));
    });
    await new Promise<void>((resolve) => pageServer.listen(0, '127.0.0.1', resolve));
    pageBase = `http://127.0.0.1:${(pageServer.address() as AddressInfo).port}`;

    pms = await startRestPmsSimulator({ token: PMS_TOKEN, seed: { roomTypes: { DBL: 3, SGL: 2 } } });
    const sink = new Writable({ write(chunk, _enc, done) { hubLog.push(JSON.parse(String(chunk)) as Record<string, unknown>); done(); } });
    hub = await startTestHub({ yaml: hubYaml(pms.url, pageBase), roles: ['api', 'worker', 'scheduler'], logger: pino({ level: 'warn' }, sink) });
    expect(new URL(hub.base).origin).not.toBe(pageBase);
    hub.running.app!.server.on('request', (req, res) => {
      res.on('finish', () => seen.push({ method: req.method ?? '', path: req.url ?? '', status: res.statusCode }));
    });
    // The PMS's count (3 doubles) reaches the hub with the first poll.
    await eventually(async () => {
      const r = await call(hub.base, 'GET', `/v1/availability?site=lakeside&resource=double&from=${IN}&to=${OUT}`, { headers: bearer(ADMIN) });
      expect(r.body.sites[0].resources[0].nights.map((n: { available: number }) => n.available)).toEqual([3, 3]);
    }, 15_000);
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await hub?.stop();
    await pms?.stop();
    await new Promise((resolve) => pageServer?.close(resolve));
  });

  async function open(attrs: Record<string, string>, chromium: Chromium = browser): Promise<{ page: Page; errors: string[] }> {
    const page = await chromium.context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (err) => errors.push(err.message));
    await page.goto(pageUrl(attrs));
    return { page, errors };
  }

  it('lists three sites in two time zones, holds with a live countdown, confirms, and the booking reaches the PMS', async () => {
    const { page, errors } = await open({ key: KEY_A, sites: SITES.join(','), group: 'rooms' });
    const regions = page.getByRole('region');
    await expect.poll(() => regions.count(), { timeout: 10_000 }).toBe(3);
    const region = (name: string) => page.getByRole('region', { name });
    for (const [name, tz] of [['Lakeside Hotel', 'Europe/Berlin'], ['Harbor Hotel', 'America/New_York'], ['Hotel Mitte', 'Europe/Berlin']] as const) {
      const text = await region(name).locator('.tz').textContent();
      // The site's own clock, not the browser's, in the browser's 12/24-hour convention.
      const clocks = await page.evaluate((timeZone) => {
        const h12 = ['h11', 'h12'].includes(new Intl.DateTimeFormat(undefined, { hour: 'numeric' }).resolvedOptions().hourCycle ?? '');
        const f = new Intl.DateTimeFormat(undefined, h12 ? { timeZone, hour: 'numeric', minute: '2-digit', hourCycle: 'h12' }
          : { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
        return [Date.now(), Date.now() - 60_000].map((ms) => f.format(ms));
      }, tz);
      expect(clocks.map((c) => `${tz}, ${c} local`)).toContain(text);
    }

    await page.getByLabel('Check-in').fill(IN);
    await page.getByLabel('Check-out').fill(OUT);
    await page.getByRole('button', { name: 'Show availability' }).click();
    const holdDouble = page.getByRole('button', { name: `Hold Double room at Lakeside Hotel, 2 nights from ${IN}` });
    await holdDouble.waitFor();
    const avail = (site: string, resource: string) => region(site).locator(`li[data-resource="${resource}"] .avail`).textContent();
    expect(await avail('Lakeside Hotel', 'double')).toBe('3 available'); // the PMS's count
    expect(await avail('Lakeside Hotel', 'single')).toBe('2 available');
    expect(await avail('Harbor Hotel', 'king')).toBe('8 available');
    expect(await avail('Hotel Mitte', 'double')).toBe('12 available');
    await page.screenshot({ path: `${ARTIFACTS}/widget-availability.png`, fullPage: true });

    await holdDouble.click();
    const panel = page.getByRole('region', { name: 'Your hold' });
    await panel.waitFor();
    expect((await focused(page))?.id).toBe('hold');
    expect(await panel.textContent()).toContain(`Double room at Lakeside Hotel, 2 nights from ${IN}`);
    const clock = page.locator('#clock');
    const first = seconds((await clock.textContent())!);
    expect(first).toBeGreaterThan(14 * 60);
    expect(first).toBeLessThanOrEqual(15 * 60);
    await page.waitForTimeout(2_100);
    const later = seconds((await clock.textContent())!);
    expect(later).toBeLessThan(first);
    expect(await page.locator('#countdown').getAttribute('aria-live')).toBe('polite');
    await page.screenshot({ path: `${ARTIFACTS}/widget-hold.png`, fullPage: true });

    await panel.getByRole('button', { name: 'Confirm' }).click();
    expect(await page.locator('#res-status').textContent()).toMatch(/Confirming|pending|confirmed/);
    const status = page.locator('#res-status[data-status="confirmed"]');
    await status.waitFor({ timeout: 20_000 });
    expect(await status.textContent()).toMatch(/^Reservation confirmed \(r_/);
    // The browser read the reservation across origins while it was pending (CORS on reservation reads).
    expect(seen.some((s) => s.method === 'GET' && s.path.startsWith('/v1/reservations/') && s.status === 200)).toBe(true);
    const booked = pms.admin.bookings().filter((b) => b.externalRef?.startsWith('avhub-'));
    expect(booked).toHaveLength(1);
    expect(booked[0]).toMatchObject({ roomType: 'DBL', arrival: IN, departure: OUT, state: 'CONFIRMED', rooms: 1 });
    const fired = await events(page);
    expect(fired.map((e) => e.type)).toEqual(['avhub:held', 'avhub:reserved']);
    expect(fired[1]!.detail).toMatchObject({ site: 'lakeside', resource: 'double', status: 'confirmed' });
    expect(booked[0]!.externalRef?.startsWith(`avhub-${fired[1]!.detail.reservationId}`)).toBe(true);
    await page.screenshot({ path: `${ARTIFACTS}/widget-confirmed.png`, fullPage: true });

    expect(await page.getByRole('region', { name: 'Your reservation' }).isVisible()).toBe(true);
    expect((await focused(page))?.text).toBe('Done'); // focus stayed in the panel when Confirm went away
    await page.getByRole('button', { name: 'Done' }).click();
    await expect.poll(() => avail('Lakeside Hotel', 'double'), { timeout: 10_000 }).toBe('2 available');
    // Focus returns once the refreshed list is rendered: wait for it rather than race the re-render.
    await expect.poll(async () => (await focused(page))?.label).toBe(`Hold Double room at Lakeside Hotel, 2 nights from ${IN}`);
    // Every hold the widget made carried its own Idempotency-Key (one per click).
    expect(errors).toEqual([]);
    await page.close();
  });

  it('is usable by keyboard alone: Tab reaches a Hold button, Enter holds, focus moves to the panel and back', async () => {
    const { page, errors } = await open({ key: KEY_A, sites: SITES.join(','), group: 'rooms' });
    await page.getByRole('button', { name: /^Hold Double room at Lakeside Hotel/ }).waitFor();
    await page.getByLabel('Check-in').focus();
    let now = await focused(page);
    for (let i = 0; i < 20 && !now?.label.startsWith('Hold '); i++) {
      await page.keyboard.press('Tab');
      now = await focused(page);
    }
    expect(now?.label).toMatch(/^Hold Double room at Lakeside Hotel, 1 night from /);
    expect(now?.outline).toBe('solid'); // visible focus
    const label = now!.label;

    await page.keyboard.press('Enter');
    await page.getByRole('region', { name: 'Your hold' }).waitFor();
    expect((await focused(page))?.id).toBe('hold');
    await page.keyboard.press('Tab');
    expect((await focused(page))?.text).toBe('Confirm');
    await page.keyboard.press('Tab');
    expect((await focused(page))?.text).toBe('Release');
    await page.keyboard.press('Enter');
    await page.getByRole('region', { name: 'Your hold' }).waitFor({ state: 'hidden' });
    await expect.poll(async () => (await focused(page))?.label).toBe(label);
    expect(seen.some((s) => s.method === 'DELETE' && s.path.startsWith('/v1/holds/') && s.status === 204)).toBe(true);
    expect((await events(page)).map((e) => e.type)).toEqual(['avhub:held', 'avhub:released']);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('after the dates change, a mouse click on Hold holds the dates shown, never the ones the list was drawn with', async () => {
    const { page, errors } = await open({ key: KEY_A, sites: SITES.join(','), group: 'rooms' });
    const mitte = page.locator('button.hb[data-k="mitte/double"]');
    await expect.poll(() => mitte.getAttribute('aria-label'), { timeout: 10_000 }).toMatch(/^Hold Double room at Hotel Mitte, 1 night from /);
    // New dates typed in, the form not submitted: the old buttons stop at once.
    await page.getByLabel('Check-in').fill(IN);
    await page.getByLabel('Check-out').fill(OUT);
    expect(await page.locator('button.hb:not([disabled])').count()).toBe(0);
    // The list is read again for the new dates; the click lands on a button that says them.
    await mitte.click();
    await page.getByRole('region', { name: 'Your hold' }).waitFor();
    const held = (await events(page)).find((e) => e.type === 'avhub:held')!;
    expect(held.detail).toMatchObject({ site: 'mitte', resource: 'double', checkIn: IN, checkOut: OUT });
    expect(await page.locator('#hold-what').textContent()).toBe(`Double room at Hotel Mitte, 2 nights from ${IN}`);
    expect(await mitte.getAttribute('aria-label')).toBe(`Hold Double room at Hotel Mitte, 2 nights from ${IN}`);
    await page.getByRole('button', { name: 'Release' }).click();
    await page.getByRole('region', { name: 'Your hold' }).waitFor({ state: 'hidden' });
    expect(errors).toEqual([]);
    await page.close();
  });

  it('after the dates change by keyboard, every Hold button Tab reaches is for the new dates, and Enter holds them', async () => {
    const { page, errors } = await open({ key: KEY_A, sites: SITES.join(','), group: 'rooms' });
    await page.getByRole('button', { name: /^Hold Double room at Hotel Mitte, 1 night from / }).waitFor();
    // Typed as a keyboard user types a date: its parts in the order the browser's locale shows them.
    const order = await page.evaluate(() => new Intl.DateTimeFormat(undefined, { year: 'numeric', month: '2-digit', day: '2-digit' })
      .formatToParts(0).map((p) => p.type).filter((t) => t === 'year' || t === 'month' || t === 'day'));
    const keys = (iso: string) => { const [year, month, day] = iso.split('-'); const parts: Record<string, string> = { year: year!, month: month!, day: day! }; return order.map((t) => parts[t]).join(''); };
    await page.getByLabel('Check-in').focus();
    await page.keyboard.type(keys(IN));
    // (Tab out of a date's year part stays in the field in headless Chromium: move by focus.)
    await page.getByLabel('Check-out').focus();
    await page.keyboard.type(keys(OUT));
    expect(await page.getByLabel('Check-in').inputValue()).toBe(IN);
    expect(await page.getByLabel('Check-out').inputValue()).toBe(OUT);
    const checkIn = IN;
    const after = OUT;
    const stay = `2 nights from ${IN}`;
    let now = await focused(page);
    const reached: string[] = [];
    for (let i = 0; i < 40 && now?.label !== `Hold Double room at Hotel Mitte, ${stay}`; i++) {
      await page.keyboard.press('Tab');
      await page.waitForTimeout(50);
      now = await focused(page);
      if (now?.label.startsWith('Hold ')) reached.push(now.label);
    }
    expect(now?.label).toBe(`Hold Double room at Hotel Mitte, ${stay}`);
    expect(reached.every((label) => label.endsWith(stay))).toBe(true); // never a button of the old stay
    await page.keyboard.press('Enter');
    await page.getByRole('region', { name: 'Your hold' }).waitFor();
    const held = (await events(page)).find((e) => e.type === 'avhub:held')!;
    expect(held.detail).toMatchObject({ site: 'mitte', resource: 'double', checkIn, checkOut: after });
    expect(await page.locator('#hold-what').textContent()).toBe(`Double room at Hotel Mitte, ${stay}`);
    await page.getByRole('button', { name: 'Release' }).click();
    await page.getByRole('region', { name: 'Your hold' }).waitFor({ state: 'hidden' });
    expect(errors).toEqual([]);
    await page.close();
  });

  it('a page the key does not allow (CORS): the guest reads that booking is not set up here, the hub logs it once', async () => {
    const before = seen.length;
    const logged = hubLog.length;
    const { page, errors } = await open({ key: KEY_B, sites: SITES.join(','), group: 'rooms' });
    const failed: string[] = [];
    page.on('requestfailed', (r) => failed.push(r.url()));
    const error = page.getByRole('alert');
    await error.waitFor({ timeout: 10_000 });
    expect(await error.textContent()).toBe('Online booking is not set up for this web page, so availability cannot be shown here. Please contact us directly to book.');
    expect(await page.getByLabel('Check-in').isVisible()).toBe(false); // nothing to try again with
    expect(await page.getByRole('region').count()).toBe(0);
    expect(await page.locator('section.site').count()).toBe(0);
    expect(await page.locator('button.hb').count()).toBe(0);
    // The hub refused the key from this origin and sent no CORS header, so the browser blocked the answer.
    const answers = seen.slice(before).filter((s) => s.path.startsWith('/v1/availability'));
    expect(answers.length).toBeGreaterThan(0);
    expect(answers.every((s) => s.status === 403)).toBe(true);
    expect((await events(page)).map((e) => e.type)).toEqual(['avhub:error']);
    expect((await events(page))[0]!.detail).toMatchObject({ status: 403, reason: 'origin-not-allowed' });
    await page.screenshot({ path: `${ARTIFACTS}/widget-cors-blocked.png`, fullPage: true });
    // Reloaded: still one line on the hub for this key and origin, naming the key's sites, never the key.
    await page.reload();
    await page.getByRole('alert').waitFor({ timeout: 10_000 });
    const lines = hubLog.slice(logged).filter((l) => l.origin === pageBase);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 40, origin: pageBase, sites: SITES, widgetKey: expect.stringMatching(/^k[0-9a-f]{16}$/) });
    expect(JSON.stringify(hubLog)).not.toContain(KEY_B);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('a page whose origin no key lists (the preflight is refused) reads the same, and the hub logs that origin once', async () => {
    // The same page server under another name is another origin.
    const other = pageBase.replace('127.0.0.1', 'localhost');
    const logged = hubLog.length;
    const page = await browser.context.newPage();
    await page.goto(`${other}/?${new URLSearchParams({ key: KEY_A, sites: SITES.join(','), group: 'rooms' })}`);
    const error = page.getByRole('alert');
    await error.waitFor({ timeout: 10_000 });
    expect(await error.textContent()).toMatch(/^Online booking is not set up for this web page/);
    await page.reload();
    await page.getByRole('alert').waitFor({ timeout: 10_000 });
    const lines = hubLog.slice(logged).filter((l) => l.origin === other);
    expect(lines).toHaveLength(1);
    expect(lines[0]!.msg).toMatch(/preflight refused/);
    await page.close();
  });

  it('with the hub gone, the guest reads that it could not be reached (not that the page is refused)', async () => {
    const page = await browser.context.newPage();
    await page.goto(pageUrl({ key: KEY_A, sites: SITES.join(','), group: 'rooms', api: 'http://127.0.0.1:9' }));
    const error = page.getByRole('alert');
    await error.waitFor({ timeout: 10_000 });
    expect(await error.textContent()).toMatch(/could not be reached/);
    await page.close();
  });

  it('a site that stops answering shows "Limited availability — on request" with the age of its data, and no hold', async () => {
    const limited = async () => (await call(hub.base, 'GET', `/v1/availability?site=lakeside&from=${IN}&to=${OUT}`, { headers: bearer(ADMIN) })).body.sites[0].limited;
    const { page, errors } = await open({ key: KEY_A, sites: SITES.join(','), group: 'rooms' });
    await page.getByLabel('Check-in').fill(IN);
    await page.getByLabel('Check-out').fill(OUT);
    await page.getByRole('button', { name: 'Show availability' }).click();
    const hold = page.getByRole('button', { name: `Hold Single room at Lakeside Hotel, 2 nights from ${IN}` });
    await hold.waitFor();
    pms.admin.goDown();
    try {
      await eventually(async () => expect(await limited()).toBe(true), 30_000, 250);
      // The page still shows the earlier answer: the hub refuses the hold (centralized group) and the widget says why.
      await hold.click();
      await expect.poll(() => page.getByRole('alert').textContent(), { timeout: 10_000 }).toMatch(/^Lakeside Hotel is not answering right now/);
      expect(seen.some((s) => s.method === 'POST' && s.path === '/v1/holds' && s.status === 503)).toBe(true);
      const lakeside = page.getByRole('region', { name: 'Lakeside Hotel' });
      const state = lakeside.locator('[data-state="limited"]');
      await state.waitFor();
      expect(await state.textContent()).toMatch(/^Limited availability — on request · data from \d+ (s|min) ago$/);
      expect(await lakeside.locator('button.hb').count()).toBe(0);
      expect(await lakeside.getByText('On request', { exact: true }).count()).toBe(2);
      expect(await page.getByRole('region', { name: 'Harbor Hotel' }).locator('button.hb').count()).toBe(1);
      await page.screenshot({ path: `${ARTIFACTS}/widget-limited.png`, fullPage: true });
      expect(errors).toEqual([]);
      await page.close();
    } finally {
      pms.admin.comeBack();
      await eventually(async () => expect(await limited()).toBe(false), 30_000, 250);
    }
  }, 90_000);

  it('shows the free pieces of a day in each site\'s local time, whatever the visitor\'s zone, and holds a slot', async () => {
    // A visitor in Tokyo whose browser keeps a 24-hour clock.
    const tokyo = await launchChromium({ timezoneId: 'Asia/Tokyo', locale: 'en-GB' });
    try {
      const { page, errors } = await open({ key: KEY_A, sites: 'harbor,mitte', group: 'halls' }, tokyo);
      expect(await page.evaluate(() => Intl.DateTimeFormat().resolvedOptions().timeZone)).toBe('Asia/Tokyo');
      const day = page.getByLabel('Day', { exact: true });
      await day.waitFor();
      expect(await page.getByLabel('Check-in').isVisible()).toBe(false); // only time resources: no stay inputs
      await day.fill(HALL_DAY);
      await page.getByRole('button', { name: 'Show availability' }).click();
      const harbor = page.getByRole('region', { name: 'Harbor Hotel' });
      const mitte = page.getByRole('region', { name: 'Hotel Mitte' });
      const pieces = (region: typeof harbor) => region.locator('ul.free li').allTextContents();
      await page.getByRole('button', { name: `Hold Conference loft at Harbor Hotel on ${HALL_DAY}` }).waitFor();
      expect(await pieces(harbor)).toEqual(['09:00–17:00']);
      expect(await pieces(mitte)).toEqual(['08:00–23:00']);

      await harbor.getByLabel('Start (America/New_York)').fill('10:00');
      await harbor.getByLabel('Length').selectOption({ label: '1 hour' });
      await page.getByRole('button', { name: `Hold Conference loft at Harbor Hotel on ${HALL_DAY}` }).click();
      await page.getByRole('region', { name: 'Your hold' }).waitFor();
      await expect.poll(() => pieces(harbor), { timeout: 10_000 }).toEqual(['09:00–10:00', '11:00–17:00']);
      expect(await pieces(mitte)).toEqual(['08:00–23:00']);
      await page.screenshot({ path: `${ARTIFACTS}/widget-time.png`, fullPage: true });
      await page.getByRole('button', { name: 'Release' }).click();
      await expect.poll(() => pieces(harbor), { timeout: 10_000 }).toEqual(['09:00–17:00']);
      expect(errors).toEqual([]);
    } finally {
      await tokyo.close();
    }
  });

  it('free spans read in the visitor\'s 12- or 24-hour clock, as the browser\'s own time input shows times', async () => {
    // This Chromium's time input shows "09:00 PM" (its locale, en-US): the spans follow with AM/PM.
    const { page, errors } = await open({ key: KEY_A, sites: 'harbor,mitte', group: 'halls' });
    expect(await page.evaluate(() => new Intl.DateTimeFormat(undefined, { hour: 'numeric' }).resolvedOptions().hourCycle)).toBe('h12');
    await page.getByLabel('Day', { exact: true }).fill(HALL_DAY);
    await page.getByRole('button', { name: 'Show availability' }).click();
    const harbor = page.getByRole('region', { name: 'Harbor Hotel' });
    await page.getByRole('button', { name: `Hold Conference loft at Harbor Hotel on ${HALL_DAY}` }).waitFor();
    expect(await harbor.locator('ul.free li').allTextContents()).toEqual(['9:00 AM–5:00 PM']);
    expect(await page.getByRole('region', { name: 'Hotel Mitte' }).locator('ul.free li').allTextContents()).toEqual(['8:00 AM–11:00 PM']);
    expect(await harbor.locator('.tz').textContent()).toMatch(/^America\/New_York, \d{1,2}:\d\d [AP]M local$/);
    // The start field's value is the site's 24-hour wall clock whatever it shows.
    expect(await harbor.getByLabel('Start (America/New_York)').inputValue()).toBe('09:00');
    expect(errors).toEqual([]);
    await page.close();
    // A browser set to German keeps a 24-hour clock, and so do the spans.
    const german = await launchChromium({ locale: 'de-DE' });
    try {
      const { page: de } = await open({ key: KEY_A, sites: 'harbor', group: 'halls' }, german);
      await de.getByLabel('Day', { exact: true }).fill(HALL_DAY);
      await de.getByRole('button', { name: 'Show availability' }).click();
      await de.getByRole('button', { name: `Hold Conference loft at Harbor Hotel on ${HALL_DAY}` }).waitFor();
      expect(await de.locator('ul.free li').allTextContents()).toEqual(['09:00–17:00']);
    } finally {
      await german.close();
    }
  });
});
