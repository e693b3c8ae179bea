import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { LocalDate } from '../../../src/domain/types.js';
import type { SimEnterprise, SimReservation } from './model.js';
import { OPERATIONS } from './operations.js';
import { MewsProperty, SimError, type NewStay, type PropertyOptions } from './property.js';
import { SimMewsWebhooks, type MewsDelivery } from './webhooks.js';

/**
 * A Mews Connector API simulator on node:http, for tests and demos: one enterprise with one
 * bookable service (time unit Day, in the property's time zone), room types with room counts, and
 * reservations. POST-only JSON with ClientToken/AccessToken/Client in the body, Mews status codes
 * (400, 401, 403, 429 with Retry-After, 500) and a request limit per AccessToken. Not a product:
 * no rates, prices, customers or resources beyond what availability and reservations need.
 */

export interface MewsSimulatorOptions {
  /** 0 (default) picks a free port on 127.0.0.1. */
  port?: number;
  clientToken: string;
  accessToken: string;
  /** Seeds the generated ids (default 1). */
  seed?: number;
  /** The property's IANA zone; time units start at its local midnight. Default Europe/Berlin. */
  timezone?: string;
  /** Room types; default Double (12 rooms) and Single (5 rooms). Ids are generated unless given. */
  categories?: ReadonlyArray<{ name: string; rooms: number; id?: string }>;
  /** Fixed enterprise, service, rate, age category and customer ids (the demo's config names them). */
  ids?: PropertyOptions['ids'];
  /** The property's clock (CreatedUtc, UpdatedUtc); default Date.now. */
  now?: () => number;
}

interface RateLimit {
  requests: number;
  perMs: number;
}

interface MewsSimulatorAdmin {
  readonly enterprise: Readonly<SimEnterprise>;
  /** The id of the room type called `name`. */
  categoryId(name: string): string;
  /** Books at the front desk (Origin Commander), as the site's staff would. */
  createReservation(stay: NewStay): SimReservation;
  /** Moves dates or room type at the front desk. */
  updateReservation(id: string, change: { checkIn?: LocalDate; checkOut?: LocalDate; categoryId?: string }): void;
  cancelReservation(id: string): void;
  reservations(): SimReservation[];
  /**
   * A restriction set in Mews Operations; conditions default to a stop-sell (`Type: Stay`, all
   * categories, rates and days, open interval) and exceptions to none. Returns its id.
   */
  addRestriction(conditions?: Record<string, unknown>, exceptions?: Record<string, unknown>): string;
  /** What `services/getAvailability` would answer for one room type and local date. */
  availability(categoryId: string, date: LocalDate): number;
  /** A relative availability adjustment (like services/updateAvailability). */
  adjustAvailability(categoryId: string, date: LocalDate, delta: number): void;
  /** The next `n` requests answer `status` (429 carries `Retry-After: retryAfterSeconds`, default 1). */
  failNext(n: number, status?: number, opts?: { retryAfterSeconds?: number }): void;
  /** The request limit per AccessToken (sliding window); null lifts it. Default 200 per 30 s. */
  rateLimit(limit: RateLimit | null): void;
  /**
   * A `reservations/getAll` asking for more than `count` items answers 408 ("heavy request that
   * takes too long to process ... request data in smaller batches", guidelines/responses.md);
   * null (the default) never does.
   */
  timeoutAbove(count: number | null): void;
  /** Every connection is dropped until comeBack(). */
  goDown(): void;
  comeBack(): void;
  /** Operations called so far with their bodies (tokens removed), oldest first. */
  calls(): Array<{ operation: string; body: Record<string, unknown> }>;
  /** General webhooks: the endpoint Mews was asked to use (null: none), and the messages sent. */
  webhooks: { register(url: string | null): void; deliveries(): MewsDelivery[] };
}

export interface MewsSimulator {
  /** Platform address, e.g. `http://127.0.0.1:PORT` (operations live under /api/connector/v1/). */
  url: string;
  stop(): Promise<void>;
  /** HTTP requests received so far, whatever their outcome. */
  requestCount(): number;
  admin: MewsSimulatorAdmin;
}

const PREFIX = '/api/connector/v1/';
/** The documented limit: 200 requests per AccessToken within 30 seconds. */
const DEFAULT_RATE_LIMIT: RateLimit = { requests: 200, perMs: 30_000 };

export async function startMewsSimulator(opts: MewsSimulatorOptions): Promise<MewsSimulator> {
  const property = new MewsProperty({
    timezone: opts.timezone ?? 'Europe/Berlin',
    categories: opts.categories ?? [{ name: 'Double', rooms: 12 }, { name: 'Single', rooms: 5 }],
    seed: opts.seed ?? 1,
    now: opts.now ?? Date.now,
    ...(opts.ids ? { ids: opts.ids } : {}),
  });
  const hooks = new SimMewsWebhooks(property.enterprise.id);
  let requests = 0;
  let down = false;
  let failures: Array<{ status: number; retryAfter: number }> = [];
  let limit: RateLimit | null = DEFAULT_RATE_LIMIT;
  let heavyAbove: number | null = null;
  const recent = new Map<string, number[]>();
  const log: Array<{ operation: string; body: Record<string, unknown> }> = [];
  const sockets = new Set<Socket>();

  const send = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text), ...headers });
    res.end(text);
  };

  /** Sliding window per AccessToken; the wait until the oldest request leaves it, or 0. */
  const overLimit = (token: string): number => {
    if (!limit) return 0;
    const now = Date.now();
    const times = (recent.get(token) ?? []).filter((t) => t > now - limit!.perMs);
    if (times.length >= limit.requests) {
      recent.set(token, times);
      return times[0]! + limit.perMs - now;
    }
    times.push(now);
    recent.set(token, times);
    return 0;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    requests += 1;
    if (down) {
      req.socket.destroy();
      return;
    }
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const failure = failures.shift();
    if (failure) {
      const headers: Record<string, string> = failure.status === 429 ? { 'Retry-After': String(failure.retryAfter) } : {};
      send(res, failure.status, { Message: `Simulated failure (${failure.status}).` }, headers);
      return;
    }
    const path = (req.url ?? '').split('?')[0]!;
    if (req.method !== 'POST') {
      send(res, 405, { Message: 'The API accepts only HTTP POST requests.' }, { Allow: 'POST' });
      return;
    }
    let body: Record<string, unknown>;
    try {
      const parsed: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
      body = parsed as Record<string, unknown>;
    } catch {
      send(res, 400, { Message: 'The request body must be a JSON object.' });
      return;
    }
    if (body.ClientToken !== opts.clientToken || body.AccessToken !== opts.accessToken) {
      send(res, 401, { Message: 'Invalid ClientToken or AccessToken.' });
      return;
    }
    if (typeof body.Client !== 'string' || body.Client === '') {
      send(res, 400, { Message: 'Client is required.' });
      return;
    }
    const wait = overLimit(opts.accessToken);
    if (wait > 0) {
      send(res, 429, { Message: 'Too many requests.' }, { 'Retry-After': String(Math.max(1, Math.ceil(wait / 1000))) });
      return;
    }
    const operation = path.startsWith(PREFIX) ? path.slice(PREFIX.length) : '';
    const op = OPERATIONS[operation];
    if (!op) {
      send(res, 404, { Message: 'Requested resource does not exist.' });
      return;
    }
    const { ClientToken: _c, AccessToken: _a, ...rest } = body;
    log.push({ operation, body: rest });
    const asked = (body.Limitation as { Count?: unknown } | undefined)?.Count;
    if (heavyAbove !== null && operation.startsWith('reservations/getAll') && typeof asked === 'number' && asked > heavyAbove) {
      send(res, 408, { Message: 'The request took too long to process. Request data in smaller batches.' });
      return;
    }
    try {
      const answer = op(property, body);
      send(res, 200, answer);
      // Reservations added or canceled through the API are service order updates too.
      if (operation === 'reservations/add') {
        for (const r of ((answer as { Reservations?: Array<{ Reservation?: { Id?: string } }> }).Reservations ?? [])) if (r.Reservation?.Id) hooks.serviceOrderUpdated(r.Reservation.Id);
      }
      if (operation === 'reservations/cancel') for (const id of (body.ReservationIds as string[] | undefined) ?? []) hooks.serviceOrderUpdated(id);
    } catch (err) {
      if (err instanceof SimError) send(res, err.status, { Message: err.message });
      else send(res, 500, { Message: 'Unexpected error on the simulated Mews side.' });
    }
  };

  const server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) send(res, 500, { Message: 'Unexpected error.' });
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  const admin: MewsSimulatorAdmin = {
    enterprise: property.enterprise,
    categoryId(name) {
      const c = property.enterprise.categories.find((x) => x.name === name);
      if (!c) throw new Error(`no room type called ${name}`);
      return c.id;
    },
    // Front-desk changes are what a webhook reports (changes through the API report too, below).
    createReservation: (stay) => {
      const r = property.addAtFrontDesk(stay);
      hooks.serviceOrderUpdated(r.Id);
      return r;
    },
    updateReservation: (id, change) => { property.update(id, change); hooks.serviceOrderUpdated(id); },
    cancelReservation: (id) => { property.cancel(id); hooks.serviceOrderUpdated(id); },
    reservations: () => property.all().map((r) => ({ ...r })),
    addRestriction: (conditions = {}, exceptions = {}) => property.addRestriction(conditions, exceptions),
    availability: (categoryId, date) => property.availability(categoryId, date),
    adjustAvailability: (categoryId, date, delta) => { property.adjust(categoryId, date, delta); hooks.resourceBlockUpdated(`${categoryId}:${date}`); },
    failNext(n, status = 500, o = {}) {
      failures = [...failures, ...Array.from({ length: n }, () => ({ status, retryAfter: o.retryAfterSeconds ?? 1 }))];
    },
    rateLimit(l) {
      limit = l;
      recent.clear();
    },
    timeoutAbove(count) {
      heavyAbove = count;
    },
    goDown() {
      down = true;
      for (const s of sockets) s.destroy();
    },
    comeBack() {
      down = false;
    },
    calls: () => log.map((c) => ({ ...c })),
    webhooks: { register: (url) => hooks.register(url), deliveries: () => hooks.deliveries() },
  };

  return {
    url: `http://127.0.0.1:${port}`,
    requestCount: () => requests,
    admin,
    stop: () => new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    }),
  };
}

