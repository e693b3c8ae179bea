import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { feedIcs, startFeedServer, type FeedServer } from '../adapters/ical-feed-server.js';
import { HubKeys } from '../../src/store/keys.js';
import { ADMIN, ADMIN_TOKEN, call, eventually, startTestHub, type TestHub } from '../helpers/hub.js';

/**
 * Issue 14 (2): recovery at the speed of the poll. A limited site's source is probed at its poll
 * interval however long it was down, so a source that returns is healthy again within
 * `recoverAfter` polls, not after minutes of backoff. Quota answers keep their own wait
 * (test/sync/calendars.test.ts).
 */

const DAY0 = Math.floor(Date.now() / 86_400_000) * 86_400_000 + 10 * 86_400_000;
const H = 3_600_000;

let feeds: FeedServer;
let hub: TestHub;

const YAML = (url: string) => `
auth: { adminToken: "${ADMIN_TOKEN}" }
defaults: { limitedAfter: { failures: 2, staleFor: 1h }, recoverAfter: 2 }
groups: { halls: { workflow: hybrid } }
sites:
  - id: venue
    timezone: Europe/Berlin
    pollEvery: 1s
    adapter: { kind: ical-feed, url: "${url}" }
    resources:
      - { id: hall, kind: unit, group: halls }
`;

const detail = async () => (await call(hub.base, 'GET', '/v1/sites/venue', { headers: ADMIN })).body as {
  health: string; sync: { consecutiveFailures: number; nextPollNotBefore: string | null };
};
const feedRequests = () => feeds.requests.filter((r) => r.path === '/hall.ics').length;

beforeAll(async () => {
  feeds = await startFeedServer();
  feeds.setFeed('/hall.ics', feedIcs([{ uid: 'a', start: DAY0 + 9 * H, end: DAY0 + 11 * H }]));
  hub = await startTestHub({ yaml: YAML(feeds.url('/hall.ics')), roles: ['api', 'worker', 'scheduler'] });
});
afterAll(async () => {
  await hub?.stop();
  await feeds?.close();
});

describe('recovery at the speed of the poll', () => {
  it('a source down for long is still probed every poll, and healthy again within recoverAfter polls of returning', async () => {
    await eventually(async () => expect((await detail()).health).toBe('healthy'), 10_000);
    feeds.fail({ status: 503 });
    await eventually(async () => expect((await detail()).health).toBe('limited'), 15_000);
    // As after a long outage: twenty failures in a row, which used to mean minutes of backoff.
    const keys = new HubKeys(hub.config.redis.keyPrefix, hub.config.hubId);
    await hub.redis.hset(keys.health('venue'), 'failures', 20);
    const before = feedRequests();
    // Still probed at the poll interval (1 s): three more failing requests, not one and a pause.
    await eventually(async () => expect(feedRequests()).toBeGreaterThanOrEqual(before + 3), 15_000);
    const limited = await detail();
    expect(limited.health).toBe('limited');
    expect(limited.sync.consecutiveFailures).toBeGreaterThanOrEqual(20);
    expect(limited.sync.nextPollNotBefore).toBeNull();

    feeds.fail(null);
    const back = feedRequests();
    await eventually(async () => expect((await detail()).health).toBe('healthy'), 15_000);
    // Healthy after recoverAfter (2) good polls, not after a pause: a handful of requests at most.
    expect(feedRequests() - back).toBeLessThanOrEqual(4);
  }, 60_000);
});
