import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { isLocalDate, daysBetween, nightsOf } from '../../../src/domain/index.js';
import { HttpError, startAuth, type SimAuthOptions } from './auth.js';
import { v2Routes, type SimState } from './v2.js';

/**
 * A small home-grown PMS on node:http, speaking exactly the mapping of the rest adapter's README
 * example (so that config works against it unchanged). For tests and the demo: a front desk
 * (`admin`) that books behind the hub's back, and failures on demand.
 *
 *   GET    /api/availability?roomType=DBL&from=YYYY-MM-DD&to=YYYY-MM-DD   (inclusive, ≤ 31 nights)
 *          → { data: { roomType, nights: [{ date, free, stopSell }] } }
 *   GET    /api/bookings?updatedSince=ISO&externalRef=REF&page=N
 *          → { data: { bookings: [...], nextPage: N+1 | null } }   (modified > updatedSince, oldest change first)
 *   GET    /api/bookings/{id}          → { data: booking }
 *   POST   /api/bookings  { roomType, arrival, departure, externalRef?, rooms?, guest? }
 *          → 201 { data: booking }, 409 when a night is sold out or closed
 *   PATCH  /api/bookings/{id}  { roomType?, arrival?, departure?, rooms? }  → 200 { data: booking }, 409 sold out
 *   DELETE /api/bookings/{id}          → 204 (state becomes CANCELLED), 404 when unknown
 *
 * Under `/api/v2/` the same PMS speaks a nested shape with other paging styles (v2.ts), for
 * the README's second example. Every request needs the credential `auth` chooses (auth.ts):
 * `Authorization: Bearer <token>` by default, an API key in the query, or an OAuth2 token
 * from `POST /oauth/token` (else 401).
 */

interface SimBooking {
  id: string;
  roomType: string;
  arrival: string;
  departure: string;
  /** CONFIRMED | OPTION | CANCELLED | VOID */
  state: string;
  externalRef: string | null;
  created: string;
  modified: string;
  rooms: number;
  guest: string | null;
  /** A booking of several room types (v2's `rooms[]`); when set, `roomType`/`rooms` are its first line. */
  lines?: Array<{ roomType: string; rooms: number }>;
}

type SeedBooking = Pick<SimBooking, 'roomType' | 'arrival' | 'departure'> & Partial<Omit<SimBooking, 'created' | 'modified'>>;

export interface RestPmsSimulatorOptions {
  /** 0 or absent: any free port. */
  port?: number;
  /** The bearer token the PMS accepts. */
  token: string;
  seed?: {
    /** Rooms per room type; default `{ DBL: 12, SGL: 8, STE: 2 }`. */
    roomTypes?: Record<string, number>;
    bookings?: SeedBooking[];
  };
  /** Bookings per page of GET /bookings; default 50. */
  pageSize?: number;
  /** How requests authenticate; default a bearer token (`token`). */
  auth?: SimAuthOptions;
}

interface RestPmsAdmin {
  /** A front-desk booking (no availability check: the front desk may overbook). */
  createBooking(input: SeedBooking): SimBooking;
  cancelBooking(id: string): SimBooking;
  updateBooking(id: string, patch: Partial<Omit<SimBooking, 'id' | 'created' | 'modified'>>): SimBooking;
  /** Puts any JSON object into the bookings list as is (a malformed record, for tests). */
  insertRaw(record: Record<string, unknown>): void;
  bookings(): SimBooking[];
  /** Rooms free that night (inventory − live bookings; 0 when closed). */
  free(roomType: string, date: string): number;
  setInventory(roomType: string, rooms: number): void;
  setStopSell(roomType: string, date: string, closed?: boolean): void;
  /** The next `times` requests answer `status` (default 500). */
  failNext(status?: number, times?: number): void;
  /** The next `times` requests answer 429 with this Retry-After (seconds, or an HTTP date). */
  rateLimitNext(retryAfter: number | string, times?: number): void;
  /** The next request is answered only after `ms`. */
  delayNext(ms: number): void;
  /** Connections are cut without an answer until `comeBack`. */
  goDown(): void;
  comeBack(): void;
  /** The credential the PMS accepts from now on (bearer token, API key, or OAuth2 client secret). */
  setToken(token: string): void;
  /** OAuth2: every issued access token stops working (as after a key rotation at the PMS). */
  revokeTokens(): void;
  /** OAuth2: access tokens issued so far. */
  tokensIssued(): number;
}

export interface RestPmsSimulator {
  /** The API root to configure as `baseUrl` (`http://127.0.0.1:<port>/api/`). */
  url: string;
  stop(): Promise<void>;
  /** Requests received so far, failed ones included. */
  requestCount(): number;
  admin: RestPmsAdmin;
}

const LIVE = new Set(['CONFIRMED', 'OPTION']);
const MAX_NIGHTS = 31;

interface Entry { record: Record<string, unknown>; modifiedMs: number; seq: number }

/** The room lines of a stored record (a malformed one has none). */
function linesOf(r: Record<string, unknown>): Array<{ roomType: string; rooms: number }> {
  if (Array.isArray(r.lines)) return r.lines as Array<{ roomType: string; rooms: number }>;
  return typeof r.roomType === 'string' ? [{ roomType: r.roomType, rooms: Number(r.rooms ?? 1) }] : [];
}

export async function startRestPmsSimulator(opts: RestPmsSimulatorOptions): Promise<RestPmsSimulator> {
  const auth = startAuth(opts.auth ?? { kind: 'bearer' }, opts.token);
  const pageSize = opts.pageSize ?? 50;
  const inventory = new Map(Object.entries(opts.seed?.roomTypes ?? { DBL: 12, SGL: 8, STE: 2 }));
  const stopSell = new Set<string>();
  const entries = new Map<string, Entry>();
  const faults: Array<{ status: number; headers?: Record<string, string> }> = [];
  let delay = 0;
  let down = false;
  let requests = 0;
  let nextId = 1001;
  let seq = 0;
  let lastMs = 0;
  /** Strictly increasing: two changes never share a `modified`, so `updatedSince` loses nothing. */
  const tick = () => (lastMs = Math.max(Date.now(), lastMs + 1));

  const touch = (record: Record<string, unknown>, created: boolean) => {
    const ms = tick();
    const iso = new Date(ms).toISOString();
    if (created && record.created === undefined) record.created = iso;
    record.modified = iso;
    entries.set(String(record.id), { record, modifiedMs: ms, seq: seq++ });
    return record;
  };
  const get = (id: string): SimBooking => {
    const e = entries.get(id);
    if (!e) throw new HttpError(404, `no booking ${id}`);
    return e.record as unknown as SimBooking;
  };
  /** Rooms of a type free that night; `except` leaves one booking out (its own change). */
  const free = (roomType: string, date: string, except?: string): number => {
    if (stopSell.has(`${roomType}|${date}`)) return 0;
    let used = 0;
    for (const { record: r } of entries.values()) {
      if (r.id === except || !LIVE.has(String(r.state)) || typeof r.arrival !== 'string' || typeof r.departure !== 'string'
        || !(r.arrival <= date && date < r.departure)) continue;
      for (const line of linesOf(r)) if (line.roomType === roomType) used += line.rooms;
    }
    return Math.max(0, (inventory.get(roomType) ?? 0) - used);
  };
  /** 409 unless every line fits every night (the PMS's own overbooking check). */
  const checkFree = (lines: Array<{ roomType: string; rooms: number }>, arrival: string, departure: string, except?: string) => {
    for (const line of lines) {
      if (!inventory.has(line.roomType)) throw new HttpError(400, `no room type ${JSON.stringify(line.roomType)}`);
      if (!Number.isInteger(line.rooms) || line.rooms < 1) throw new HttpError(400, 'rooms must be a whole number of 1 or more');
      for (const night of nightsOf(arrival, departure)) {
        if (free(line.roomType, night, except) < line.rooms) throw new HttpError(409, `${line.roomType} is sold out on ${night}`);
      }
    }
  };
  const book = (input: SeedBooking): SimBooking => {
    const record: SimBooking = {
      id: input.id ?? `B${nextId++}`, roomType: input.lines?.[0]?.roomType ?? input.roomType, arrival: input.arrival, departure: input.departure,
      state: input.state ?? 'CONFIRMED', externalRef: input.externalRef ?? null, created: '', modified: '',
      rooms: input.lines?.[0]?.rooms ?? input.rooms ?? 1, guest: input.guest ?? null,
      ...(input.lines ? { lines: input.lines } : {}),
    };
    const r = record as unknown as Record<string, unknown>;
    delete r.created;
    return touch(r, true) as unknown as SimBooking;
  };
  for (const b of opts.seed?.bookings ?? []) book(b);
  const state: SimState = {
    inventory, stopSell, pageSize, maxNights: MAX_NIGHTS, free, checkFree, book, get,
    touch: (r) => { touch(r as unknown as Record<string, unknown>, false); },
    changedSince: (since) => [...entries.values()].filter((e) => e.modifiedMs > since)
      .sort((a, b) => a.modifiedMs - b.modifiedMs || a.seq - b.seq).map((e) => e.record),
  };

  const routes = (req: IncomingMessage, url: URL, body: unknown): { status: number; json?: unknown; headers?: Record<string, string> } => {
    const path = url.pathname.replace(/\/+$/, '');
    const q = url.searchParams;
    if (path.startsWith('/api/v2/')) return v2Routes(state, req.method ?? 'GET', url, body);
    if (req.method === 'GET' && path === '/api/availability') {
      const roomType = q.get('roomType') ?? '';
      const from = q.get('from') ?? '';
      const to = q.get('to') ?? '';
      if (!inventory.has(roomType)) throw new HttpError(404, `no room type ${JSON.stringify(roomType)}`);
      if (!isLocalDate(from) || !isLocalDate(to) || to < from) throw new HttpError(400, 'from and to must be dates, from <= to');
      if (daysBetween(from, to) + 1 > MAX_NIGHTS) throw new HttpError(400, `at most ${MAX_NIGHTS} nights per request`);
      const nights = [...nightsOf(from, to), to].map((date) => ({ date, free: free(roomType, date), stopSell: stopSell.has(`${roomType}|${date}`) }));
      return { status: 200, json: { data: { roomType, nights } } };
    }
    if (req.method === 'GET' && path === '/api/bookings') {
      const sinceText = q.get('updatedSince');
      const since = sinceText === null ? Number.NEGATIVE_INFINITY : Date.parse(sinceText);
      if (Number.isNaN(since)) throw new HttpError(400, 'updatedSince must be an ISO date-time');
      const ref = q.get('externalRef');
      const page = Number(q.get('page') ?? '1');
      if (!Number.isInteger(page) || page < 1) throw new HttpError(400, 'page must be 1 or more');
      const all = [...entries.values()]
        .filter((e) => e.modifiedMs > since && (ref === null || e.record.externalRef === ref))
        .sort((a, b) => a.modifiedMs - b.modifiedMs || a.seq - b.seq);
      const slice = all.slice((page - 1) * pageSize, page * pageSize);
      const nextPage = page * pageSize < all.length ? page + 1 : null;
      return { status: 200, json: { data: { bookings: slice.map((e) => e.record), nextPage } } };
    }
    const one = /^\/api\/bookings\/([^/]+)$/.exec(path);
    if (req.method === 'GET' && one) return { status: 200, json: { data: get(decodeURIComponent(one[1]!)) } };
    if (req.method === 'PATCH' && one) {
      // A change in place (the adapter's `modify`): the booking keeps its id and reference.
      const b = get(decodeURIComponent(one[1]!));
      const p = (body ?? {}) as Record<string, unknown>;
      const next = {
        roomType: typeof p.roomType === 'string' ? p.roomType : b.roomType,
        arrival: p.arrival ?? b.arrival, departure: p.departure ?? b.departure,
        rooms: p.rooms === undefined ? b.rooms : Number(p.rooms),
      };
      if (!LIVE.has(b.state)) throw new HttpError(409, `booking ${b.id} is ${b.state}`);
      if (!isLocalDate(next.arrival) || !isLocalDate(next.departure) || next.departure <= next.arrival) throw new HttpError(400, 'arrival and departure must be dates, arrival < departure');
      checkFree([{ roomType: next.roomType, rooms: next.rooms }], next.arrival, next.departure, b.id);
      Object.assign(b, next);
      delete b.lines;
      touch(b as unknown as Record<string, unknown>, false);
      return { status: 200, json: { data: b } };
    }
    if (req.method === 'DELETE' && one) {
      const b = get(decodeURIComponent(one[1]!));
      if (b.state !== 'CANCELLED') { b.state = 'CANCELLED'; touch(b as unknown as Record<string, unknown>, false); }
      return { status: 204 };
    }
    if (req.method === 'POST' && path === '/api/bookings') {
      const b = (body ?? {}) as Record<string, unknown>;
      const roomType = String(b.roomType ?? '');
      const { arrival, departure } = b;
      const rooms = b.rooms === undefined ? 1 : Number(b.rooms);
      if (!isLocalDate(arrival) || !isLocalDate(departure) || departure <= arrival) throw new HttpError(400, 'arrival and departure must be dates, arrival < departure');
      checkFree([{ roomType, rooms }], arrival, departure);
      const created = book({
        roomType, arrival, departure, rooms,
        externalRef: typeof b.externalRef === 'string' ? b.externalRef : null,
        guest: typeof b.guest === 'string' ? b.guest : null,
      });
      return { status: 201, json: { data: created } };
    }
    throw new HttpError(404, `no route ${req.method} ${path}`);
  };

  const send = (res: ServerResponse, status: number, json?: unknown, headers: Record<string, string> = {}) => {
    const text = json === undefined ? '' : JSON.stringify(json);
    res.writeHead(status, { ...(text ? { 'Content-Type': 'application/json' } : {}), ...headers });
    res.end(text);
  };

  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    requests += 1;
    if (down) { req.socket.destroy(); return; }
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const wait = delay;
      delay = 0;
      setTimeout(() => {
        if (res.destroyed) return;
        const fault = faults.shift();
        if (fault) { send(res, fault.status, { error: `injected ${fault.status}` }, fault.headers); return; }
        try {
          const url = new URL(req.url ?? '/', `http://${req.headers.host ?? 'pms.local'}`);
          const text = Buffer.concat(chunks).toString('utf8');
          const token = auth.tokenEndpoint(req, url, text);
          if (token) { send(res, token.status, token.json); return; }
          if (!auth.accepts(req, url)) { send(res, 401, { error: 'invalid token' }); return; }
          let body: unknown;
          if (text !== '') {
            try { body = JSON.parse(text); } catch { throw new HttpError(400, 'body is not JSON'); }
          }
          const out = routes(req, url, body);
          send(res, out.status, out.json, out.headers);
        } catch (err) {
          if (err instanceof HttpError) send(res, err.status, { error: err.message });
          else send(res, 500, { error: 'internal error' });
        }
      }, wait);
    });
  });
  server.on('connection', (s) => { sockets.add(s); s.on('close', () => sockets.delete(s)); });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  const admin: RestPmsAdmin = {
    createBooking: (input) => ({ ...book(input) }),
    cancelBooking: (id) => {
      const b = get(id);
      b.state = 'CANCELLED';
      touch(b as unknown as Record<string, unknown>, false);
      return { ...b };
    },
    updateBooking: (id, patch) => {
      const b = get(id);
      Object.assign(b, patch);
      touch(b as unknown as Record<string, unknown>, false);
      return { ...b };
    },
    insertRaw: (record) => {
      // Kept as given (not even an id added) but listed as changed now.
      const key = record.id === undefined || record.id === null ? `raw-${seq}` : String(record.id);
      entries.set(key, { record: { ...record }, modifiedMs: tick(), seq: seq++ });
    },
    bookings: () => [...entries.values()].map((e) => ({ ...(e.record as unknown as SimBooking) })),
    free,
    setInventory: (roomType, rooms) => { inventory.set(roomType, rooms); },
    setStopSell: (roomType, date, closed = true) => {
      if (closed) stopSell.add(`${roomType}|${date}`);
      else stopSell.delete(`${roomType}|${date}`);
    },
    failNext: (status = 500, times = 1) => { for (let i = 0; i < times; i++) faults.push({ status }); },
    rateLimitNext: (retryAfter, times = 1) => {
      for (let i = 0; i < times; i++) faults.push({ status: 429, headers: { 'Retry-After': String(retryAfter) } });
    },
    delayNext: (ms) => { delay = ms; },
    goDown: () => { down = true; },
    comeBack: () => { down = false; },
    setToken: (t) => auth.setSecret(t),
    revokeTokens: () => auth.revoke(),
    tokensIssued: () => auth.issued(),
  };

  return {
    url: `http://127.0.0.1:${port}/api/`,
    requestCount: () => requests,
    admin,
    stop: () => new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    }),
  };
}
