import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HubKeys } from '../../src/store/keys.js';
import { SyncStore } from '../../src/store/sync-store.js';
import { startHostileSource, type HostileSource } from '../helpers/hostile-source.js';
import { ADMIN_TOKEN, eventually, startTestHub, type TestHub } from '../helpers/hub.js';

/**
 * Issue 14 (fair poll slots): four feeds that trickle until their 4 s time limit, polled every
 * second by a worker with two poll slots, beside a healthy feed on the same host. Before, the
 * trickling polls held both slots nearly all the time and the healthy site waited for a free one;
 * now failing sites share at most half of the slots and each site has its own quota bucket.
 */

let source: HostileSource;
let hub: TestHub;
const TRICKLING = 4;

beforeAll(async () => {
  source = await startHostileSource();
  const sites = Array.from({ length: TRICKLING }, (_, i) => `
  - id: slow-${i}
    timezone: Europe/Berlin
    pollEvery: 1s
    adapter: { kind: ical-feed, url: "${source.url(`/trickle${i}.ics`)}", timeout: 4s }
    resources: [ { id: hall, kind: unit, group: halls } ]`).join('');
  hub = await startTestHub({
    roles: ['api', 'worker', 'scheduler'],
    yaml: `
auth: { adminToken: ${ADMIN_TOKEN} }
worker: { pollConcurrency: 2 }
groups: { halls: { workflow: hybrid } }
sites:
  - id: good
    timezone: Europe/Berlin
    pollEvery: 1s
    adapter: { kind: ical-feed, url: "${source.url('/good.ics')}" }
    resources: [ { id: hall, kind: unit, group: halls } ]
${sites}
`,
  });
});
afterAll(async () => {
  await hub?.stop();
  await source?.close();
});

describe('fair poll slots', () => {
  it('a healthy site keeps being polled while failing sites hang in every other slot', async () => {
    const sync = new SyncStore(hub.redis, new HubKeys(hub.config.redis.keyPrefix, hub.config.hubId));
    // Every trickling site has failed once (its polls now count as failing).
    await eventually(async () => {
      for (let i = 0; i < TRICKLING; i++) expect((await sync.pollStats(`slow-${i}`)).failed, `slow-${i}`).toBeGreaterThanOrEqual(1);
    }, 30_000, 250);
    const before = (await sync.pollStats('good')).ok;
    await new Promise((r) => setTimeout(r, 10_000));
    const polls = (await sync.pollStats('good')).ok - before;
    // Every second when a slot is free; at least one poll per 2 s on a loaded machine.
    expect(polls).toBeGreaterThanOrEqual(5);
  }, 60_000);
});
