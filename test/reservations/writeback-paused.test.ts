import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { startRestPmsSimulator, type RestPmsSimulator } from '../../adapters/rest/simulator/index.js';
import { bearer, call, eventually, startTestHub, type TestHub } from '../helpers/hub.js';

const ADMIN = '0123456789abcdef-paused';
const TOKEN = 'pms-secret-token';
const DAY = 86_400_000;
const date = (offsetDays: number) => new Date(Math.floor(Date.now() / DAY) * DAY + offsetDays * DAY).toISOString().slice(0, 10);

let pms: RestPmsSimulator;
let hub: TestHub;

beforeAll(async () => {
  pms = await startRestPmsSimulator({ token: TOKEN });
  const site = parse(readFileSync(new URL('../../adapters/rest/fixtures/example-site.yaml', import.meta.url), 'utf8')) as Record<string, any>;
  site.adapter.baseUrl = pms.url;
  site.adapter.auth.value = `Bearer ${TOKEN}`;
  site.pollEvery = '1s';
  hub = await startTestHub({
    roles: ['api', 'worker', 'scheduler'],
    yaml: stringify({
      auth: { adminToken: ADMIN },
      // Two attempts 100 ms apart: a write-back that spent them while the site is dark would fail at once.
      defaults: { limitedAfter: { failures: 2 }, recoverAfter: 1, writeback: { attempts: 2, backoff: '100ms' }, syncWindow: { past: '1d', future: '40d' } },
      groups: { rooms: { workflow: 'hybrid' } },
      sites: [site],
    }),
  });
});
afterAll(async () => {
  await hub?.stop();
  await pms?.stop();
});

const health = async () => (await call(hub.base, 'GET', `/v1/availability?site=lakeside&from=${date(10)}&to=${date(11)}`, { headers: bearer(ADMIN) })).body.sites[0].health;

it('a write-back to a limited site waits without spending its retries, and completes on recovery', async () => {
  await eventually(async () => expect(await health()).toBe('healthy'), 10_000);
  pms.admin.goDown();
  await eventually(async () => expect(await health()).toBe('limited'), 15_000);
  // A hybrid group still sells while the site is limited; the hold says the site has not confirmed.
  const hold = await call(hub.base, 'POST', '/v1/holds', { headers: bearer(ADMIN), body: { site: 'lakeside', resource: 'double', checkIn: date(10), checkOut: date(11) } });
  expect(hold.status).toBe(201);
  const confirm = await call(hub.base, 'POST', `/v1/holds/${hold.body.id}/confirm`, { headers: bearer(ADMIN) });
  const id = confirm.body.reservationId as string;
  await new Promise((r) => setTimeout(r, 3_000));
  expect((await call(hub.base, 'GET', `/v1/reservations/${id}`, { headers: bearer(ADMIN) })).body.status).toBe('pending');
  pms.admin.comeBack();
  await eventually(async () => expect((await call(hub.base, 'GET', `/v1/reservations/${id}`, { headers: bearer(ADMIN) })).body.status).toBe('confirmed'), 30_000);
  expect(pms.admin.bookings().filter((b) => b.externalRef?.startsWith(`avhub-${id}`))).toHaveLength(1);
}, 60_000);
