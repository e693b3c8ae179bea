import { readFileSync } from 'node:fs';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { startRestPmsSimulator, type RestPmsSimulator } from '../../adapters/rest/simulator/index.js';
import { startHttpReceiver, startSmtpServer, type HttpReceiver } from '../alerts/servers.js';
import { bearer, call, eventually, startTestHub, type TestHub } from '../helpers/hub.js';
import { describeWithRadicale, startRadicale, type RadicaleServer } from '../helpers/radicale.js';

const ADMIN = '0123456789abcdef';
const SECRET = 'webhook-signing-secret-1';
const TOKEN = 'pms-secret-token';

let pms: RestPmsSimulator;
let dav: RadicaleServer;
let hooks: HttpReceiver;
let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
let hub: TestHub;

function yaml(): string {
  const lakeside = parse(readFileSync(new URL('../../adapters/rest/fixtures/example-site.yaml', import.meta.url), 'utf8')) as Record<string, any>;
  lakeside.adapter.baseUrl = pms.url;
  lakeside.adapter.auth.value = `Bearer ${TOKEN}`;
  lakeside.pollEvery = '1s';
  return stringify({
    auth: { adminToken: ADMIN },
    defaults: { limitedAfter: { failures: 2 }, recoverAfter: 1, syncWindow: { past: '1d', future: '40d' } },
    groups: { rooms: { workflow: 'centralized' }, halls: { workflow: 'hybrid' } },
    sites: [
      lakeside,
      { id: 'north-hall', timezone: 'Europe/Berlin', pollEvery: '1s',
        adapter: { kind: 'caldav', url: dav.url, username: dav.username, password: dav.password },
        resources: [{ id: 'main-hall', kind: 'unit', group: 'halls', source: { calendar: '/north/main-hall/' } }] },
    ],
    alerts: [
      { kind: 'webhook', url: `${hooks.url}/hook`, secret: SECRET },
      { kind: 'email', smtp: { host: '127.0.0.1', port: smtp.port, secure: false }, from: 'avhub@example.test', to: ['ops@example.test'] },
    ],
  });
}

const hookEvents = (event: string, site?: string) => hooks.accepted('/hook')
  .filter((r) => r.verified === true && r.json.event === event && (site === undefined || r.json.site === site));
const mails = (event: string, site: string) => smtp.mails.filter((m) => m.subject.includes(event) && m.subject.includes(site));
const sites = async () => (await call(hub.base, 'GET', '/v1/availability?site=lakeside,north-hall&from=2027-01-10&to=2027-01-11', { headers: bearer(ADMIN) })).body.sites as Array<{ id: string; health: string; limited: boolean; asOf: string | null }>;

describeWithRadicale('sites going dark: limited availability and one alert per incident', () => {
  beforeAll(async () => {
    pms = await startRestPmsSimulator({ token: TOKEN });
    dav = await startRadicale();
    await dav.makeCalendar('/north/main-hall/', 'Main hall');
    hooks = await startHttpReceiver();
    hooks.setSecrets('/hook', [SECRET]);
    smtp = await startSmtpServer();
    hub = await startTestHub({ yaml: yaml(), roles: ['api', 'worker', 'scheduler'] });
    await eventually(async () => expect((await sites()).map((s) => s.health)).toEqual(['healthy', 'healthy']), 15_000);
  }, 60_000);
  afterAll(async () => {
    await hub?.stop();
    await Promise.all([pms?.stop(), dav?.stop(), hooks?.close(), smtp?.close()]);
  });

  it('turns each dark site limited, keeps its asOf, and alerts once per site on every channel', async () => {
    const before = await sites();
    pms.admin.goDown();
    dav.goDown('503');
    const limited = await eventually(async () => {
      const now = await sites();
      expect(now.map((s) => s.limited)).toEqual([true, true]);
      return now;
    }, 15_000);
    // The last known data is served, flagged, with the time it is from.
    limited.forEach((s, i) => expect(Date.parse(s.asOf!)).toBeGreaterThanOrEqual(Date.parse(before[i]!.asOf!)));
    await eventually(async () => {
      for (const site of ['lakeside', 'north-hall']) {
        expect(hookEvents('site.limited', site)).toHaveLength(1);
        expect(mails('site.limited', site)).toHaveLength(1);
      }
    }, 15_000);
    // More failed polls while dark add no alerts (reminders come after reminderEvery, 1h).
    await new Promise((r) => setTimeout(r, 3_000));
    for (const site of ['lakeside', 'north-hall']) {
      expect(hookEvents('site.limited', site)).toHaveLength(1);
      expect(mails('site.limited', site)).toHaveLength(1);
    }
  });

  it('sends one recovery alert per site when the sources come back, and the sites are healthy', async () => {
    pms.admin.comeBack();
    dav.comeBack();
    await eventually(async () => expect((await sites()).map((s) => s.health)).toEqual(['healthy', 'healthy']), 20_000);
    await eventually(async () => {
      for (const site of ['lakeside', 'north-hall']) {
        expect(hookEvents('site.recovered', site)).toHaveLength(1);
        expect(mails('site.recovered', site)).toHaveLength(1);
      }
    }, 15_000);
  });

  it('serves /metrics in the Prometheus text format with the operator series', async () => {
    const r = await call(hub.base, 'GET', '/metrics');
    const families = parsePrometheusTextFormat(r.body as string) as Array<{ name: string; metrics: Array<{ labels?: Record<string, string> }> }>;
    const names = new Set(families.map((f) => f.name));
    for (const name of ['avhub_polls_total', 'avhub_poll_duration_seconds', 'avhub_site_data_age_seconds', 'avhub_site_health',
      'avhub_skipped_events_total', 'avhub_holds_total', 'avhub_queue_jobs', 'avhub_alert_deliveries_total', 'avhub_writeback_duration_seconds']) {
      expect(names, name).toContain(name);
    }
    const age = families.find((f) => f.name === 'avhub_site_data_age_seconds')!;
    expect(age.metrics.map((m) => m.labels?.site).sort()).toEqual(['lakeside', 'north-hall']);
  });
});

describe('the watchdog', () => {
  let api: TestHub;
  let worker: TestHub;
  let feedHooks: HttpReceiver;
  let pms2: RestPmsSimulator;

  beforeAll(async () => {
    pms2 = await startRestPmsSimulator({ token: TOKEN });
    feedHooks = await startHttpReceiver();
    feedHooks.setSecrets('/hook', [SECRET]);
    const lakeside = parse(readFileSync(new URL('../../adapters/rest/fixtures/example-site.yaml', import.meta.url), 'utf8')) as Record<string, any>;
    lakeside.adapter.baseUrl = pms2.url;
    lakeside.adapter.auth.value = `Bearer ${TOKEN}`;
    lakeside.pollEvery = '1s';
    const text = stringify({
      auth: { adminToken: ADMIN },
      defaults: { syncWindow: { past: '1d', future: '40d' } },
      groups: { rooms: { workflow: 'centralized' } },
      sites: [lakeside],
      alerts: [{ kind: 'webhook', url: `${feedHooks.url}/hook`, secret: SECRET, events: ['workers.missing', 'site.stale'] }],
    });
    api = await startTestHub({ yaml: text, roles: ['api', 'scheduler'] });
    worker = await startTestHub({ yaml: text, roles: ['worker'], prefix: api.prefix });
  });
  afterAll(async () => {
    await worker?.stop({ keepData: true });
    await api?.stop();
    await feedHooks?.close();
    await pms2?.stop();
  });

  it('notices that every worker is gone and alerts, with no poll having failed', async () => {
    await eventually(async () => expect((await call(api.base, 'GET', '/readyz')).status).toBe(200), 10_000);
    await worker.stop({ keepData: true });
    const missing = await eventually(async () => {
      const got = feedHooks.accepted('/hook').filter((r) => r.verified === true && r.json.event === 'workers.missing');
      expect(got).toHaveLength(1);
      return got[0]!;
    }, 15_000);
    expect(String(missing.json.summary)).toMatch(/no avhub worker/i);
    expect((await call(api.base, 'GET', '/readyz')).status).toBe(503);
    const site = await call(api.base, 'GET', '/v1/sites/lakeside', { headers: bearer(ADMIN) });
    expect(site.body.sync.lastErrorCode).toBeNull();
  });
});
