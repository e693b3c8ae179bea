import { fork } from 'node:child_process';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';

/**
 * A hostile source on 127.0.0.1 for the fault suite (issue 14): every path is a way for a site's
 * system to misbehave. iCal feeds at `/<mode>.ics`; a CalDAV server at `/dav-<mode>/` answering
 * every request (discovery included) the same way.
 *
 *   huge      60 MB of well-formed events, as fast as the socket takes them, no Content-Length
 *   endless   events forever
 *   trickle   a few bytes every 200 ms, forever
 *   garbage   5 MB of random bytes
 *   many      100,000 small well-formed events (about 15 MB)
 *   entities  (CalDAV) a small XML body whose entities expand a billion-fold
 *   good      (iCal) one event: the healthy neighbour
 *
 * The source runs in a child process of its own, as a site's system does: generating 20 MB
 * bodies every few seconds is work the hub's event loop must not be charged with.
 */
export interface HostileSource {
  url(path: string): string;
  /** Requests per path so far (as of the last {@link HostileSource.refreshHits}). */
  hits: Map<string, number>;
  /** Asks the child for its counts. */
  refreshHits(): Promise<void>;
  close(): Promise<void>;
}

/** What the hostile feeds and CalDAV servers answer (see the child's router below). */
export const HOSTILE_FEED_MODES = ['huge', 'endless', 'trickle', 'garbage', 'many'] as const;
export const HOSTILE_DAV_MODES = ['huge', 'endless', 'trickle', 'garbage', 'entities'] as const;

/**
 * The hub config of the hostile-source suite and of its profiling script: a healthy feed
 * (`/good.ics`, on the hostile host, polled every second) beside one site per hostile mode,
 * polled every 2 s; the two `huge` ones set their own byte limit (`adapter.limits`).
 */
export function hostileHubYaml(source: HostileSource, opts: { adminToken: string; feeds: readonly string[]; dav: readonly string[] }): string {
  const limits = (m: string) => (m === 'huge' ? ', limits: { maxBytes: 1MB }' : '');
  return `
auth: { adminToken: ${opts.adminToken} }
defaults: { limitedAfter: { failures: 2, staleFor: 1h } }
groups: { halls: { workflow: hybrid } }
sites:
  - id: good
    timezone: Europe/Berlin
    pollEvery: 1s
    adapter: { kind: ical-feed, url: "${source.url('/good.ics')}" }
    resources: [ { id: hall, kind: unit, group: halls } ]
${opts.feeds.map((m) => `
  - id: feed-${m}
    timezone: Europe/Berlin
    pollEvery: 2s
    adapter: { kind: ical-feed, url: "${source.url(`/${m}.ics`)}", timeout: 5s${limits(m)} }
    resources: [ { id: hall, kind: unit, group: halls } ]`).join('')}
${opts.dav.map((m) => `
  - id: dav-${m}
    timezone: Europe/Berlin
    pollEvery: 2s
    adapter: { kind: caldav, url: "${source.url(`/dav-${m}/`)}", username: u, password: p, calendarHome: "/dav-${m}/cal/"${limits(m)} }
    resources: [ { id: hall, kind: unit, group: halls, source: { calendar: "/dav-${m}/cal/" } } ]`).join('')}
`;
}

const EVENT = (i: number) => `BEGIN:VEVENT\r\nUID:hostile-${i}@example.test\r\nDTSTAMP:20260101T000000Z\r\n`
  + `DTSTART:20270110T${String(i % 24).padStart(2, '0')}0000Z\r\nDURATION:PT30M\r\nSUMMARY:x\r\nEND:VEVENT\r\n`;
const HEAD = 'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//hostile//EN\r\n';

/** Writes `next()` chunks while the socket takes them, until `next` answers null or the peer leaves. */
function pump(res: ServerResponse, next: () => string | Buffer | null): void {
  const go = () => {
    for (;;) {
      if (res.destroyed) return;
      const chunk = next();
      if (chunk === null) { res.end(); return; }
      if (!res.write(chunk)) { res.once('drain', go); return; }
    }
  };
  res.on('error', () => undefined);
  go();
}

function eventsBody(res: ServerResponse, total: number | null): void {
  let i = 0;
  let sent = false;
  pump(res, () => {
    if (!sent) { sent = true; return HEAD; }
    if (total !== null && i >= total) { if (i === total) { i += 1; return 'END:VCALENDAR\r\n'; } return null; }
    let chunk = '';
    for (let k = 0; k < 200 && (total === null || i < total); k++) chunk += EVENT(i++);
    return chunk;
  });
}

const DAV_HEAD = '<?xml version="1.0" encoding="utf-8"?>\n<d:multistatus xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav">\n';
const DAV_RESPONSE = (i: number) => `<d:response><d:href>/dav/cal/${i}.ics</d:href><d:propstat><d:prop><d:getetag>"${i}"</d:getetag>`
  + `<c:calendar-data>${HEAD}${EVENT(i)}END:VCALENDAR</c:calendar-data></d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response>\n`;
const LAUGHS = `<?xml version="1.0"?>\n<!DOCTYPE lolz [\n<!ENTITY lol "lol">\n${Array.from({ length: 9 }, (_, i) =>
  `<!ENTITY lol${i + 1} "${`&lol${i || ''};`.repeat(10)}">`).join('\n')}\n]>\n<d:multistatus xmlns:d="DAV:"><d:response><d:href>&lol9;</d:href></d:response></d:multistatus>`;

/** Starts the source in a child process (tsx) and answers once it listens. */
export async function startHostileSource(): Promise<HostileSource> {
  const child = fork(fileURLToPath(import.meta.url), [], {
    execArgv: ['--import', 'tsx'], env: { ...process.env, HOSTILE_SOURCE_CHILD: '1' }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (m: { port: number }) => resolve(m.port));
    child.once('exit', (code) => reject(new Error(`the hostile source exited (${code})`)));
  });
  const hits = new Map<string, number>();
  return {
    hits,
    url: (path) => `http://127.0.0.1:${port}${path}`,
    refreshHits: () => new Promise<void>((resolve) => {
      child.once('message', (m: { hits: Record<string, number> }) => {
        for (const [k, v] of Object.entries(m.hits)) hits.set(k, v);
        resolve();
      });
      child.send('hits');
    }),
    close: () => new Promise<void>((resolve) => {
      if (child.exitCode !== null) { resolve(); return; }
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    }),
  };
}

/** The child's side: serves, tells the parent its port, answers `hits`, ends with the parent. */
async function serveInChild(): Promise<void> {
  const source = await serveHostile();
  process.send!({ port: Number(new URL(source.url('/')).port) });
  process.on('message', () => process.send!({ hits: Object.fromEntries(source.hits) }));
  process.on('disconnect', () => process.exit(0));
  process.on('SIGTERM', () => process.exit(0));
}

if (process.env.HOSTILE_SOURCE_CHILD === '1') void serveInChild();

async function serveHostile(): Promise<Omit<HostileSource, 'refreshHits'>> {
  const hits = new Map<string, number>();
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    const mode = /^\/(?:dav-)?([a-z]+)/.exec(path)?.[1] ?? '';
    const key = path.startsWith('/dav-') ? `dav-${mode}` : mode;
    hits.set(key, (hits.get(key) ?? 0) + 1);
    req.resume();
    const dav = path.startsWith('/dav-');
    res.on('error', () => undefined);
    if (dav) {
      res.writeHead(207, { 'Content-Type': 'application/xml; charset=utf-8' });
      if (mode === 'entities') { res.end(LAUGHS); return; }
      let i = 0;
      let sent = false;
      if (mode === 'garbage') { garbage(res); return; }
      if (mode === 'trickle') { trickle(res, DAV_HEAD); return; }
      pump(res, () => {
        if (!sent) { sent = true; return DAV_HEAD; }
        if (mode === 'huge' && i > 200_000) return null;
        let chunk = '';
        for (let k = 0; k < 100; k++) chunk += DAV_RESPONSE(i++);
        return chunk;
      });
      return;
    }
    res.writeHead(200, { 'Content-Type': 'text/calendar; charset=utf-8' });
    switch (mode) {
      case 'good': res.end(`${HEAD}${EVENT(1)}END:VCALENDAR\r\n`); return;
      case 'many': eventsBody(res, 100_000); return;
      case 'huge': eventsBody(res, 400_000); return;
      case 'endless': eventsBody(res, null); return;
      case 'trickle': trickle(res, HEAD); return;
      case 'garbage': garbage(res); return;
      default: res.end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    hits,
    url: (path) => `http://127.0.0.1:${(server.address() as AddressInfo).port}${path}`,
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

function garbage(res: ServerResponse): void {
  let left = 5 * 1024 * 1024;
  pump(res, () => {
    if (left <= 0) return null;
    const n = Math.min(left, 64 * 1024);
    left -= n;
    const b = Buffer.allocUnsafe(n);
    for (let i = 0; i < n; i++) b[i] = (i * 7919 + left) & 0xff;
    return b;
  });
}

function trickle(res: ServerResponse, head: string): void {
  res.write(head);
  const timer = setInterval(() => { if (res.destroyed) clearInterval(timer); else res.write('X-T:1\r\n'); }, 200);
  res.once('close', () => clearInterval(timer));
}
