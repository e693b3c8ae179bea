import { mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { startRestPmsSimulator, type RestPmsSimulator } from '../../adapters/rest/simulator/index.js';
import { ADMIN, PMS_TOKEN, conflicts, date, holdAndConfirm, polledWith, reservation, restSite } from '../conflicts/helpers.js';
import { eventually, startTestHub, type TestHub } from '../helpers/hub.js';
import { seriousViolations, horizontalOverflow } from './axe.js';
import { describeWithChromium, launchChromium, type Chromium } from './chromium.js';

/**
 * WCAG 2.2 AA as axe-core checks it, on the widget and on the dashboard with something in every
 * table, at a desktop width and at a phone's 390 px; and no sideways scrolling on the phone.
 */

const ARTIFACTS = new URL('../../test-artifacts/', import.meta.url);
const KEY = 'widget-key-a11y-0001';
const IN = date(25);
const OUT = date(27);
const VIEWPORTS = { desktop: { width: 1280, height: 900 }, phone: { width: 390, height: 844 } } as const;

/** Three widgets on one page, as a hotel that sells rooms and halls would embed them (rooms twice). */
const pageHtml = (hub: string) => `<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>Book with us</title>
<style>body{font-family:sans-serif;margin:1rem}</style></head>
<body><main><h1>Book with us</h1><h2>Rooms</h2>
<avhub-availability key="${KEY}" sites="inn,mitte" group="rooms"></avhub-availability>
<h2>Halls</h2><avhub-availability key="${KEY}" sites="mitte" group="halls"></avhub-availability>
<aside><h2>Last-minute rooms</h2><avhub-availability key="${KEY}" sites="mitte" group="rooms"></avhub-availability></aside></main>
<script src="${hub}/widget.js"></script></body></html>`;

let pms: RestPmsSimulator;
let hub: TestHub;
let browser: Chromium;
let pageServer: Server;
let pageBase: string;

describeWithChromium('accessibility (axe-core) and small screens', () => {
  beforeAll(async () => {
    pageServer = createServer((_req, res) => { res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' }).end(pageHtml(hub.base)); });
    await new Promise<void>((resolve) => pageServer.listen(0, '127.0.0.1', resolve));
    pageBase = `http://127.0.0.1:${(pageServer.address() as AddressInfo).port}`;
    pms = await startRestPmsSimulator({ token: PMS_TOKEN, seed: { roomTypes: { DBL: 1 } } });
    hub = await startTestHub({
      roles: ['api', 'worker', 'scheduler'],
      yaml: stringify({
        auth: { adminToken: ADMIN, widgetKeys: [{ key: KEY, origins: [pageBase], sites: ['inn', 'mitte'] }] },
        defaults: { writeback: { attempts: 3, backoff: '100ms' }, syncWindow: { past: '1d', future: '60d' } },
        groups: { rooms: { workflow: 'centralized', conflictPolicy: 'manual' }, halls: { workflow: 'hybrid' } },
        sites: [
          restSite('inn', pms.url, 'rooms', { timezone: 'America/New_York' }),
          { id: 'mitte', name: 'Hotel Mitte', timezone: 'Europe/Berlin', adapter: { kind: 'none' },
            resources: [
              { id: 'double', name: 'Double room', kind: 'pool', capacity: 4, group: 'rooms', bookedBy: 'night' },
              { id: 'ballroom', name: 'Ballroom', kind: 'unit', group: 'halls', rules: { openingHours: { daily: '08:00-23:00' } } },
            ] },
        ],
      }),
    });
    // An open conflict, so the dashboard shows its resolve buttons too.
    await polledWith(hub, 'inn', IN, OUT, [1, 1]);
    const resv = await holdAndConfirm(hub, { site: 'inn', resource: 'double', checkIn: IN, checkOut: OUT, customer: { name: 'Ada Lovelace' } });
    await eventually(async () => expect((await reservation(hub, resv)).status).toBe('confirmed'), 15_000);
    pms.admin.createBooking({ roomType: 'DBL', arrival: IN, departure: OUT, guest: 'walk-in' });
    await eventually(async () => expect(await conflicts(hub, 'open')).toHaveLength(1), 15_000);
    browser = await launchChromium();
    mkdirSync(ARTIFACTS, { recursive: true });
  }, 90_000);
  afterAll(async () => {
    await browser?.close();
    await hub?.stop();
    await pms?.stop();
    await new Promise((resolve) => pageServer?.close(resolve));
  });

  async function check(page: Page, name: string, size: keyof typeof VIEWPORTS): Promise<void> {
    await page.screenshot({ path: new URL(`a11y-${name}-${size}.png`, ARTIFACTS).pathname, fullPage: true });
    expect(await seriousViolations(page), `${name} at ${size}`).toEqual([]);
    if (size === 'phone') expect(await horizontalOverflow(page), `${name} is wider than a phone`).toBeLessThanOrEqual(0);
  }

  for (const size of Object.keys(VIEWPORTS) as Array<keyof typeof VIEWPORTS>) {
    it(`the widget (rooms and halls on one page) at ${size} width`, async () => {
      const page = await browser.context.newPage();
      await page.setViewportSize(VIEWPORTS[size]);
      await page.goto(pageBase);
      await page.getByRole('button', { name: /^Hold Double room at Hotel Mitte/ }).first().waitFor({ timeout: 10_000 });
      await page.getByRole('button', { name: /^Hold Ballroom at Hotel Mitte/ }).waitFor({ timeout: 10_000 });
      await check(page, 'widget', size);
      // Both widgets list Hotel Mitte: each region still has its own name (axe landmark-unique).
      await page.getByRole('region', { name: 'Hotel Mitte, rooms (2)', exact: true }).waitFor({ timeout: 10_000 });
      for (const name of ['Hotel Mitte, rooms', 'Hotel Mitte, halls', 'Hotel Mitte, rooms (2)']) expect(await page.getByRole('region', { name, exact: true }).count()).toBe(1);
      // Transparent by default: no white band on a page of another colour.
      expect(await page.locator('avhub-availability').first().evaluate((el) => getComputedStyle(el).backgroundColor)).toBe('rgba(0, 0, 0, 0)');
      // The hold panel too.
      await page.getByRole('button', { name: /^Hold Double room at Hotel Mitte/ }).first().click();
      await page.getByRole('region', { name: 'Your hold' }).first().waitFor();
      await check(page, 'widget-hold', size);
      await page.getByRole('button', { name: 'Release' }).first().click();
      await page.close();
    });

    it(`the dashboard (login, and with an open conflict) at ${size} width`, async () => {
      const page = await browser.context.newPage();
      await page.setViewportSize(VIEWPORTS[size]);
      await page.goto(`${hub.base}/dashboard/`);
      await check(page, 'dashboard-login', size);
      await page.fill('#token', ADMIN);
      await page.click('#login-form button[type=submit]');
      await page.locator('#conflicts tbody tr').first().waitFor({ timeout: 10_000 });
      await page.locator('#sites tbody tr[data-key="mitte"]').waitFor();
      await check(page, 'dashboard', size);
      await page.close();
    });
  }
});
