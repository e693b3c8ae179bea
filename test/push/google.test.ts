import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGoogleSimulator, type GoogleSimulator } from '../../adapters/google/simulator/index.js';
import { HubKeys } from '../../src/store/keys.js';
import { PushStore } from '../../src/store/push-store.js';
import { SyncStore } from '../../src/store/sync-store.js';
import { AdapterPool } from '../../src/sync/adapter-pool.js';
import { PushSubscriptions } from '../../src/sync/push-subscriptions.js';
import { readPushStatus } from '../../src/sync/push-status.js';
import { bearer, call, eventually, startTestHub, type TestHub } from '../helpers/hub.js';
import { pollNow } from '../helpers/sources.js';
import { dayFromNow, measureLags, quantile } from './freshness.js';

/**
 * Issue 17, Google Calendar push end to end: the hub (api, worker, scheduler) opens an
 * events.watch channel on the Google simulator, which POSTs notifications as Google documents
 * (empty body, X-Goog-* headers) to the hub's public URL; with pollEvery 5m a new event is in
 * GET /v1/availability within 2 s at p99. Channels are renewed before they expire and stopped when
 * push is turned off; forged, unknown-channel and replayed notifications are refused.
 */

const ADMIN = 'google-push-admin-token';
const PORT = 9121;
const CAL = 'instructor@group.calendar.google.com';
const NY = 'America/New_York';

let sim: GoogleSimulator;
let hub: TestHub;

function yaml(channelTtl: string): string {
  return `
auth: { adminToken: ${ADMIN} }
http: { port: ${PORT}, publicUrl: "http://127.0.0.1:${PORT}" }
defaults: { syncWindow: { past: 1d, future: 60d }, push: { channelTtl: ${channelTtl} } }
groups: { staff: { workflow: hybrid } }
sites:
  - id: studio
    timezone: ${NY}
    pollEvery: 5m
    adapter:
      kind: google
      baseUrl: "${sim.url}"
      credentials: { clientId: "\${G_CLIENT}", clientSecret: "\${G_SECRET}", refreshToken: "\${G_REFRESH}", tokenUrl: "${sim.tokenUrl}" }
    resources:
      - { id: instructor, kind: unit, group: staff, source: { calendarId: "${CAL}" } }
`;
}

beforeAll(async () => {
  sim = await startGoogleSimulator();
  sim.createCalendar(CAL, { timeZone: NY });
  const oauth = sim.createOAuthClient();
  hub = await startTestHub({
    yaml: yaml('12s'), roles: ['api', 'worker', 'scheduler'],
    env: { G_CLIENT: oauth.clientId, G_SECRET: oauth.clientSecret, G_REFRESH: oauth.refreshToken },
    override: (c) => { c.http = { ...c.http, port: PORT }; },
  });
  await pollNow(hub.base, ADMIN, 'studio');
}, 30_000);

afterAll(async () => {
  await hub?.stop();
  await sim?.stop();
});

const site = async () => (await call(hub.base, 'GET', '/v1/sites/studio', { headers: bearer(ADMIN) })).body;

async function busyOn(day: string): Promise<boolean> {
  const next = new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
  const r = await call(hub.base, 'GET', `/v1/availability?site=studio&from=${day}&to=${next}`, { headers: bearer(ADMIN) });
  return (r.body.sites[0].resources[0].intervals as Array<{ available: number }>).some((x) => x.available === 0);
}

describe('Google Calendar push (events.watch)', () => {
  it('opens a channel; Google\'s sync message makes push active', async () => {
    await eventually(async () => expect(sim.push.live().map((c) => c.calendarId)).toEqual([CAL]), 10_000);
    const s = await eventually(async () => {
      const body = await site();
      expect(body.push.active).toBe(true);
      return body;
    }, 10_000);
    expect(s.push.via).toEqual(['google']);
    expect(s.push.subscriptions).toHaveLength(1);
    expect(sim.push.deliveries().some((d) => d.state === 'sync' && d.status === 200)).toBe(true);
  });

  it('makes a new event visible within 2 s at p99 with pollEvery 5m (20 changes)', async () => {
    const days = Array.from({ length: 20 }, (_, i) => dayFromNow(2 + i));
    const lags = await measureLags(20, async (i) => {
      sim.insertEvent(CAL, { summary: `Class ${i}`, start: { dateTime: `${days[i]}T15:00:00`, timeZone: NY }, end: { dateTime: `${days[i]}T16:00:00`, timeZone: NY } });
    }, async (i) => busyOn(days[i]!));
    const p99 = quantile(lags, 0.99);
    console.log(`google push freshness over ${lags.length} changes: p50 ${quantile(lags, 0.5).toFixed(0)} ms, p99 ${p99.toFixed(0)} ms`);
    expect(p99).toBeLessThan(2_000);
    expect(sim.push.deliveries().filter((d) => d.state === 'exists' && d.status === 202).length).toBeGreaterThanOrEqual(20);
  }, 60_000);

  it('refuses a wrong token, an unknown channel and a replayed message', async () => {
    const store = new PushStore(hub.redis, new HubKeys(hub.config.redis.keyPrefix, hub.config.hubId));
    const [ch] = await store.subscriptions('studio');
    const headers = (over: Record<string, string>) => ({
      'x-goog-channel-id': ch!.id, 'x-goog-channel-token': ch!.token!, 'x-goog-resource-id': ch!.resourceId!,
      'x-goog-resource-state': 'exists', 'x-goog-message-number': '900001', ...over,
    });
    const post = (h: Record<string, string>) => call(hub.base, 'POST', '/v1/sites/studio/push/google', { headers: h });
    const wrong = await post(headers({ 'x-goog-channel-token': 'guessed' }));
    expect(wrong.status).toBe(401);
    expect((await post(headers({ 'x-goog-channel-id': 'not-a-channel' }))).status).toBe(401);
    expect((await post(headers({}))).status).toBe(202);
    const replay = await post(headers({}));
    expect(replay.status).toBe(409);
    expect(replay.body.type).toBe('notification-replayed');
  });

  it('renews the channel before it expires (a new one first, then the old one stopped)', async () => {
    const [first] = sim.push.live();
    // channelTtl 12s: renewed with a quarter (3 s) left, checked every 1.5 s.
    await eventually(async () => {
      const live = sim.push.live();
      expect(live).toHaveLength(1);
      expect(live[0]!.id).not.toBe(first!.id);
    }, 15_000, 200);
    expect((await site()).push.active).toBe(true);
    // Were renewal to stop, staff would see it once the channel's expiration passed (12 s here).
    const store = new PushStore(hub.redis, new HubKeys(hub.config.redis.keyPrefix, hub.config.hubId));
    const later = await readPushStatus(store, hub.config.sites[0]!, hub.config, Date.now() + 60_000);
    expect(later).toMatchObject({ active: false, inactiveReason: 'every notification channel has expired; polling alone until it is renewed' });
  }, 20_000);

  it('stops the channels of a site whose push is turned off', async () => {
    const keys = new HubKeys(hub.config.redis.keyPrefix, hub.config.hubId);
    const adapters = new AdapterPool(new SyncStore(hub.redis, keys), pino({ level: 'silent' }));
    const off = { ...hub.config, http: { ...hub.config.http, publicUrl: undefined } };
    await hub.running.stop(); // the scheduler would open them again
    await new PushSubscriptions({ config: off, store: new PushStore(hub.redis, keys), adapters, logger: pino({ level: 'silent' }) }).reconcile();
    await adapters.close();
    expect(sim.push.live()).toEqual([]);
    expect(await new PushStore(hub.redis, keys).subscriptions('studio')).toEqual([]);
  });
});
