/**
 * The hostile-source suite's setup (test/chaos/hostile-sources.test.ts) as a script, for
 * profiling where the API's event loop goes:
 *   AVHUB_TEST_REDIS_URL=redis://127.0.0.1:6379/9 node --cpu-prof --cpu-prof-dir=/tmp/prof --import tsx test/bench/hostile-profile.ts
 * Prints /healthz p50/p99 and the event-loop delay over 20 s; the main thread's profile is the
 * `.0.001.cpuprofile` (the others are the loader and parse-pool threads).
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { HOSTILE_DAV_MODES, HOSTILE_FEED_MODES, hostileHubYaml, startHostileSource } from '../helpers/hostile-source.js';
import { ADMIN_TOKEN, startTestHub } from '../helpers/hub.js';

const source = await startHostileSource();
const yaml = hostileHubYaml(source, { adminToken: ADMIN_TOKEN, feeds: HOSTILE_FEED_MODES, dav: HOSTILE_DAV_MODES });
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
process.exit(0);
