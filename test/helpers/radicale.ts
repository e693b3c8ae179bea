import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { forwardTo, stopServer, waitUntilUp } from './server-process.js';
import { createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeWithBinary, isInstalled, itWithBinary, withBinary, type Requirement } from './requires-binary.js';

/** Debian's Radicale (`apt-get install radicale`); `python3 -m radicale` does not work here. */
const RADICALE_BIN = '/usr/bin/radicale';
export const RADICALE: Requirement = { binary: RADICALE_BIN, install: 'sudo apt-get install -y radicale', suites: 'CalDAV tests' };
export const radicaleInstalled = isInstalled(RADICALE);

/**
 * Suites and tests that need Radicale: without it they are skipped with a banner locally and
 * fail under CI (see requires-binary.ts).
 */
export const describeWithRadicale = (name: string, body: () => void) => describeWithBinary(RADICALE, name, body);
export const withRadicale = (name: string, register: () => void) => withBinary(RADICALE, name, register);
export const itWithRadicale = (name: string, fn: () => Promise<void>, timeout?: number) => itWithBinary(RADICALE, name, fn, timeout);

/** One request the proxy saw. */
interface SeenRequest {
  method: string;
  path: string;
  body: string;
}

export interface RadicaleServer {
  /** The counting proxy in front of Radicale: give this one to the adapter. */
  url: string;
  /** Radicale itself (helper calls go here, so they never count as adapter requests). */
  directUrl: string;
  username: string;
  password: string;
  storageDir: string;
  /** Creates a calendar collection (MKCALENDAR) such as `/north/main-hall/`. */
  makeCalendar(path: string, displayName: string): Promise<void>;
  deleteCalendar(path: string): Promise<void>;
  putEvent(calPath: string, name: string, ics: string): Promise<void>;
  deleteEvent(calPath: string, name: string): Promise<void>;
  /** The object's iCalendar text, or null when it does not exist. */
  getEvent(calPath: string, name: string): Promise<string | null>;
  /** Names of the objects in a calendar. */
  listEvents(calPath: string): Promise<string[]>;
  /** Requests the proxy has forwarded or refused since start (or since `resetRequests`). */
  requestCount(): number;
  requests(): SeenRequest[];
  resetRequests(): void;
  /** The proxy refuses everything: `503` answers 503 without Retry-After; `close` drops the socket. */
  goDown(mode?: '503' | 'close'): void;
  comeBack(): void;
  /** While on, the proxy answers 501 to every sync-collection REPORT (a server without RFC 6578). */
  refuseSyncCollection(on: boolean): void;
  /** Rewrites the sync-token of the next sync-collection REPORTs (to test a token the server rejects). */
  rewriteSyncToken(token: string | null): void;
  /**
   * Makes Radicale forget every sync token it issued for a calendar, as when they age out
   * (`max_sync_token_age`), and changes the calendar (a scratch object put and deleted): Radicale
   * accepts a token equal to the current state without looking it up. The next REPORT with an old
   * token is then rejected for real (403 DAV:valid-sync-token).
   */
  forgetSyncTokens(calPath: string): Promise<void>;
  stop(): Promise<void>;
}

/** A free TCP port on 127.0.0.1 (listen on 0, read it, close). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createNetServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}



/** Starts Radicale on a free port with its own storage, plus a counting proxy in front of it. */
export async function startRadicale(opts: { username?: string; password?: string } = {}): Promise<RadicaleServer> {
  const username = opts.username ?? 'north';
  const password = opts.password ?? 'secret-pass';
  const dir = await mkdtemp(join(tmpdir(), 'avhub-radicale-'));
  const storageDir = join(dir, 'collections');
  const port = await freePort();
  await writeFile(join(dir, 'users'), `${username}:${password}\n`);
  await writeFile(join(dir, 'config'), [
    '[server]', `hosts = 127.0.0.1:${port}`,
    '[auth]', 'type = htpasswd', `htpasswd_filename = ${join(dir, 'users')}`, 'htpasswd_encryption = plain', 'delay = 0',
    '[rights]', 'type = owner_only',
    '[storage]', `filesystem_folder = ${storageDir}`,
    '[web]', 'type = none',
    '[logging]', 'level = error', '',
  ].join('\n'));

  let log = '';
  const child = spawn(RADICALE_BIN, ['--config', join(dir, 'config')], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.on('data', (d: Buffer) => { log = (log + d.toString()).slice(-4000); });
  child.stderr?.on('data', (d: Buffer) => { log = (log + d.toString()).slice(-4000); });
  const directUrl = `http://127.0.0.1:${port}`;
  try {
    await waitUntilUp('radicale', `${directUrl}/`, child, () => log);
  } catch (err) {
    child.kill('SIGKILL');
    await rm(dir, { recursive: true, force: true });
    throw err;
  }

  const auth = `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
  const direct = async (method: string, path: string, body?: string, headers: Record<string, string> = {}) => {
    const res = await fetch(`${directUrl}${path}`, { method, body, headers: { Authorization: auth, ...headers } });
    return { status: res.status, text: await res.text() };
  };
  const expectOk = (what: string, res: { status: number; text: string }) => {
    if (res.status >= 300) throw new Error(`${what} answered ${res.status}: ${res.text.slice(0, 300)}`);
  };

  // The counting proxy.
  let seen: SeenRequest[] = [];
  let down: '503' | 'close' | null = null;
  let refuseSync = false;
  let tokenRewrite: string | null = null;
  const proxy: Server = createHttpServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let body = Buffer.concat(chunks).toString('utf8');
      seen.push({ method: req.method ?? '', path: req.url ?? '', body });
      if (down === 'close') { req.socket.destroy(); return; }
      if (down === '503') { res.writeHead(503, { 'Content-Type': 'text/plain' }).end('down for the test'); return; }
      const isSync = req.method === 'REPORT' && body.includes('sync-collection');
      if (isSync && refuseSync) { res.writeHead(501, { 'Content-Type': 'text/plain' }).end('sync-collection not implemented'); return; }
      if (isSync && tokenRewrite !== null) body = body.replace(/(<([a-zA-Z]+:)?sync-token>)[^<]*(<\/)/, `$1${tokenRewrite}$3`);
      forwardTo(port, req, res, body);
    });
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  const proxyAddress = proxy.address();
  const proxyPort = typeof proxyAddress === 'object' && proxyAddress ? proxyAddress.port : 0;

  const calDir = (calPath: string) => join(storageDir, 'collection-root', ...calPath.split('/').filter(Boolean));

  return {
    url: `http://127.0.0.1:${proxyPort}/`,
    directUrl: `${directUrl}/`,
    username,
    password,
    storageDir,
    async makeCalendar(path, displayName) {
      const body = `<?xml version="1.0" encoding="utf-8"?>
<C:mkcalendar xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">
  <D:set><D:prop>
    <D:displayname>${displayName.replace(/&/g, '&amp;').replace(/</g, '&lt;')}</D:displayname>
    <C:supported-calendar-component-set><C:comp name="VEVENT"/></C:supported-calendar-component-set>
  </D:prop></D:set>
</C:mkcalendar>`;
      expectOk(`MKCALENDAR ${path}`, await direct('MKCALENDAR', path, body, { 'Content-Type': 'application/xml' }));
    },
    async deleteCalendar(path) {
      expectOk(`DELETE ${path}`, await direct('DELETE', path));
    },
    async putEvent(calPath, name, ics) {
      expectOk(`PUT ${calPath}${name}`, await direct('PUT', `${calPath}${name}`, ics, { 'Content-Type': 'text/calendar; charset=utf-8' }));
    },
    async deleteEvent(calPath, name) {
      expectOk(`DELETE ${calPath}${name}`, await direct('DELETE', `${calPath}${name}`));
    },
    async getEvent(calPath, name) {
      const res = await direct('GET', `${calPath}${name}`);
      if (res.status === 404) return null;
      expectOk(`GET ${calPath}${name}`, res);
      return res.text;
    },
    async listEvents(calPath) {
      const res = await direct('PROPFIND', calPath, '<?xml version="1.0"?><D:propfind xmlns:D="DAV:"><D:prop><D:getetag/></D:prop></D:propfind>', { Depth: '1', 'Content-Type': 'application/xml' });
      expectOk(`PROPFIND ${calPath}`, res);
      return [...res.text.matchAll(/<[a-zA-Z]*:?href>([^<]+)<\//g)]
        .map((m) => decodeURIComponent(m[1]!))
        .filter((href) => href !== calPath && href.startsWith(calPath))
        .map((href) => href.slice(calPath.length));
    },
    requestCount: () => seen.length,
    requests: () => [...seen],
    resetRequests() { seen = []; },
    goDown(mode = '503') { down = mode; },
    comeBack() { down = null; },
    refuseSyncCollection(on) { refuseSync = on; },
    rewriteSyncToken(token) { tokenRewrite = token; },
    async forgetSyncTokens(calPath) {
      await rm(join(calDir(calPath), '.Radicale.cache', 'sync-token'), { recursive: true, force: true });
      const scratch = 'avhub-test-scratch.ics';
      const ics = ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//avhub tests//EN', 'BEGIN:VEVENT', 'UID:scratch',
        'DTSTAMP:20270101T000000Z', 'DTSTART:20200101T000000Z', 'DTEND:20200101T010000Z', 'END:VEVENT', 'END:VCALENDAR', ''].join('\r\n');
      expectOk('PUT scratch', await direct('PUT', `${calPath}${scratch}`, ics, { 'Content-Type': 'text/calendar' }));
      expectOk('DELETE scratch', await direct('DELETE', `${calPath}${scratch}`));
    },
    stop: () => stopServer(proxy, child, dir),
  };
}
