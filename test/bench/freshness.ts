/**
 * Freshness: the lag from a change at the source to the new answer of GET /v1/availability, with
 * push (a Google Calendar channel) and with polling alone, at the same poll interval. A benchmark
 * script, not a timed test:
 *
 *   npm run bench:freshness        (FRESH_CHANGES, default 15; FRESH_POLL_SECONDS, default 10)
 *
 * How it measures: a hub in this process (api + worker + scheduler) on the local Redis polls one
 * Google site (the in-process simulator) every FRESH_POLL_EVERY. Run 1 sets `http.publicUrl`, so
 * the hub opens an events.watch channel and the simulator POSTs a notification per change; run 2
 * leaves it unset (polling alone). Each change is one new event on its own day; the clock starts
 * just before the simulator stores it and stops at the first availability answer (read every
 * 10 ms) that shows the day busy. Before each change the script waits a random part of the poll
 * interval (outside the clock), so changes fall at arbitrary phases of it and polling alone waits
 * half an interval on average. Prints p50/p90/p99/max per mode
 * and the ratio of the medians. Deletes its Redis keys at the end.
 */
import { startGoogleSimulator } from '../../adapters/google/simulator/index.js';
import { bearer, call, startTestHub } from '../helpers/hub.js';
import { pollNow } from '../helpers/sources.js';
import { dayFromNow, measureLags, quantile } from '../push/freshness.js';

const CHANGES = Number(process.env.FRESH_CHANGES ?? 15);
const POLL_SECONDS = Number(process.env.FRESH_POLL_SECONDS ?? 10);
const PORT = 9123;
const ADMIN = 'freshness-admin-token-0123';
const CAL = 'bench@group.calendar.google.com';
const NY = 'America/New_York';
const log = (msg: string) => process.stderr.write(`freshness: ${msg}\n`);

async function run(push: boolean, offset: number): Promise<number[]> {
  const sim = await startGoogleSimulator();
  sim.createCalendar(CAL, { timeZone: NY });
  const oauth = sim.createOAuthClient();
  const yaml = `
auth: { adminToken: ${ADMIN} }
http: { port: ${PORT}${push ? `, publicUrl: "http://127.0.0.1:${PORT}"` : ''} }
defaults: { syncWindow: { past: 1d, future: 90d } }
groups: { staff: { workflow: hybrid } }
sites:
  - id: studio
    timezone: ${NY}
    pollEvery: ${POLL_SECONDS}s
    adapter:
      kind: google
      baseUrl: "${sim.url}"
      credentials: { clientId: "${oauth.clientId}", clientSecret: "${oauth.clientSecret}", refreshToken: "${oauth.refreshToken}", tokenUrl: "${sim.tokenUrl}" }
    resources:
      - { id: instructor, kind: unit, group: staff, source: { calendarId: "${CAL}" } }
`;
  const hub = await startTestHub({ yaml, roles: ['api', 'worker', 'scheduler'], override: (c) => { c.http = { ...c.http, port: PORT }; } });
  try {
    await pollNow(hub.base, ADMIN, 'studio');
    if (push) {
      for (let i = 0; i < 100 && sim.push.live().length === 0; i += 1) await new Promise((r) => setTimeout(r, 100));
      if (sim.push.live().length === 0) throw new Error('the hub opened no channel');
    }
    const days = Array.from({ length: CHANGES }, (_, i) => dayFromNow(offset + i));
    const busy = async (day: string) => {
      const next = new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
      const r = await call(hub.base, 'GET', `/v1/availability?site=studio&from=${day}&to=${next}`, { headers: bearer(ADMIN) });
      return (r.body.sites[0].resources[0].intervals as Array<{ available: number }>).some((x) => x.available === 0);
    };
    return await measureLags(CHANGES, async (i) => {
      sim.insertEvent(CAL, { summary: `Change ${i}`, start: { dateTime: `${days[i]}T15:00:00`, timeZone: NY }, end: { dateTime: `${days[i]}T16:00:00`, timeZone: NY } });
    }, (i) => busy(days[i]!), 60_000, () => Math.random() * POLL_SECONDS * 1000);
  } finally {
    await hub.stop();
    await sim.stop();
  }
}

const fmt = (lags: number[]) => ['p50', 'p90', 'p99', 'max']
  .map((name, k) => `${name} ${Math.round(k === 3 ? Math.max(...lags) : quantile(lags, [0.5, 0.9, 0.99][k]!))} ms`).join(', ');

log(`${CHANGES} changes per mode, pollEvery ${POLL_SECONDS}s`);
const pushed = await run(true, 2);
log(`with push:          ${fmt(pushed)}`);
const polled = await run(false, 2 + CHANGES);
log(`polling alone:      ${fmt(polled)}`);
log(`median lag, polling alone / push: ${(quantile(polled, 0.5) / quantile(pushed, 0.5)).toFixed(1)}×`);
process.exit(0);
