/**
 * The hostile-source suite's setup (test/chaos/hostile-sources.test.ts) as a script, for
 * profiling where the API's event loop goes:
 *   AVHUB_TEST_REDIS_URL=redis://127.0.0.1:6379/9 node --cpu-prof --cpu-prof-dir=/tmp/prof --import tsx test/bench/hostile-profile.ts
 * Prints /healthz p50/p99 and the event-loop delay over 20 s; the main thread's profile is the
 * `.0.001.cpuprofile` (the others are the loader and parse-pool threads).
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { feedIcs, startFeedServer } from '../adapters/ical-feed-server.js';
import { startHostileSource } from '../helpers/hostile-source.js';
import { ADMIN_TOKEN, startTestHub } from '../helpers/hub.js';

const source = await startHostileSource();
const neighbour = await startFeedServer();
const start = Date.now() + 2 * 86_400_000;
neighbour.setFeed('/good.ics', feedIcs([{ uid: 'good-1', start, end: start + 3_600_000 }]));
const F = ['huge', 'endless', 'trickle', 'garbage', 'many'];
const D = ['huge', 'endless', 'trickle', 'garbage', 'entities'];
const yaml = `
auth: { adminToken: ${ADMIN_TOKEN} }
defaults: { limitedAfter: { failures: 2, staleFor: 1h } }
groups: { halls: { workflow: hybrid } }
sites:
  - id: good
    timezone: Europe/Berlin
    pollEvery: 1s
    adapter: { kind: ical-feed, url: "${neighbour.url('/good.ics')}" }
    resources: [ { id: hall, kind: unit, group: halls } ]
${F.map((m) => `
  - id: feed-${m}
    timezone: Europe/Berlin
    pollEvery: 2s
    adapter: { kind: ical-feed, url: "${source.url(`/${m}.ics`)}", timeout: 5s }
    resources: [ { id: hall, kind: unit, group: halls } ]`).join('')}
${D.map((m) => `
  - id: dav-${m}
    timezone: Europe/Berlin
    pollEvery: 2s
    adapter: { kind: caldav, url: "${source.url(`/dav-${m}/`)}", username: u, password: p, calendarHome: "/dav-${m}/cal/" }
    resources: [ { id: hall, kind: unit, group: halls, source: { calendar: "/dav-${m}/cal/" } } ]`).join('')}
`;
const hub = await startTestHub({ yaml, roles: ['api', 'worker', 'scheduler'] });
const loop = monitorEventLoopDelay({ resolution: 10 });
loop.enable();
const lat: number[] = [];
const until = Date.now() + 20_000;
while (Date.now() < until) {
  const t0 = performance.now();
  await (await fetch(`${hub.base}/healthz`)).arrayBuffer();
  lat.push(performance.now() - t0);
  await new Promise((r) => setTimeout(r, 50));
}
lat.sort((a, b) => a - b);
console.log('p50', lat[Math.floor(lat.length / 2)], 'p99', lat[Math.ceil(lat.length * 0.99) - 1], 'n', lat.length, 'eld p99', loop.percentile(99) / 1e6, 'max', loop.max / 1e6);
await hub.stop();
await source.close();
await neighbour.close();
process.exit(0);
