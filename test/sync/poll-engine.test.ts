import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { feedIcs, startFeedServer, type FeedServer } from '../adapters/ical-feed-server.js';
import { HubKeys } from '../../src/store/keys.js';
import { openPollQueue } from '../../src/sync/poll-queue.js';
import { SyncStore } from '../../src/store/sync-store.js';
import { bearer, call, eventually, startTestHub, type TestHub } from '../helpers/hub.js';

const ADMIN = '0123456789abcdef';
const H = 3_600_000;
// Inside the default sync window (7 days back, 365 ahead) whenever the test runs.
const DAY0 = Math.floor(Date.now() / 86_400_000) * 86_400_000 + 10 * 86_400_000;
const date = (ms: number) => new Date(ms).toISOString().slice(0, 10);

let feeds: FeedServer;
let hub: TestHub;

const config = (feedUrl: string) => `
auth: { adminToken: "${ADMIN}" }
defaults: { limitedAfter: { failures: 2 }, recoverAfter: 1 }
groups: { halls: { workflow: hybrid } }
sites:
  - id: venue
    timezone: Europe/Berlin
    pollEvery: 1s
    adapter: { kind: ical-feed, url: "${feedUrl}" }
    resources:
      - { id: hall, kind: unit, group: halls }
`;

async function hallIntervals() {
  const r = await call(hub.base, 'GET', `/v1/availability?site=venue&from=${date(DAY0)}&to=${date(DAY0 + 86_400_000)}`, { headers: bearer(ADMIN) });
  expect(r.status).toBe(200);
  return r.body.sites[0] as { health: string; limited: boolean; asOf: string; resources: Array<{ intervals: Array<{ start: string; end: string; available: number }> }> };
}

const keys = () => new HubKeys(hub.config.redis.keyPrefix, hub.config.hubId);

const busyPieces = async () => (await hallIntervals()).resources[0]!.intervals.filter((p) => p.available === 0)
  .map((p) => [Date.parse(p.start), Date.parse(p.end)]);

describe('the poll engine with a real source (an iCal feed over HTTP)', () => {
  beforeAll(async () => {
    feeds = await startFeedServer();
    feeds.setFeed('/hall.ics', feedIcs([{ uid: 'a', start: DAY0 + 9 * H, end: DAY0 + 11 * H }]));
    hub = await startTestHub({ yaml: config(feeds.url('/hall.ics')), roles: ['api', 'worker', 'scheduler'] });
  });
  afterAll(async () => {
    await hub?.stop();
    await feeds?.close();
  });

  it('polls on the site\'s schedule and shows the source\'s events as busy', async () => {
    await eventually(async () => expect(await busyPieces()).toEqual([[DAY0 + 9 * H, DAY0 + 11 * H]]), 10_000);
    const site = await call(hub.base, 'GET', '/v1/sites/venue', { headers: bearer(ADMIN) });
    expect(site.body.sync.sourceBookings).toBe(1);
    expect(site.body.sync.incremental).toBe(true);
  });

  it('an unchanged feed costs one conditional request per poll', async () => {
    // Scheduled polls (every 1 s) run beside the one asked for, so the feed's requests are
    // matched against the hub's own count of finished polls (poll-stats) over a window of
    // several polls. A poll that finds another holding the site's lease sends nothing and is
    // not counted. Both ends of the window are taken while no poll job is active, so no poll
    // has sent its request without being counted yet.
    const { queue, close } = openPollQueue(hub.config.redis, keys());
    const sync = new SyncStore(hub.redis, keys());
    const polls = async () => { const s = await sync.pollStats('venue'); return s.ok + s.failed; };
    const quiet = () => eventually(async () => {
      const before = await polls();
      const requests = feeds.requests.length;
      expect(await queue.getActiveCount()).toBe(0);
      expect(await polls()).toBe(before);
      return { polls: before, requests };
    }, 10_000, 20);
    try {
      const start = await quiet();
      const r = await call(hub.base, 'POST', '/v1/sites/venue/sync?wait=true', { headers: bearer(ADMIN) });
      expect(r.body.status).toBe('completed');
      const end = await eventually(async () => {
        const e = await quiet();
        expect(e.polls - start.polls).toBeGreaterThanOrEqual(3);
        return e;
      }, 10_000);
      const seen = feeds.requests.slice(start.requests, end.requests);
      expect(seen).toHaveLength(end.polls - start.polls);
      expect(seen.map((q) => q.status)).toEqual(seen.map(() => 304));
      expect(seen.every((q) => q.headers['if-none-match'] !== undefined)).toBe(true);
    } finally {
      await close();
    }
  });

  it('a moved and a cancelled event show within one poll', async () => {
    feeds.setFeed('/hall.ics', feedIcs([
      { uid: 'a', start: DAY0 + 13 * H, end: DAY0 + 14 * H },
      { uid: 'b', start: DAY0 + 15 * H, end: DAY0 + 16 * H, extra: ['STATUS:CANCELLED'] },
      { uid: 'c', start: DAY0 + 17 * H, end: DAY0 + 18 * H, extra: ['TRANSP:TRANSPARENT'] },
    ]));
    await eventually(async () => expect(await busyPieces()).toEqual([[DAY0 + 13 * H, DAY0 + 14 * H]]), 5_000);
  });

  it('a hold cannot take time the source has booked, and can take the rest', async () => {
    const taken = await call(hub.base, 'POST', '/v1/holds', { headers: bearer(ADMIN), body: {
      site: 'venue', resource: 'hall', start: new Date(DAY0 + 13 * H).toISOString(), end: new Date(DAY0 + 14 * H).toISOString() } });
    expect(taken.status).toBe(409);
    const free = await call(hub.base, 'POST', '/v1/holds', { headers: bearer(ADMIN), body: {
      site: 'venue', resource: 'hall', start: new Date(DAY0 + 9 * H).toISOString(), end: new Date(DAY0 + 10 * H).toISOString() } });
    expect(free.status).toBe(201);
  });

  it('a dark source turns the site limited, keeps its last data, and recovers', async () => {
    feeds.fail({ status: 503 });
    const limited = await eventually(async () => {
      const s = await hallIntervals();
      expect(s.limited).toBe(true);
      return s;
    }, 15_000);
    expect(limited.health).toBe('limited');
    expect(limited.resources[0]!.intervals.some((p) => p.available === 0)).toBe(true);
    const site = await call(hub.base, 'GET', '/v1/sites/venue', { headers: bearer(ADMIN) });
    expect(site.body.sync.lastErrorCode).toBe('ADAPTER.UNAVAILABLE');
    expect(site.body.history[0]).toMatchObject({ to: 'limited' });
    feeds.fail(null);
    await call(hub.base, 'POST', '/v1/sites/venue/sync?wait=true', { headers: bearer(ADMIN) });
    await eventually(async () => expect((await hallIntervals()).health).toBe('healthy'), 15_000);
  });

  it('the scheduler keeps one job scheduler per polled site', async () => {
    const { queue, close } = openPollQueue(hub.config.redis, keys());
    const schedulers = await queue.getJobSchedulers(0, -1);
    expect(schedulers.map((s) => [s.key, s.every])).toEqual([['poll:venue', 1000]]);
    await close();
  });
});
