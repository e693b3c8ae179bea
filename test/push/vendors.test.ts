import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { startApaleoSimulator, type ApaleoSimulator } from '../../adapters/apaleo/simulator/index.js';
import { startMewsSimulator, type MewsSimulator } from '../../adapters/mews/simulator/index.js';
import { bearer, call, eventually, startTestHub, type TestHub } from '../helpers/hub.js';
import { apaleoSite, mewsSite, pollNow } from '../helpers/sources.js';
import { dayFromNow, measureLags, nightAvailable, quantile } from './freshness.js';

/**
 * Issue 17, apaleo and Mews webhooks end to end: the hub subscribes at apaleo's Webhook API
 * (simulated, which first sends its health check), Mews is given the endpoint as its partner team
 * would be; both simulators then POST their documented payloads on every reservation change, with
 * the site's push secret as the URL token (neither vendor signs its webhooks). With pollEvery 5m a
 * front-desk booking is in GET /v1/availability within 2 s at p99.
 */

const ADMIN = 'vendor-push-admin-token';
const PORT = 9122;
const PUBLIC = `http://127.0.0.1:${PORT}`;
const SECRET = { apaleo: 'apaleo-push-secret-0123456789', mews: 'mews-push-secret-0123456789' };
const ROOMS = 12; // the sites' capacity: the source's count is capped by it

let apaleo: ApaleoSimulator;
let mews: MewsSimulator;
let hub: TestHub;

beforeAll(async () => {
  apaleo = await startApaleoSimulator({
    clientId: 'avhub-e2e', clientSecret: 'apaleo-e2e-secret',
    seed: { propertyId: 'MUC', timeZone: 'Europe/Berlin', unitGroups: [{ id: 'MUC-DBL', name: 'Double', count: ROOMS }] },
  });
  mews = await startMewsSimulator({ clientToken: 'mews-client-token', accessToken: 'mews-access-token', timezone: 'Europe/Berlin', categories: [{ name: 'Double', rooms: ROOMS }] });
  const a = apaleoSite(apaleo, { pollEvery: '5m' }) as Record<string, any>;
  a.adapter.webhookUrl = apaleo.url;
  a.push = { secret: SECRET.apaleo };
  const m = mewsSite(mews, { pollEvery: '5m' }) as Record<string, any>;
  m.push = { secret: SECRET.mews };
  hub = await startTestHub({
    yaml: stringify({
      auth: { adminToken: ADMIN }, http: { publicUrl: PUBLIC },
      defaults: { syncWindow: { past: '1d', future: '60d' } }, groups: { rooms: { workflow: 'centralized' } }, sites: [a, m],
    }),
    roles: ['api', 'worker', 'scheduler'],
    override: (c) => { c.http = { ...c.http, port: PORT }; },
  });
  // What Mews' partner team does on request: send this integration's webhooks here.
  mews.admin.webhooks.register(`${PUBLIC}/v1/sites/mews-berlin/push/mews?token=${SECRET.mews}`);
  await pollNow(hub.base, ADMIN, 'apaleo-muc');
  await pollNow(hub.base, ADMIN, 'mews-berlin');
}, 30_000);

afterAll(async () => {
  await hub?.stop();
  await apaleo?.stop();
  await mews?.stop();
});

async function freshness(site: string, book: (night: string, next: string) => void): Promise<number[]> {
  const nights = Array.from({ length: 20 }, (_, i) => dayFromNow(2 + i));
  const before = await Promise.all(nights.map((n) => nightAvailable(hub.base, ADMIN, site, 'double', n)));
  return measureLags(20, async (i) => book(nights[i]!, dayFromNow(3 + i)),
    async (i) => (await nightAvailable(hub.base, ADMIN, site, 'double', nights[i]!)) === before[i]! - 1);
}

describe('apaleo webhooks', () => {
  it('subscribes through the Webhook API (after its health check) and shows push active', async () => {
    await eventually(async () => expect(apaleo.admin.webhooks.list()).toHaveLength(1), 10_000);
    const [sub] = apaleo.admin.webhooks.list();
    expect(sub!.endpointUrl).toBe(`${PUBLIC}/v1/sites/apaleo-muc/push/apaleo?token=${SECRET.apaleo}`);
    expect(sub!.events).toEqual(['reservation/*']);
    expect(apaleo.admin.webhooks.deliveries()[0]).toMatchObject({ topic: 'system', type: 'healthcheck', status: 200 });
    const site = (await call(hub.base, 'GET', '/v1/sites/apaleo-muc', { headers: bearer(ADMIN) })).body;
    expect(site.push).toMatchObject({ via: ['generic', 'apaleo'], active: true });
  });

  it('makes a front-desk booking visible within 2 s at p99 with pollEvery 5m (20 changes)', async () => {
    const lags = await freshness('apaleo-muc', (arrival, departure) => { apaleo.admin.createReservation({ unitGroupId: 'MUC-DBL', arrival, departure }); });
    const p99 = quantile(lags, 0.99);
    console.log(`apaleo webhook freshness over ${lags.length} changes: p50 ${quantile(lags, 0.5).toFixed(0)} ms, p99 ${p99.toFixed(0)} ms`);
    expect(p99).toBeLessThan(2_000);
  }, 60_000);

  it('refuses a wrong URL token and a replayed event id', async () => {
    const event = JSON.stringify({ id: 'evt-replay-1', topic: 'Reservation', type: 'changed', accountId: 'MUC', propertyId: 'MUC', timestamp: Date.now(), data: { entityId: 'X-1' } });
    const post = (token: string) => call(hub.base, 'POST', `/v1/sites/apaleo-muc/push/apaleo?token=${token}`, { body: event });
    expect((await post('guessed-token')).status).toBe(401);
    expect((await post(SECRET.apaleo)).status).toBe(202);
    const replay = await post(SECRET.apaleo);
    expect(replay.status).toBe(409);
    expect((await call(hub.base, 'POST', `/v1/sites/apaleo-muc/push/apaleo?token=${SECRET.apaleo}`, { body: 'not json' })).status).toBe(400);
  });
});

describe('Mews general webhooks', () => {
  it('makes a front-desk booking visible within 2 s at p99 with pollEvery 5m (20 changes)', async () => {
    const category = mews.admin.categoryId('Double');
    const lags = await freshness('mews-berlin', (checkIn, checkOut) => { mews.admin.createReservation({ categoryId: category, checkIn, checkOut }); });
    const p99 = quantile(lags, 0.99);
    console.log(`mews webhook freshness over ${lags.length} changes: p50 ${quantile(lags, 0.5).toFixed(0)} ms, p99 ${p99.toFixed(0)} ms`);
    expect(p99).toBeLessThan(2_000);
    expect(mews.admin.webhooks.deliveries().filter((d) => d.status === 202).length).toBeGreaterThanOrEqual(20);
    const site = (await call(hub.base, 'GET', '/v1/sites/mews-berlin', { headers: bearer(ADMIN) })).body;
    expect(site.push).toMatchObject({ via: ['generic', 'mews'], active: true, lastSource: 'mews' });
  }, 60_000);

  it('refuses a message without the URL token', async () => {
    const body = JSON.stringify({ EnterpriseId: 'e', IntegrationId: 'i', Events: [{ Discriminator: 'ServiceOrderUpdated', Value: { Id: 'r' } }] });
    expect((await call(hub.base, 'POST', '/v1/sites/mews-berlin/push/mews', { body })).status).toBe(401);
    expect((await call(hub.base, 'POST', '/v1/sites/mews-berlin/push/mews?token=wrong', { body })).status).toBe(401);
  });
});
