import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { startRestPmsSimulator, type RestPmsSimulator } from '../../adapters/rest/simulator/index.js';
import { sign } from '../../src/alerts/signature.js';
import { HubKeys } from '../../src/store/keys.js';
import { PushStore } from '../../src/store/push-store.js';
import { readPushStatus } from '../../src/sync/push-status.js';
import { bearer, call, eventually, startTestHub, type TestHub } from '../helpers/hub.js';
import { pollNow, REST_TOKEN, restSite } from '../helpers/sources.js';
import { dayFromNow, measureLags, nightAvailable, quantile } from './freshness.js';

/**
 * Issue 17, generic notifications: a REST PMS polled every 5 minutes calls
 * POST /v1/sites/{id}/notify (signed like the hub's webhooks) after each change, and the change is
 * in GET /v1/availability within 2 s at p99. Forged, stale and replayed notifications are refused
 * and logged with the site's name; they never trigger a poll.
 */

const ADMIN = 'notify-test-admin-token';
const SECRET = 'lakeside-push-secret-0123456789';
const SITE = 'lakeside';
const ROOMS = 12; // the example site's capacity: the source's count is capped by it

let sim: RestPmsSimulator;
let hub: TestHub;
const lines: Array<Record<string, unknown>> = [];

function signed(body: string, secret = SECRET, ts = Math.floor(Date.now() / 1000)) {
  return { 'x-avhub-timestamp': String(ts), 'x-avhub-signature': sign(secret, ts, body), 'content-type': 'application/json' };
}

beforeAll(async () => {
  sim = await startRestPmsSimulator({ token: REST_TOKEN, seed: { roomTypes: { DBL: ROOMS, SGL: 2 } } });
  const site = restSite(sim.url, { id: SITE, pollEvery: '5m' });
  site.push = { secret: SECRET, inactiveAfter: '1h' };
  const logStream = new Writable({ write(chunk: Buffer, _enc, done) { for (const l of chunk.toString().split('\n')) if (l) lines.push(JSON.parse(l) as Record<string, unknown>); done(); } });
  hub = await startTestHub({
    yaml: stringify({ auth: { adminToken: ADMIN }, defaults: { syncWindow: { past: '1d', future: '60d' } }, groups: { rooms: { workflow: 'centralized' } }, sites: [site] }),
    logger: pino({ level: 'info' }, logStream),
  });
  await pollNow(hub.base, ADMIN, SITE);
}, 30_000);

afterAll(async () => {
  await hub?.stop();
  await sim?.stop();
});

const notify = (body: string, headers: Record<string, string>) => call(hub.base, 'POST', `/v1/sites/${SITE}/notify`, { body, headers });

describe('POST /v1/sites/{id}/notify', () => {
  it('makes a change at a REST PMS polled every 5 minutes visible within 2 s at p99 (20 changes)', async () => {
    const nights = Array.from({ length: 20 }, (_, i) => dayFromNow(2 + i));
    const before = await Promise.all(nights.map((n) => nightAvailable(hub.base, ADMIN, SITE, 'double', n)));
    const lags = await measureLags(20, async (i) => {
      sim.admin.createBooking({ roomType: 'DBL', arrival: nights[i]!, departure: dayFromNow(3 + i) });
      const body = JSON.stringify({ reason: 'booking.created', n: i });
      const r = await notify(body, signed(body));
      expect(r.status).toBe(202);
      expect(r.body.status).toBe('queued');
    }, async (i) => (await nightAvailable(hub.base, ADMIN, SITE, 'double', nights[i]!)) === before[i]! - 1);
    const p99 = quantile(lags, 0.99);
    console.log(`generic /notify freshness over ${lags.length} changes: p50 ${quantile(lags, 0.5).toFixed(0)} ms, p99 ${p99.toFixed(0)} ms`);
    expect(p99).toBeLessThan(2_000);
  }, 60_000);

  it('refuses forged, stale and replayed notifications, logs them with the site and never the secret', async () => {
    const body = '{"reason":"booking.created"}';
    const requestsBefore = sim.requestCount();
    const forged = await notify(body, signed(body, 'not-the-secret-at-all-0000'));
    expect(forged.status).toBe(401);
    expect(forged.body.type).toBe('invalid-signature');
    const tampered = await notify(`${body} `, signed(body));
    expect(tampered.status).toBe(401);
    const stale = await notify(body, signed(body, SECRET, Math.floor(Date.now() / 1000) - 3_600));
    expect(stale.status).toBe(401);
    expect(stale.body.type).toBe('stale-notification');
    const headers = signed(body);
    expect((await notify(body, headers)).status).toBe(202);
    const replay = await notify(body, headers);
    expect(replay.status).toBe(409);
    expect(replay.body.type).toBe('notification-replayed');
    const refused = lines.filter((l) => typeof l.msg === 'string' && l.msg.startsWith('notification refused'));
    expect(refused.map((l) => l.outcome)).toEqual(expect.arrayContaining(['forged', 'stale', 'replayed']));
    for (const l of refused) expect(l.site).toBe(SITE);
    expect(JSON.stringify(lines)).not.toContain(SECRET);
    // The one accepted notification polled (a few requests); the refused ones polled nothing more.
    await eventually(async () => expect(sim.requestCount()).toBeGreaterThan(requestsBefore));
    const metrics = await call(hub.base, 'GET', '/metrics');
    expect(metrics.body).toMatch(/avhub_push_notifications_total\{site="lakeside",source="generic",outcome="forged"\} 2/);
    expect(metrics.body).toMatch(/avhub_push_notifications_total\{site="lakeside",source="generic",outcome="replayed"\} 1/);
  });

  it('is 404 for a site without a push secret', async () => {
    const r = await call(hub.base, 'POST', '/v1/sites/nowhere/notify', { body: '{}', headers: signed('{}') });
    expect(r.status).toBe(404);
  });

  it('shows push status on GET /v1/sites/{id} and in the metrics; inactive once notifications stop', async () => {
    const detail = await eventually(async () => {
      const r = await call(hub.base, 'GET', `/v1/sites/${SITE}`, { headers: bearer(ADMIN) });
      expect(r.status).toBe(200);
      expect(r.body.push.pendingSince).toBeNull();
      return r.body;
    });
    expect(detail.push).toMatchObject({ via: ['generic'], active: true, inactiveReason: null, lastSource: 'generic' });
    expect(detail.push.notifications).toBeGreaterThanOrEqual(21);
    expect(detail.push.lastLagMs).toBeGreaterThanOrEqual(0);
    expect(detail.push.lastLagMs).toBeLessThan(2_000);
    expect(Date.now() - Date.parse(detail.push.lastNotificationAt)).toBeLessThan(60_000);
    const metrics = (await call(hub.base, 'GET', '/metrics')).body as string;
    expect(metrics).toMatch(/avhub_push_active\{site="lakeside"\} 1/);
    expect(metrics).toMatch(/avhub_push_last_notification_timestamp_seconds\{site="lakeside"\} \d+/);
    expect(metrics).toMatch(/avhub_push_lag_seconds_count\{site="lakeside"\} \d+/);
    // Two hours on, with no notification since (inactiveAfter: 1h), staff see polling alone.
    const store = new PushStore(hub.redis, new HubKeys(hub.config.redis.keyPrefix, hub.config.hubId));
    const later = await readPushStatus(store, hub.config.sites[0]!, hub.config, Date.now() + 2 * 3_600_000);
    expect(later.active).toBe(false);
    expect(later.inactiveReason).toMatch(/^no notification for 1\d\d min \(more than 60 min\); polling alone$/);
  });
});
