import { mkdirSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { startRestPmsSimulator, type RestPmsSimulator } from '../../adapters/rest/simulator/index.js';
import { eventually, startTestHub, type TestHub } from '../helpers/hub.js';
import { ADMIN, PMS_TOKEN, conflicts, date, holdAndConfirm, polledWith, reservation, restSite, stored } from '../conflicts/helpers.js';
import { describeWithChromium, launchChromium, type Chromium } from './chromium.js';

const ARTIFACTS = new URL('../../test-artifacts/', import.meta.url);
const IN = date(25);
const OUT = date(27);

let pms: RestPmsSimulator;
let hub: TestHub;
let browser: Chromium;
let page: Page;

describeWithChromium('resolving a conflict from the staff dashboard', () => {
  beforeAll(async () => {
    pms = await startRestPmsSimulator({ token: PMS_TOKEN, seed: { roomTypes: { DBL: 1 } } });
    hub = await startTestHub({
      roles: ['api', 'worker', 'scheduler'],
      yaml: stringify({
        auth: { adminToken: ADMIN },
        defaults: { writeback: { attempts: 3, backoff: '100ms' }, syncWindow: { past: '1d', future: '60d' } },
        groups: { man: { workflow: 'centralized', conflictPolicy: 'manual' } },
        sites: [restSite('inn', pms.url, 'man', { timezone: 'America/New_York' })],
      }),
    });
    // A viewer far from the site: times must still read as the site's (New York) wall clock.
    browser = await launchChromium({ viewport: { width: 1400, height: 900 }, timezoneId: 'Asia/Tokyo' });
    page = await browser.context.newPage();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await hub?.stop();
    await pms?.stop();
  });

  it('shows the open conflict with its bookings, and "Accept overbooking" settles it in the store', async () => {
    // The hub sells the last room; the front desk sells it again behind the hub's back.
    await polledWith(hub, 'inn', IN, OUT, [1, 1]);
    const resv = await holdAndConfirm(hub, { site: 'inn', resource: 'double', checkIn: IN, checkOut: OUT, customer: { name: 'Ada Lovelace' } });
    await eventually(async () => expect((await reservation(hub, resv)).status).toBe('confirmed'), 15_000);
    pms.admin.createBooking({ roomType: 'DBL', arrival: IN, departure: OUT, guest: 'walk-in' });
    const open = await eventually(async () => {
      const found = await conflicts(hub, 'open');
      expect(found).toHaveLength(1);
      return found[0];
    }, 15_000);

    const res = await page.goto(`${hub.base}/dashboard`);
    expect(res?.status(), await page.content()).toBe(200);
    await page.fill('#token', ADMIN);
    await page.click('#login-form button[type=submit]');
    const row = page.locator(`#conflicts tbody tr[data-key="${open.id}"]`);
    await row.waitFor({ timeout: 10_000 }).catch(async (err) => {
      throw new Error(`${(err as Error).message}; conflicts table: ${await page.locator('#conflicts').innerHTML()}; note: ${await page.locator('#conflicts-note').textContent()}`);
    });
    expect(await row.locator('button.resolve').count()).toBe(3); // keep either booking, or accept
    // Opened: New York's wall clock, the zone named, whatever the viewer's zone (Tokyo).
    const ny = (opts: Intl.DateTimeFormatOptions) => new Intl.DateTimeFormat('en-GB', { timeZone: 'America/New_York', ...opts });
    const time = ny({ hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(Date.parse(open.openedAt));
    const day = ny({ weekday: 'short', day: 'numeric', month: 'short', year: 'numeric' });
    const expected = day.format(Date.parse(open.openedAt)) === day.format(Date.now()) ? time : `${day.format(Date.parse(open.openedAt))}, ${time}`;
    expect(await row.locator('td').nth(4).textContent()).toBe(`${expected} America/New_York`);
    // In words: which resource at which site, whose reservation against which site booking.
    expect(await row.locator('th').textContent()).toBe('double at Hotel inn');
    await expect.poll(() => row.locator('td').nth(2).textContent(), { timeout: 10_000 }).toContain(`hub reservation ${resv} for Ada Lovelace`);
    expect(await row.locator('td').nth(2).textContent()).toMatch(/booking \S+ made at Hotel inn/);
    expect(await row.locator('td').nth(3).textContent()).not.toMatch(/^(\S+): \1/); // the policy said once
    // Sync now polls the site at once.
    const synced = page.waitForResponse((r) => r.request().method() === 'POST' && r.url().endsWith('/v1/sites/inn/sync'));
    await page.getByRole('button', { name: 'Sync now: Hotel inn' }).click();
    expect((await synced).status()).toBe(202);
    await expect.poll(() => page.locator('#announcer').textContent(), { timeout: 5_000 }).toContain('Sync of Hotel inn started.');
    // The sites table, the health history and the write-backs carry the zone too.
    expect(await page.locator('#sites tbody tr[data-key="inn"]').textContent()).toContain('America/New_York');
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: new URL('dashboard-conflict.png', ARTIFACTS).pathname, fullPage: true });

    await row.getByRole('button', { name: /^Accept overbooking/ }).click();
    await eventually(async () => expect((await stored(hub, open.id)).status).toBe('resolved'), 10_000);
    const settled = (await conflicts(hub, 'resolved')).find((c) => c.id === open.id);
    expect(settled).toMatchObject({ resolution: 'accepted', outcome: { decidedBy: 'staff' } });
    expect(settled.audit.at(-1)).toMatchObject({ actor: 'staff', action: 'accept' });
    await page.waitForFunction(() => document.querySelectorAll('#conflicts tbody tr').length === 0, undefined, { timeout: 10_000 });
  }, 90_000);
});
