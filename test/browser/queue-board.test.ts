import { afterAll, beforeAll, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { ADMIN, ADMIN_TOKEN, call, startTestHub, type TestHub } from '../helpers/hub.js';
import { describeWithChromium, launchChromium, type Chromium } from './chromium.js';

/** The queue view (bull-board) at /queues: behind the admin token, refusing cross-site changes. */

let hub: TestHub;
let browser: Chromium;
const basic = (password: string) => ({ authorization: `Basic ${Buffer.from(`staff:${password}`).toString('base64')}` });

beforeAll(async () => {
  hub = await startTestHub({
    yaml: stringify({
      auth: { adminToken: ADMIN_TOKEN },
      groups: { rooms: { workflow: 'centralized' } },
      sites: [{ id: 'mitte', name: 'Hotel Mitte', timezone: 'Europe/Berlin', adapter: { kind: 'none' },
        resources: [{ id: 'double', kind: 'pool', capacity: 4, group: 'rooms', bookedBy: 'night' }] }],
    }),
  });
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await hub?.stop();
});

describeWithChromium('the queue view', () => {
  it('asks for the admin token, and a browser with it sees the hub\'s queues', async () => {
    const anonymous = await call(hub.base, 'GET', '/queues');
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toMatch(/^Basic realm=/);
    expect(anonymous.headers.get('content-type')).toMatch(/problem\+json/);
    expect(anonymous.body).toMatchObject({ type: 'unauthorized' });
    // A wrong token is a 401 as well (a 403 would keep a browser from asking again).
    const wrong = await call(hub.base, 'GET', '/queues', { headers: basic('not-the-token') });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('www-authenticate')).toMatch(/^Basic/);

    const api = await call(hub.base, 'GET', '/queues/api/queues', { headers: ADMIN });
    expect(api.status).toBe(200);
    const names = (api.body.queues as Array<{ name: string }>).map((q) => q.name).sort();
    expect(names).toEqual(['poll', 'writeback']);

    browser = await launchChromium({ httpCredentials: { username: 'staff', password: ADMIN_TOKEN } });
    const page = await browser.context.newPage();
    const res = await page.goto(`${hub.base}/queues`);
    expect(res?.status()).toBe(200);
    await page.getByText('writeback', { exact: false }).first().waitFor({ timeout: 15_000 });
    await expect(page.getByText('poll', { exact: false }).first().isVisible()).resolves.toBe(true);
  }, 60_000);

  it('refuses a change from another site, even with the browser\'s cached credentials', async () => {
    const fromElsewhere = await call(hub.base, 'PUT', '/queues/api/queues/poll/pause', {
      headers: { ...basic(ADMIN_TOKEN), origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' },
    });
    expect(fromElsewhere.status).toBe(403);
    expect(fromElsewhere.body).toMatchObject({ type: 'cross-site-request' });
    expect(await hub.running.app!.inject({ method: 'GET', url: '/queues/api/queues', headers: ADMIN })
      .then((r) => r.json<{ queues: Array<{ name: string; isPaused: boolean }> }>().queues.find((q) => q.name === 'poll')?.isPaused))
      .toBe(false);

    const fromItsOwnPage = await call(hub.base, 'PUT', '/queues/api/queues/poll/pause', {
      headers: { ...basic(ADMIN_TOKEN), 'sec-fetch-site': 'same-origin' },
    });
    expect(fromItsOwnPage.status).toBe(200);
    const after = await call(hub.base, 'GET', '/queues/api/queues', { headers: ADMIN });
    expect((after.body.queues as Array<{ name: string; isPaused: boolean }>).find((q) => q.name === 'poll')?.isPaused).toBe(true);
    await call(hub.base, 'PUT', '/queues/api/queues/poll/resume', { headers: { ...ADMIN } });
  }, 30_000);
});
