import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { forwardTo, stopServer, waitUntilUp } from './server-process.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './radicale.js';
import type { Requirement } from './requires-binary.js';

/**
 * Debian's Xandikos (`apt-get install xandikos`), a second real CalDAV server next to Radicale.
 * It has no authentication (the adapter's Basic credentials are ignored) and its calendar-query
 * `time-range` matches a recurring event only by its first instance (jelmer/xandikos#8): the
 * server behaviour issue 13 case 10 is about. Calendars live under `/user/calendars/`.
 */
/** Suites on Xandikos skip loudly without it, and fail under CI (requires-binary.ts). */
export const XANDIKOS: Requirement = { binary: '/usr/bin/xandikos', install: 'sudo apt-get install -y xandikos', suites: 'CalDAV tests on Xandikos' };

export interface XandikosServer {
  /** The counting proxy in front of Xandikos: give this one to the adapter. */
  url: string;
  directUrl: string;
  /** The calendar home. */
  home: string;
  makeCalendar(path: string, displayName: string): Promise<void>;
  putEvent(calPath: string, name: string, ics: string): Promise<void>;
  deleteEvent(calPath: string, name: string): Promise<void>;
  requestCount(): number;
  /** The proxy answers 503 to everything until `comeBack`. */
  goDown(): void;
  comeBack(): void;
  /**
   * While on, the proxy answers every sync-collection REPORT as RFC 6578 §3.2 says a server must
   * answer a token it no longer knows (403 DAV:valid-sync-token). Xandikos 0.2.8 itself answers
   * 500 to a token it never issued, which no client can tell from an outage.
   */
  refuseSyncTokens(on: boolean): void;
  stop(): Promise<void>;
}



export async function startXandikos(): Promise<XandikosServer> {
  const dir = await mkdtemp(join(tmpdir(), 'avhub-xandikos-'));
  const port = await freePort();
  let log = '';
  const child = spawn(XANDIKOS.binary, ['--defaults', '-d', dir, '-l', '127.0.0.1', '-p', String(port)], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.on('data', (d: Buffer) => { log = (log + d.toString()).slice(-4000); });
  child.stderr?.on('data', (d: Buffer) => { log = (log + d.toString()).slice(-4000); });
  const directUrl = `http://127.0.0.1:${port}/`;
  try {
    await waitUntilUp('xandikos', directUrl, child, () => log);
  } catch (err) {
    child.kill('SIGKILL');
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
  const direct = async (method: string, path: string, body?: string, headers: Record<string, string> = {}) => {
    const res = await fetch(new URL(path, directUrl), { method, body, headers });
    const text = await res.text();
    if (res.status >= 300) throw new Error(`${method} ${path} answered ${res.status}: ${text.slice(0, 300)}`);
  };

  let count = 0;
  let down = false;
  let refuseTokens = false;
  const proxy: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      count += 1;
      if (down) { res.writeHead(503, { 'Content-Type': 'text/plain' }).end('down for the test'); return; }
      const body = Buffer.concat(chunks).toString('utf8');
      if (refuseTokens && req.method === 'REPORT' && body.includes('sync-collection')) {
        res.writeHead(403, { 'Content-Type': 'application/xml; charset=utf-8' })
          .end('<?xml version="1.0" encoding="utf-8"?>\n<D:error xmlns:D="DAV:"><D:valid-sync-token/></D:error>');
        return;
      }
      forwardTo(port, req, res, body);
    });
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  const address = proxy.address();
  const proxyPort = typeof address === 'object' && address ? address.port : 0;

  return {
    url: `http://127.0.0.1:${proxyPort}/`,
    directUrl,
    home: '/user/calendars/',
    async makeCalendar(path, displayName) {
      const body = `<?xml version="1.0" encoding="utf-8"?>
<C:mkcalendar xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:set><D:prop>
<D:displayname>${displayName.replace(/&/g, '&amp;').replace(/</g, '&lt;')}</D:displayname>
</D:prop></D:set></C:mkcalendar>`;
      await direct('MKCALENDAR', path, body, { 'Content-Type': 'application/xml' });
    },
    async putEvent(calPath, name, ics) {
      await direct('PUT', `${calPath}${name}`, ics, { 'Content-Type': 'text/calendar; charset=utf-8' });
    },
    async deleteEvent(calPath, name) {
      await direct('DELETE', `${calPath}${name}`);
    },
    requestCount: () => count,
    goDown() { down = true; },
    comeBack() { down = false; },
    refuseSyncTokens(on) { refuseTokens = on; },
    stop: () => stopServer(proxy, child, dir),
  };
}
