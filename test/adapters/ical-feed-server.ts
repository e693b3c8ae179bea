import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingHttpHeaders, Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local HTTP server that serves `.ics` feeds the way booking tools do, for the ical-feed tests:
 * ETag and/or Last-Modified validators with 304 answers to conditional GETs (RFC 9110 §13.1.1:
 * If-None-Match wins over If-Modified-Since), and switchable failures.
 */
export interface FeedServer {
  /** The absolute URL of `path` on this server. */
  url(path: string): string;
  /** Serves `body` at `path` (also bumps its Last-Modified). */
  setFeed(path: string, body: string): void;
  /** Which validators the server sends: both by default. */
  validators: 'both' | 'etag' | 'last-modified' | 'none';
  /** Answers every request with this status (and headers) until cleared with null. */
  fail(failure: { status: number; headers?: Record<string, string>; delayMs?: number } | null): void;
  /** Every request served, in order. */
  requests: Array<{ path: string; headers: IncomingHttpHeaders; status: number }>;
  close(): Promise<void>;
}

interface Feed { body: string; etag: string; lastModified: number }

export async function startFeedServer(): Promise<FeedServer> {
  const feeds = new Map<string, Feed>();
  let failure: { status: number; headers?: Record<string, string>; delayMs?: number } | null = null;
  // HTTP dates have one-second resolution: make each version's date distinct and in the past.
  let clock = Math.floor(Date.now() / 1000) * 1000 - 3_600_000;
  const state: FeedServer = {
    validators: 'both',
    requests: [],
    url: (path) => `http://127.0.0.1:${(server.address() as AddressInfo).port}${path}`,
    setFeed(path, body) {
      clock += 1000;
      feeds.set(path, { body, etag: `"${createHash('sha1').update(body).digest('hex').slice(0, 16)}"`, lastModified: clock });
    },
    fail(f) { failure = f; },
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    const answer = (status: number, headers: Record<string, string> = {}, body = '') => {
      state.requests.push({ path, headers: req.headers, status });
      res.writeHead(status, headers).end(body);
    };
    if (failure !== null) {
      const f = failure;
      setTimeout(() => { if (!res.destroyed) answer(f.status, f.headers, `failure ${f.status}`); }, f.delayMs ?? 0);
      return;
    }
    const feed = feeds.get(path);
    if (!feed) return answer(404, { 'Content-Type': 'text/plain' }, 'not found');
    const headers: Record<string, string> = { 'Content-Type': 'text/calendar; charset=utf-8' };
    const lastModified = new Date(feed.lastModified).toUTCString();
    if (state.validators === 'both' || state.validators === 'etag') headers.ETag = feed.etag;
    if (state.validators === 'both' || state.validators === 'last-modified') headers['Last-Modified'] = lastModified;
    const inm = req.headers['if-none-match'];
    const ims = req.headers['if-modified-since'];
    const notModified = inm !== undefined
      ? headers.ETag !== undefined && inm.split(',').map((s) => s.trim()).includes(feed.etag)
      : ims !== undefined && headers['Last-Modified'] !== undefined && Date.parse(ims) >= feed.lastModified;
    if (notModified) return answer(304, headers);
    answer(200, headers, feed.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return state;
}

/** A VCALENDAR with one timed UTC VEVENT per entry, as a booking tool would export it. */
export function feedIcs(events: Array<{ uid: string; start: number; end: number; extra?: string[] }>): string {
  const utc = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z').replace(/[-:]/g, '');
  const lines = ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//avhub tests//feed//EN'];
  for (const e of events) {
    lines.push('BEGIN:VEVENT', `UID:${e.uid}`, 'DTSTAMP:20270101T000000Z', `DTSTART:${utc(e.start)}`, `DTEND:${utc(e.end)}`, ...(e.extra ?? []), 'END:VEVENT');
  }
  lines.push('END:VCALENDAR', '');
  return lines.join('\r\n');
}
