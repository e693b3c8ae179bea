import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { adminRoute, type SimulatorAdmin } from './admin.js';
import { calendarApi } from './api.js';
import { SimChannels, type SimDelivery } from './channels.js';
import { injectedError, notFound, SimError } from './errors.js';
import { SimAuth } from './oauth.js';
import { SimStore } from './store.js';
import type { SimFailure, SimRequest } from './types.js';

/**
 * A Google Calendar v3 simulator on node:http, for tests and the demo: the Calendar API paths the
 * adapter uses (`/calendar/v3/...`), an OAuth 2.0 token endpoint (`/token`), and an admin API
 * (in-process, and over HTTP under `/__sim/`) to change the calendar behind the adapter's back and
 * inject failures. What of Google it covers is listed in adapters/google/README.md.
 */

export interface GoogleSimulatorOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  host?: string;
  /** The simulator's clock (event `created`/`updated`, token expiry). */
  now?: () => number;
  /** Lifetime of issued access tokens; Google's is an hour. */
  accessTokenTtlSeconds?: number;
}

export interface GoogleSimulator extends SimulatorAdmin {
  /** Push channels (events.watch): the live ones, every message sent, and ending them all now. */
  readonly push: { live(): Array<{ id: string; calendarId: string; expiration: number }>; deliveries(): SimDelivery[]; expireAll(): void };
  /** Base URL for the client's `rootUrl`, with a trailing slash: `http://127.0.0.1:PORT/`. */
  readonly url: string;
  /** The OAuth token endpoint: `http://127.0.0.1:PORT/token`. */
  readonly tokenUrl: string;
  stop(): Promise<void>;
}

const MAX_BODY = 1 << 20;
const LOG_LIMIT = 5000;

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) { reject(new SimError(413, 'requestTooLarge', 'Request too large.')); req.destroy(); return; }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function parseJson(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    throw new SimError(400, 'parseError', 'Parse Error');
  }
}

function basicAuth(header: string | undefined): { id: string; secret: string } | null {
  const m = /^Basic\s+(\S+)$/i.exec(header ?? '');
  if (!m) return null;
  const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? null : { id: decodeURIComponent(decoded.slice(0, colon)), secret: decodeURIComponent(decoded.slice(colon + 1)) };
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (status === 204 || body === undefined) {
    res.writeHead(status, headers).end();
    return;
  }
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=UTF-8', 'content-length': Buffer.byteLength(text), ...headers }).end(text);
}

/** Starts the simulator; resolves once it listens. */
export async function startGoogleSimulator(opts: GoogleSimulatorOptions = {}): Promise<GoogleSimulator> {
  const now = opts.now ?? Date.now;
  let base = '';
  const store = new SimStore(now);
  const auth = new SimAuth(now, opts.accessTokenTtlSeconds ?? 3600, () => `${base}token`);
  const counts = new Map<string, number>();
  const log: SimRequest[] = [];
  const failures: SimFailure[] = [];
  let down: 'error' | 'refuse' | null = null;
  const channels = new SimChannels(now, () => base);

  const admin: SimulatorAdmin = {
    requestCount(prefix) {
      let n = 0;
      for (const [path, c] of counts) if (prefix === undefined || path.startsWith(prefix)) n += c;
      return n;
    },
    requests: () => log.map((r) => ({ ...r, query: { ...r.query } })),
    createCalendar: (id, o) => store.createCalendar(id, o),
    // Changes made behind the API's back notify watchers too (as a change in Google's UI would).
    insertEvent: (calendarId, event) => changed(calendarId, store.insert(calendarId, event, { admin: true })),
    patchEvent: (calendarId, eventId, patch) => changed(calendarId, store.patch(calendarId, eventId, patch)),
    deleteEvent: (calendarId, eventId) => changed(calendarId, store.delete(calendarId, eventId)),
    getEvent: (calendarId, eventId) => store.get(calendarId, eventId),
    storedEvents: (calendarId) => store.storedEvents(calendarId),
    expireSyncTokens: () => store.expireSyncTokens(),
    expireAccessTokens: () => auth.expireAccessTokens(),
    failNext(n, failure) {
      for (let i = 0; i < n; i++) failures.push({ ...failure });
    },
    goDown(o) {
      down = o?.mode ?? 'error';
    },
    comeBack() {
      down = null;
    },
    createOAuthClient: (o) => auth.createOAuthClient(o),
    revokeRefreshToken(token) {
      if (!auth.revokeRefreshToken(token)) throw notFound();
    },
    createServiceAccount: (email) => auth.createServiceAccount(email),
    disableServiceAccount(email) {
      if (!auth.disableServiceAccount(email)) throw notFound();
    },
  };

  function changed<T>(calendarId: string, result: T): T {
    channels.changed(calendarId);
    return result;
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const state: { entry: SimRequest | null } = { entry: null };
    try {
      await serve(req, res, state);
    } catch (err) {
      const e = err instanceof SimError ? err : new SimError(500, 'backendError', err instanceof Error ? err.message : 'Backend Error');
      if (state.entry) state.entry.status = e.code;
      if (!res.headersSent) send(res, e.code, e.body());
      else res.end();
    }
  }

  async function serve(req: IncomingMessage, res: ServerResponse, state: { entry: SimRequest | null }): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://simulator');
    const method = req.method ?? 'GET';
    const segments = url.pathname.split('/').filter((s) => s !== '').map((s) => decodeURIComponent(s));
    const text = await readBody(req);
    if (segments[0] === '__sim') {
      const answer = adminRoute(admin, method, segments.slice(1), url.searchParams, parseJson(text));
      send(res, answer.status, answer.body);
      return;
    }
    const path = `/${segments.join('/')}`;
    counts.set(path, (counts.get(path) ?? 0) + 1);
    const entry: SimRequest = { method, path, query: Object.fromEntries(url.searchParams), status: 0 };
    state.entry = entry;
    log.push(entry);
    if (log.length > LOG_LIMIT) log.shift();
    const reply = (status: number, body: unknown, headers?: Record<string, string>) => {
      entry.status = status;
      send(res, status, body, headers);
    };
    if (down === 'refuse') {
      entry.status = -1;
      req.socket.destroy();
      return;
    }
    if (down === 'error') {
      const e = injectedError(503);
      reply(503, e.body());
      return;
    }
    if (path === '/token' && method === 'POST') {
      const type = req.headers['content-type'] ?? '';
      const params = type.includes('application/json')
        ? new URLSearchParams(Object.entries((parseJson(text) ?? {}) as Record<string, string>))
        : new URLSearchParams(text);
      const answer = auth.handleToken(params, basicAuth(req.headers.authorization));
      reply(answer.status, answer.body, { 'cache-control': 'no-store' });
      return;
    }
    if (segments[0] !== 'calendar' || segments[1] !== 'v3') throw notFound();
    const failure = failures.shift();
    if (failure) {
      const e = injectedError(failure.status, failure.reason);
      reply(failure.status, e.body(), failure.retryAfter !== undefined ? { 'retry-after': String(failure.retryAfter) } : {});
      return;
    }
    if (!auth.checkBearer(req.headers.authorization)) {
      const e = new SimError(401, 'authError', 'Invalid Credentials', 'global', { type: 'header', name: 'Authorization' });
      reply(401, e.body(), { 'www-authenticate': 'Bearer realm="https://accounts.google.com/"' });
      return;
    }
    const api = segments.slice(2);
    if (method === 'POST' && api.length === 2 && api[0] === 'channels' && api[1] === 'stop') {
      channels.stop(parseJson(text));
      reply(204, undefined);
      return;
    }
    if (method === 'POST' && api.length === 4 && api[0] === 'calendars' && api[2] === 'events' && api[3] === 'watch') {
      store.calendarResource(api[1]!); // 404 for an unknown calendar
      reply(200, channels.watch(api[1]!, parseJson(text)));
      return;
    }
    const answer = calendarApi(store, method, api, url.searchParams, parseJson(text));
    if (method !== 'GET' && answer.status < 300 && api[0] === 'calendars' && api[1] !== undefined) channels.changed(api[1]);
    reply(answer.status, answer.body);
  }

  const server = createServer((req, res) => void handle(req, res));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const host = opts.host && opts.host !== '0.0.0.0' ? opts.host : '127.0.0.1';
  base = `http://${host.includes(':') ? `[${host}]` : host}:${port}/`;

  return {
    ...admin,
    push: { live: () => channels.live(), deliveries: () => channels.deliveries(), expireAll: () => channels.expireAll() },
    url: base,
    tokenUrl: `${base}token`,
    stop: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}

export type * from './types.js';
