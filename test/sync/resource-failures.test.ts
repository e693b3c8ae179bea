import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { feedIcs, startFeedServer, type FeedServer } from '../adapters/ical-feed-server.js';
import { bearer, call, eventually, startTestHub, type TestHub } from '../helpers/hub.js';
import { pollNow } from '../helpers/sources.js';

/**
 * Issue 13: a resource whose feed fails keeps its last good data and is reported by name (resource
 * and feed origin) in the site's status and metrics; the site's other resources update, the site
 * stays healthy. What a feed skipped is reported per resource too.
 */

const ADMIN = '0123456789abcdef-resources';
const H = 3_600_000;
const DAY0 = Math.floor(Date.now() / 86_400_000) * 86_400_000 + 10 * 86_400_000;
const date = (ms: number) => new Date(ms).toISOString().slice(0, 10);

let feedA: FeedServer;
let feedB: FeedServer;
let hub: TestHub;

const config = () => `
auth: { adminToken: "${ADMIN}" }
groups: { rooms: { workflow: hybrid } }
sites:
  - id: venue
    timezone: Europe/Berlin
    pollEvery: 1h
    adapter: { kind: ical-feed }
    resources:
      - { id: room-a, kind: unit, group: rooms, source: { url: "${feedA.url('/a.ics')}" } }
      - { id: room-b, kind: unit, group: rooms, source: { url: "${feedB.url('/b.ics')}" } }
`;

async function busy(): Promise<Record<string, number[][]>> {
  const r = await call(hub.base, 'GET', `/v1/availability?site=venue&from=${date(DAY0)}&to=${date(DAY0 + 86_400_000)}`, { headers: bearer(ADMIN) });
  expect(r.status).toBe(200);
  const site = r.body.sites[0] as { resources: Array<{ id: string; intervals: Array<{ start: string; end: string; available: number }> }> };
  return Object.fromEntries(site.resources.map((res) => [res.id,
    res.intervals.filter((p) => p.available === 0).map((p) => [Date.parse(p.start), Date.parse(p.end)])]));
}

const fullPoll = () => call(hub.base, 'POST', '/v1/sites/venue/sync?full=true&wait=true', { headers: bearer(ADMIN) });

describe('a failing feed fails only its resource', () => {
  beforeAll(async () => {
    feedA = await startFeedServer();
    feedB = await startFeedServer();
    feedA.setFeed('/a.ics', feedIcs([{ uid: 'a1', start: DAY0 + 9 * H, end: DAY0 + 10 * H }]));
    feedB.setFeed('/b.ics', feedIcs([{ uid: 'b1', start: DAY0 + 14 * H, end: DAY0 + 15 * H }]));
    hub = await startTestHub({ yaml: config(), roles: ['api', 'worker'] });
    await pollNow(hub.base, ADMIN, 'venue');
  });
  afterAll(async () => {
    await hub?.stop();
    await feedA?.close();
    await feedB?.close();
  });

  it('keeps the failed resource\'s busy time through a full poll, updates the other, and names the failure', async () => {
    expect(await busy()).toEqual({ 'room-a': [[DAY0 + 9 * H, DAY0 + 10 * H]], 'room-b': [[DAY0 + 14 * H, DAY0 + 15 * H]] });

    feedB.fail({ status: 503 });
    feedA.setFeed('/a.ics', feedIcs([{ uid: 'a1', start: DAY0 + 11 * H, end: DAY0 + 12 * H }]));
    const poll = await fullPoll();
    expect(poll.body).toMatchObject({ status: 'completed', result: { kind: 'ok', mode: 'full' } });

    // room-a moved; room-b's last good data is kept, not wiped by the full poll.
    expect(await busy()).toEqual({ 'room-a': [[DAY0 + 11 * H, DAY0 + 12 * H]], 'room-b': [[DAY0 + 14 * H, DAY0 + 15 * H]] });
    const site = await call(hub.base, 'GET', '/v1/sites/venue', { headers: bearer(ADMIN) });
    expect(site.body.health).toBe('healthy');
    const status = Object.fromEntries((site.body.resourceStatus as Array<{ resource: string }>).map((s) => [s.resource, s]));
    expect(status['room-a']).toMatchObject({ failure: null });
    expect(status['room-b']).toMatchObject({
      failure: { origin: `http://127.0.0.1:${new URL(feedB.url('/')).port}`, code: 'ADAPTER.UNAVAILABLE' },
    });
    const metrics = await fetch(`${hub.base}/metrics`).then((r) => r.text());
    expect(metrics).toContain('avhub_resource_errors{site="venue",resource="room-b"} 1');
    expect(metrics).toContain('avhub_resource_errors{site="venue",resource="room-a"} 0');
  });

  it('clears the failure when the feed answers again', async () => {
    feedB.fail(null);
    feedB.setFeed('/b.ics', feedIcs([{ uid: 'b1', start: DAY0 + 16 * H, end: DAY0 + 17 * H }]));
    await eventually(async () => {
      await fullPoll();
      expect((await busy())['room-b']).toEqual([[DAY0 + 16 * H, DAY0 + 17 * H]]);
    }, 15_000, 200);
    const site = await call(hub.base, 'GET', '/v1/sites/venue', { headers: bearer(ADMIN) });
    expect((site.body.resourceStatus as Array<{ resource: string; failure: unknown }>).every((s) => s.failure === null)).toBe(true);
  });

  it('reports what a feed skipped under its resource, in the status and the metrics', async () => {
    feedA.setFeed('/a.ics', feedIcs([
      { uid: 'a1', start: DAY0 + 11 * H, end: DAY0 + 12 * H },
      { uid: 'bad', start: DAY0 + 13 * H, end: DAY0 + 14 * H, extra: ['RRULE:FREQ=WEEKLY;UNTL=20300101T000000Z'] },
    ]));
    await fullPoll();
    const site = await call(hub.base, 'GET', '/v1/sites/venue', { headers: bearer(ADMIN) });
    const a = (site.body.resourceStatus as Array<{ resource: string; skipped: Array<{ reason: string }> }>).find((s) => s.resource === 'room-a')!;
    expect(a.skipped.map((s) => s.reason).join(' ')).toMatch(/UNTL/);
    const metrics = await fetch(`${hub.base}/metrics`).then((r) => r.text());
    expect(metrics).toMatch(/avhub_skipped_entries_total\{site="venue",resource="room-a"\} [1-9]/);
  });

  it('reports a FREQ=SECONDLY series cut at the expansion cap under its resource, in the status and the metrics (issue 16)', async () => {
    const before = await fetch(`${hub.base}/metrics`).then((r) => r.text());
    const count = (text: string) => Number(/avhub_skipped_entries_total\{site="venue",resource="room-a"\} (\d+)/.exec(text)?.[1] ?? 0);
    feedA.setFeed('/a.ics', feedIcs([
      { uid: 'a1', start: DAY0 + 11 * H, end: DAY0 + 12 * H },
      { uid: 'every-second', start: DAY0 + 13 * H, end: DAY0 + 13 * H + 1000, extra: ['RRULE:FREQ=SECONDLY', 'EXDATE:' + new Date(DAY0 + 13 * H + 1000).toISOString().replace(/[-:]|\.\d{3}/g, '')] },
    ]));
    await fullPoll();
    const site = await call(hub.base, 'GET', '/v1/sites/venue', { headers: bearer(ADMIN) });
    const a = (site.body.resourceStatus as Array<{ resource: string; skipped: Array<{ externalId: string; reason: string }> }>).find((s) => s.resource === 'room-a')!;
    expect(a.skipped).toEqual(expect.arrayContaining([
      expect.objectContaining({ externalId: 'room-a/every-second', reason: expect.stringMatching(/FREQ=SECONDLY stopped at 5000 instances in the window; later instances are missing/) }),
    ]));
    const after = await fetch(`${hub.base}/metrics`).then((r) => r.text());
    expect(count(after)).toBeGreaterThan(count(before));
  });
});
