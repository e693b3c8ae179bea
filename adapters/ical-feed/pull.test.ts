import { readFileSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  AdapterAuthError, AdapterRateLimitedError, AdapterUnavailableError, CursorRejectedError,
} from '../../src/core/adapter/errors.js';
import type { PullRequest, PullResult, SourceAdapter, SourceResource, SourceSite } from '../../src/core/adapter/port.js';
import { feedIcs, startFeedServer } from '../../test/adapters/ical-feed-server.js';
import type { FeedServer } from '../../test/adapters/ical-feed-server.js';
import type { z } from 'zod';
import { icalFeedAdapter, icalFeedSettings } from './index.js';

const WINDOW = { start: Date.UTC(2027, 2, 1), end: Date.UTC(2027, 4, 1) };
const H = 3_600_000;
const SECRET = 's3cr3t-t0ken';
const OTA = readFileSync(new URL('./fixtures/ota-export.ics', import.meta.url), 'utf8');

let server: FeedServer;
beforeAll(async () => { server = await startFeedServer(); });
afterAll(async () => { await server.close(); });
beforeEach(() => { server.requests.length = 0; server.validators = 'both'; server.fail(null); });

const resource = (id: string, url?: string, bookedBy: 'night' | 'time' = 'time'): SourceResource => ({
  id, kind: 'unit', bookedBy, capacity: 1, mapping: url === undefined ? {} : { url },
});

function adapterFor(settings: z.input<typeof icalFeedSettings> = {}): SourceAdapter {
  return icalFeedAdapter.create({
    siteId: 'north', timezone: 'Europe/Berlin', settings: icalFeedSettings.parse(settings),
    log: { warn() {}, info() {} },
  });
}

function request(site: SourceSite, cursor: string | null, throttled?: string[]): PullRequest {
  return {
    site, window: WINDOW, cursor, signal: new AbortController().signal,
    throttle: async () => { throttled?.push('t'); },
  };
}

const ids = (r: PullResult) => r.bookings.map((b) => b.externalId).sort();

describe('ical-feed pull', () => {
  const hallPath = `/feeds/hall.ics?token=${SECRET}`;
  const roomPath = `/export/${SECRET}/room-12.ics`;
  let site: SourceSite;
  let adapter: SourceAdapter;

  beforeEach(() => {
    server.setFeed('/feeds/hall.ics', feedIcs([
      { uid: 'a@tool', start: Date.UTC(2027, 2, 10, 9), end: Date.UTC(2027, 2, 10, 11) },
      { uid: 'b@tool', start: Date.UTC(2027, 2, 11, 9), end: Date.UTC(2027, 2, 11, 10), extra: ['TRANSP:TRANSPARENT'] },
    ]));
    server.setFeed(`/export/${SECRET}/room-12.ics`, OTA);
    // The hall uses the site's default feed; room 12 (a night resource) its own.
    site = { id: 'north', timezone: 'Europe/Berlin', resources: [resource('hall'), resource('room-12', server.url(roomPath), 'night')] };
    adapter = adapterFor({ url: server.url(hallPath), headers: { Authorization: `Bearer ${SECRET}` } });
  });

  it('a pull without cursor fetches every feed once and answers full', async () => {
    const throttled: string[] = [];
    const result = await adapter.pull(request(site, null, throttled));
    expect(result.mode).toBe('full');
    expect(ids(result)).toEqual([
      'hall/a@tool', 'hall/b@tool',
      'room-12/7f3c2a91e0b4-blocked-0001@ota.example', 'room-12/7f3c2a91e0b4-reservation-HM4K2Q@ota.example',
    ]);
    expect(result.bookings.find((b) => b.externalId === 'hall/a@tool')?.span).toEqual({ by: 'time', start: Date.UTC(2027, 2, 10, 9), end: Date.UTC(2027, 2, 10, 11) });
    expect(result.bookings.find((b) => b.externalId === 'hall/b@tool')?.busy).toBe(false);
    expect(result.bookings.find((b) => b.externalId.includes('HM4K2Q'))?.span).toEqual({ by: 'night', nights: ['2027-03-12', '2027-03-13', '2027-03-14'] });
    expect(result.removed).toEqual([]);
    expect(result.skipped).toEqual([]);
    expect(server.requests.map((r) => r.status)).toEqual([200, 200]);
    expect(throttled).toHaveLength(2);
    // Unconditional, with the configured headers.
    expect(server.requests[0]!.headers['if-none-match']).toBeUndefined();
    expect(server.requests[0]!.headers.authorization).toBe(`Bearer ${SECRET}`);
    // Secrets in URLs and headers never reach the cursor (it is stored in Redis).
    expect(result.cursor).not.toContain(SECRET);
    expect(JSON.parse(result.cursor!)).toMatchObject({ v: 1 });
  });

  it('an unchanged feed costs one conditional request and answers an empty delta', async () => {
    const first = await adapter.pull(request(site, null));
    server.requests.length = 0;
    const second = await adapter.pull(request(site, first.cursor));
    expect(second).toMatchObject({ mode: 'delta', bookings: [], removed: [], skipped: [] });
    expect(server.requests.map((r) => r.status)).toEqual([304, 304]);
    expect(server.requests[0]!.headers['if-none-match']).toMatch(/^"[0-9a-f]+"$/);
    expect(server.requests[0]!.headers['if-modified-since']).toMatch(/GMT$/);
    // The next cursor still knows the feeds: a third poll is conditional again.
    server.requests.length = 0;
    await adapter.pull(request(site, second.cursor));
    expect(server.requests.map((r) => r.status)).toEqual([304, 304]);
  });

  it('uses Last-Modified alone when the server sends no ETag', async () => {
    server.validators = 'last-modified';
    const first = await adapter.pull(request(site, null));
    server.requests.length = 0;
    const second = await adapter.pull(request(site, first.cursor));
    expect(second.bookings).toEqual([]);
    expect(server.requests[0]!.headers['if-none-match']).toBeUndefined();
    expect(server.requests[0]!.headers['if-modified-since']).toBeDefined();
    expect(server.requests.map((r) => r.status)).toEqual([304, 304]);
  });

  it('a server without validators that sends the same bytes is unchanged', async () => {
    server.validators = 'none';
    const first = await adapter.pull(request(site, null));
    server.requests.length = 0;
    const second = await adapter.pull(request(site, first.cursor));
    expect(server.requests.map((r) => r.status)).toEqual([200, 200]);
    expect(second).toMatchObject({ mode: 'delta', bookings: [], removed: [] });
  });

  it('a changed feed answers its bookings and what disappeared from it; the other feed is untouched', async () => {
    const first = await adapter.pull(request(site, null));
    server.setFeed('/feeds/hall.ics', feedIcs([
      { uid: 'a@tool', start: Date.UTC(2027, 2, 10, 12), end: Date.UTC(2027, 2, 10, 13) },
      { uid: 'c@tool', start: Date.UTC(2027, 2, 20, 9), end: Date.UTC(2027, 2, 20, 10) },
    ]));
    server.requests.length = 0;
    const second = await adapter.pull(request(site, first.cursor));
    expect(second.mode).toBe('delta');
    expect(ids(second)).toEqual(['hall/a@tool', 'hall/c@tool']);
    expect(second.bookings[0]?.span).toEqual({ by: 'time', start: Date.UTC(2027, 2, 10, 12), end: Date.UTC(2027, 2, 10, 13) });
    expect(second.removed).toEqual(['hall/b@tool']);
    expect(server.requests.map((r) => r.status)).toEqual([200, 304]);
    // And the change is not reported twice.
    const third = await adapter.pull(request(site, second.cursor));
    expect(third).toMatchObject({ mode: 'delta', bookings: [], removed: [] });
  });

  it('resources sharing one feed cost one request and get ids of their own', async () => {
    const shared = { ...site, resources: [resource('hall'), resource('annex')] };
    const result = await adapter.pull(request(shared, null));
    expect(server.requests).toHaveLength(1);
    expect(ids(result)).toEqual(['annex/a@tool', 'annex/b@tool', 'hall/a@tool', 'hall/b@tool']);
    expect(result.bookings.filter((b) => b.resource === 'annex')).toHaveLength(2);
  });

  it('a feed that is not iCalendar fails a full pull, and is skipped (keeping its bookings) in a delta', async () => {
    const first = await adapter.pull(request(site, null));
    server.setFeed('/feeds/hall.ics', '<html><body>Please sign in</body></html>');
    await expect(adapter.pull(request(site, null))).rejects.toThrow(AdapterUnavailableError);
    const delta = await adapter.pull(request(site, first.cursor));
    expect(delta.mode).toBe('delta');
    expect(delta.removed).toEqual([]);
    expect(delta.skipped).toEqual([{ externalId: 'hall/(feed)', reason: expect.stringContaining('not a readable iCalendar document'), resource: 'hall' }]);
    expect(delta.resourceErrors).toEqual([{ resource: 'hall', origin: new URL(server.url('/')).origin, code: 'ADAPTER.UNAVAILABLE', message: expect.stringContaining('not a readable iCalendar document') }]);
    // Fixed again: the next poll fetches it (the old validators were kept) and nothing is lost.
    server.setFeed('/feeds/hall.ics', feedIcs([{ uid: 'a@tool', start: Date.UTC(2027, 2, 10, 9), end: Date.UTC(2027, 2, 10, 11) }]));
    const again = await adapter.pull(request(site, delta.cursor));
    expect(ids(again)).toEqual(['hall/a@tool']);
    expect(again.removed).toEqual(['hall/b@tool']);
  });

  describe('issue 13 case 9: one failing feed fails only its resources', () => {
    const origin = () => new URL(server.url('/')).origin;
    const broken = () => ({ ...site, resources: [resource('hall'), resource('room-12', server.url(`/export/${SECRET}/gone.ics`), 'night')] });

    it('a stray line outside any event does not make the feed unreadable', async () => {
      const text = feedIcs([{ uid: 'a@tool', start: Date.UTC(2027, 2, 10, 9), end: Date.UTC(2027, 2, 10, 11) }])
        .replace('BEGIN:VEVENT', 'Generated by RoomTool - do not edit\r\nBEGIN:VEVENT');
      server.setFeed('/feeds/hall.ics', text);
      const result = await adapter.pull(request({ ...site, resources: [resource('hall')] }, null));
      expect(ids(result)).toEqual(['hall/a@tool']);
      expect(result.skipped).toEqual([{ externalId: 'hall/(calendar)', resource: 'hall', reason: expect.stringContaining('outside any event') }]);
    });

    it('in a delta the good resource updates and the failed one keeps its bookings, named with its feed origin', async () => {
      const first = await adapter.pull(request(site, null));
      server.setFeed(`/export/${SECRET}/room-12.ics`, '<html>maintenance</html>');
      server.setFeed('/feeds/hall.ics', feedIcs([{ uid: 'm@tool', start: Date.UTC(2027, 2, 13, 9), end: Date.UTC(2027, 2, 13, 10) }]));
      const next = await adapter.pull(request(site, first.cursor));
      expect(next.mode).toBe('delta');
      expect(ids(next)).toEqual(['hall/m@tool']);
      // Room 12's bookings are not removed: its last good data stays.
      expect(next.removed.sort()).toEqual(['hall/a@tool', 'hall/b@tool']);
      expect(next.resourceErrors).toEqual([{ resource: 'room-12', origin: origin(), code: 'ADAPTER.UNAVAILABLE', message: expect.stringMatching(/resource room-12 \(feed at http:\/\/127\.0\.0\.1:\d+\)/) }]);
      expect(next.skipped).toEqual([{ externalId: 'room-12/(feed)', resource: 'room-12', reason: expect.stringContaining('last data kept') }]);
      expect(JSON.stringify(next)).not.toContain(SECRET);
    });

    it('a full pull fails naming the resource and feed, unless the core keeps failed resources (partialResults)', async () => {
      const err = await adapter.pull(request(broken(), null)).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(AdapterUnavailableError);
      expect((err as Error).message).toMatch(/resource room-12 \(feed at http:\/\/127\.0\.0\.1:\d+\).*404/);
      expect((err as Error).message).not.toContain(SECRET);
      const partial = await adapter.pull({ ...request(broken(), null), partialResults: true });
      expect(partial.mode).toBe('full');
      expect(ids(partial)).toEqual(['hall/a@tool', 'hall/b@tool']);
      expect(partial.resourceErrors).toEqual([{ resource: 'room-12', origin: origin(), code: 'ADAPTER.UNAVAILABLE', message: expect.stringContaining('404') }]);
      // Nothing is known of room 12's ids: the next poll is full again.
      expect(partial.cursor).toBeNull();
    });

    it('when every feed fails, the pull fails (the site is unhealthy)', async () => {
      server.fail({ status: 503 });
      await expect(adapter.pull({ ...request(site, null), partialResults: true })).rejects.toThrow(AdapterUnavailableError);
    });
  });

  it('reports unreadable events as skipped with the resource-prefixed id', async () => {
    server.setFeed('/feeds/hall.ics', feedIcs([
      { uid: 'ok@tool', start: Date.UTC(2027, 2, 10, 9), end: Date.UTC(2027, 2, 10, 11) },
      { uid: 'instant@tool', start: Date.UTC(2027, 2, 10, 9), end: Date.UTC(2027, 2, 10, 9) },
    ]));
    const result = await adapter.pull(request({ ...site, resources: [resource('hall')] }, null));
    expect(ids(result)).toEqual(['hall/ok@tool']);
    expect(result.skipped).toEqual([{ externalId: 'hall/instant@tool', reason: expect.stringMatching(/ends before it starts|zero-length/), resource: 'hall' }]);
  });

  describe('cursors', () => {
    it('a cursor that is not JSON is treated as none (full pull)', async () => {
      const result = await adapter.pull(request(site, 'sync-token-from-elsewhere'));
      expect(result.mode).toBe('full');
      expect(server.requests[0]!.headers['if-none-match']).toBeUndefined();
    });

    it('a cursor of another version is rejected', async () => {
      const { cursor } = await adapter.pull(request(site, null));
      const old = JSON.stringify({ ...JSON.parse(cursor!), v: 0 });
      await expect(adapter.pull(request(site, old))).rejects.toBeInstanceOf(CursorRejectedError);
      await expect(adapter.pull(request(site, '{"v":1}'))).rejects.toBeInstanceOf(CursorRejectedError);
    });

    it('a cursor made for another configuration (feed URL, zone, resources) is rejected', async () => {
      const { cursor } = await adapter.pull(request(site, null));
      const n = server.requests.length;
      for (const other of [
        { ...site, timezone: 'Europe/Paris' },
        { ...site, resources: [resource('hall'), resource('room-12', server.url('/moved.ics'), 'night')] },
        { ...site, resources: [resource('hall')] },
      ]) {
        await expect(adapter.pull(request(other, cursor))).rejects.toBeInstanceOf(CursorRejectedError);
      }
      expect(server.requests).toHaveLength(n); // rejected before any request
    });
  });

  describe('errors', () => {
    const one = () => ({ ...site, resources: [resource('hall')] });

    it('5xx and 404 are unavailable; 401 and 403 are auth errors; messages carry no secret', async () => {
      for (const [status, type, text] of [
        [500, AdapterUnavailableError, /answered 500/],
        [503, AdapterUnavailableError, /answered 503/],
        [404, AdapterUnavailableError, /no such feed \(404\)/],
        [401, AdapterAuthError, /refused access \(401\)/],
        [403, AdapterAuthError, /refused access \(403\)/],
      ] as const) {
        server.fail({ status });
        const err = await adapter.pull(request(one(), null)).catch((e: unknown) => e);
        expect(err, String(status)).toBeInstanceOf(type);
        expect((err as Error).message).toMatch(text);
        expect((err as Error).message).not.toContain(SECRET);
      }
    });

    it('a feed that does not exist is a clear 404', async () => {
      const missing = { ...site, resources: [resource('hall', server.url('/nothing-here.ics'))] };
      await expect(adapter.pull(request(missing, null))).rejects.toThrow(/no such feed \(404\).*URL changed/);
    });

    it('429 honours Retry-After in seconds and as an HTTP date', async () => {
      server.fail({ status: 429, headers: { 'Retry-After': '120' } });
      const secs = await adapter.pull(request(one(), null)).catch((e: unknown) => e);
      expect(secs).toBeInstanceOf(AdapterRateLimitedError);
      expect((secs as AdapterRateLimitedError).retryAfterMs).toBe(120_000);
      server.fail({ status: 429, headers: { 'Retry-After': new Date(Date.now() + 90_000).toUTCString() } });
      const date = await adapter.pull(request(one(), null)).catch((e: unknown) => e);
      expect((date as AdapterRateLimitedError).retryAfterMs).toBeGreaterThan(85_000);
      expect((date as AdapterRateLimitedError).retryAfterMs).toBeLessThanOrEqual(90_000);
      server.fail({ status: 429 });
      const none = await adapter.pull(request(one(), null)).catch((e: unknown) => e);
      expect((none as AdapterRateLimitedError).retryAfterMs).toBe(60_000);
    });

    it('a timeout and a refused connection are unavailable', async () => {
      server.fail({ status: 200, delayMs: 2_000 });
      const slow = adapterFor({ url: server.url(hallPath), timeout: '200ms' });
      await expect(slow.pull(request(one(), null))).rejects.toThrow(AdapterUnavailableError);
      server.fail(null);
      const dead = { ...site, resources: [resource('hall', 'http://127.0.0.1:9/feed.ics')] };
      await expect(adapter.pull(request(dead, null))).rejects.toThrow(/did not answer/);
    });

    it('a resource with no feed at all is a configuration error naming it', async () => {
      const bare = adapterFor({});
      await expect(bare.pull(request(one(), null))).rejects.toThrow(/resource "hall" of site "north" has no feed: set source\.url on the resource or url on the site's adapter/);
    });
  });

  it('is read-only', async () => {
    expect(adapter.writable).toBe(false);
    expect(icalFeedAdapter.writable).toBe(false);
    const write = {
      site, resource: site.resources[0]!, idempotencyKey: 'k', reservationId: 'r', span: { by: 'time' as const, start: 0, end: H },
      quantity: 1, customer: null, signal: new AbortController().signal, throttle: async () => undefined,
    };
    await expect(adapter.reserve(write)).rejects.toThrow(/read-only/);
    await expect(adapter.cancel({ ...write, externalId: 'x' })).rejects.toThrow(/read-only/);
  });
});

afterEach(() => { server.fail(null); });
