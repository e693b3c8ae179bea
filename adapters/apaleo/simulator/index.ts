// Long because it is one vendor's whole HTTP surface in one router; its parts live beside it.
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { randomBytes } from 'node:crypto';
import { addDays, daysBetween, isLocalDate, nightsOf } from '../../../src/domain/index.js';
import { rateRange } from './rate-range.js';
import { SimState } from './state.js';
import { SimWebhooks, type ApaleoDelivery } from './webhooks.js';
import type { ApaleoSeed, ReservationStatus, SimReservation } from './state.js';

export type { ApaleoSeed } from './state.js';

/**
 * A local stand-in for apaleo (node:http), following its public API: the identity server's
 * client-credentials token endpoint, Inventory (property, unit groups), Availability
 * (`/availability/v1/unit-groups`), Rate Plan rates (the `closed` restriction) and Booking
 * (reservations list with filters and pages, `POST /bookings`, the cancel action). Every API call
 * needs a Bearer token. Faults are injected through `admin`. The Webhook API (`/v1/subscriptions`,
 * served on the same host here) is in webhooks.ts; reservation changes are its events.
 *
 * Long because it is one vendor's whole HTTP surface in one router; its parts (state, rate ranges,
 * webhooks) live beside it.
 */
export interface ApaleoSimulatorOptions {
  port?: number;
  clientId: string;
  clientSecret: string;
  seed?: ApaleoSeed;
}

interface SimRequest { method: string; path: string; query: Record<string, string> }

export interface ApaleoSimulator {
  /** API base, like https://api.apaleo.com. */
  url: string;
  /** Token endpoint, like https://identity.apaleo.com/connect/token. */
  tokenUrl: string;
  stop(): Promise<void>;
  /** HTTP requests served (token and API; the admin API is in-process and not counted). */
  requestCount(): number;
  admin: ApaleoSimulatorAdmin;
}

interface FrontDeskReservation {
  unitGroupId: string;
  arrival: string;
  departure: string;
  ratePlanId?: string;
  externalCode?: string;
  channelCode?: string;
  status?: ReservationStatus;
  /** Book even when sold out or closed (apaleo's `$force`). */
  force?: boolean;
}

interface ApaleoSimulatorAdmin {
  state: SimState;
  /** A booking made at the front desk (not through the API): returns the reservation. */
  createReservation(r: FrontDeskReservation): SimReservation;
  cancelReservation(id: string): void;
  /** The front desk moves a stay to new dates (local dates; availability is not checked). */
  moveReservation(id: string, arrival: string, departure: string): void;
  setStatus(id: string, status: ReservationStatus): void;
  /** Stop-sell: closes (or reopens) a rate plan on a night. */
  setClosed(ratePlanId: string, date: string, closed?: boolean): void;
  setUnitCount(unitGroupId: string, count: number): void;
  /** The next `n` API calls answer `status` (429 with Retry-After: `retryAfterSeconds`, default 2). */
  failNext(n: number, status: number, opts?: { retryAfterSeconds?: number; token?: boolean }): void;
  /** Connections are dropped without an answer until comeBack(). */
  goDown(): void;
  comeBack(): void;
  /** Invalidates every issued access token (the next call answers 401). */
  revokeTokens(): void;
  reservations(): SimReservation[];
  /** Webhook subscriptions and the events sent to them. */
  webhooks: { list(): Array<{ id: string; endpointUrl: string; events: string[] }>; deliveries(): ApaleoDelivery[] };
  /** API requests seen, in order (for asserting pages and chunks). */
  requests(): SimRequest[];
  tokensIssued(): number;
}

const MAX_PAGE_SIZE = 200;

export async function startApaleoSimulator(opts: ApaleoSimulatorOptions): Promise<ApaleoSimulator> {
  const state = new SimState(opts.seed);
  const hooks = new SimWebhooks(opts.seed?.propertyId ?? 'ACCOUNT');
  const changed = (r: SimReservation, type: string) => hooks.emit('Reservation', type, r.propertyId, r.id);
  const ttl = opts.seed?.tokenTtlSeconds ?? 3600;
  const tokens = new Map<string, number>();
  const idempotency = new Map<string, { fingerprint: string; status: number; body: unknown }>();
  const log: SimRequest[] = [];
  const sockets = new Set<Socket>();
  let served = 0;
  let issued = 0;
  let down = false;
  let faults: { left: number; status: number; retryAfter: number; token: boolean } | null = null;

  const send = (res: ServerResponse, status: number, body?: unknown, headers: Record<string, string> = {}) => {
    if (body === undefined) { res.writeHead(status, headers); res.end(); return; }
    res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', ...headers });
    res.end(JSON.stringify(body));
  };
  const problem = (res: ServerResponse, status: number, ...messages: string[]) => send(res, status, { messages });

  const takeFault = (isToken: boolean) => {
    if (!faults || faults.left <= 0 || (isToken && !faults.token)) return null;
    faults.left--;
    const f = faults;
    if (f.left === 0) faults = null;
    return f;
  };

  const server = createServer((req, res) => {
    served++;
    if (down) { req.socket.destroy(); return; }
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      try {
        handle(req, res, Buffer.concat(chunks).toString('utf8'));
      } catch (err) {
        problem(res, 500, `simulator: ${(err as Error).message}`);
      }
    });
  });
  server.on('connection', (s: Socket) => { sockets.add(s); s.on('close', () => sockets.delete(s)); });

  function handle(req: IncomingMessage, res: ServerResponse, raw: string) {
    const url = new URL(req.url ?? '/', 'http://sim');
    const query = Object.fromEntries(url.searchParams);
    const method = req.method ?? 'GET';
    const path = url.pathname;
    log.push({ method, path, query });

    if (path === '/connect/token' && method === 'POST') {
      const f = takeFault(true);
      if (f) return fail(res, f);
      return token(req, res, raw);
    }
    const fault = takeFault(false);
    if (fault) return fail(res, fault);
    const auth = req.headers.authorization ?? '';
    const bearer = /^Bearer (.+)$/.exec(auth)?.[1];
    const expires = bearer ? tokens.get(bearer) : undefined;
    if (expires === undefined || expires <= Date.now()) {
      return send(res, 401, undefined, { 'WWW-Authenticate': 'Bearer error="invalid_token"' });
    }

    let m: RegExpExecArray | null;
    if (path === '/v1/subscriptions' && method === 'POST') {
      void hooks.create(raw.trim() === '' ? undefined : JSON.parse(raw)).then((a) => send(res, a.status, a.body));
      return;
    }
    if (path === '/v1/subscriptions' && method === 'GET') return send(res, 200, hooks.list());
    if (method === 'DELETE' && (m = /^\/v1\/subscriptions\/([^/]+)$/.exec(path))) return send(res, hooks.remove(decodeURIComponent(m[1]!)) ? 204 : 404);
    if (method === 'GET' && (m = /^\/inventory\/v1\/properties\/([^/]+)$/.exec(path))) return property(res, decodeURIComponent(m[1]!));
    if (method === 'GET' && path === '/inventory/v1/unit-groups') return unitGroups(res, query);
    if (method === 'GET' && path === '/availability/v1/unit-groups') return availability(res, query);
    if (method === 'GET' && (m = /^\/rateplan\/v1\/rate-plans\/([^/]+)\/rates$/.exec(path))) return rates(res, decodeURIComponent(m[1]!), query);
    if (method === 'GET' && path === '/booking/v1/reservations') return listReservations(res, query);
    if (method === 'GET' && (m = /^\/booking\/v1\/reservations\/([^/]+)$/.exec(path))) {
      const r = state.reservations.get(decodeURIComponent(m[1]!));
      return r ? send(res, 200, state.reservationModel(r)) : problem(res, 404, 'Reservation not found');
    }
    if (method === 'POST' && path === '/booking/v1/bookings') return createBooking(req, res, raw);
    if (method === 'PUT' && (m = /^\/booking\/v1\/reservation-actions\/([^/]+)\/cancel$/.exec(path))) return cancel(res, decodeURIComponent(m[1]!));
    return problem(res, 404, `No route ${method} ${path}`);
  }

  function fail(res: ServerResponse, f: { status: number; retryAfter: number }) {
    const headers: Record<string, string> = f.status === 429 ? { 'Retry-After': String(f.retryAfter) } : {};
    return send(res, f.status, { messages: [`simulated HTTP ${f.status}`] }, headers);
  }

  function token(req: IncomingMessage, res: ServerResponse, raw: string) {
    const form = new URLSearchParams(raw);
    let id = form.get('client_id');
    let secret = form.get('client_secret');
    const basic = /^Basic (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (basic) {
      const decoded = Buffer.from(basic, 'base64').toString('utf8');
      const i = decoded.indexOf(':');
      const dec = (s: string) => decodeURIComponent(s.replace(/\+/g, ' '));
      id = dec(decoded.slice(0, i));
      secret = dec(decoded.slice(i + 1));
    }
    if (form.get('grant_type') !== 'client_credentials') return send(res, 400, { error: 'unsupported_grant_type' });
    if (id !== opts.clientId || secret !== opts.clientSecret) return send(res, 400, { error: 'invalid_client' });
    const value = randomBytes(24).toString('base64url');
    tokens.set(value, Date.now() + ttl * 1000);
    issued++;
    return send(res, 200, { access_token: value, expires_in: ttl, token_type: 'Bearer', scope: 'availability.read reservations.manage setup.read rates.read' });
  }

  function property(res: ServerResponse, id: string) {
    if (id !== state.propertyId) return problem(res, 404, `Property ${id} not found`);
    return send(res, 200, { id: state.propertyId, code: state.propertyId, name: `Hotel ${state.propertyId}`, timeZone: state.timeZone, currencyCode: 'EUR', status: 'Live' });
  }

  function unitGroups(res: ServerResponse, q: Record<string, string>) {
    const groups = [...state.unitGroups.values()].filter(() => !q.propertyId || q.propertyId === state.propertyId)
      .map((g) => ({ id: g.id, code: g.id.replace(/^.*-/, ''), name: g.name, memberCount: g.count, maxPersons: 2, type: 'BedRoom', property: { id: state.propertyId } }));
    return page(res, q, 'unitGroups', groups);
  }

  /** Pages a list like apaleo: 1-based, `count` is the total, an empty page is 204. */
  function page(res: ServerResponse, q: Record<string, string>, key: string, items: unknown[]) {
    const size = q.pageSize ? Number(q.pageSize) : 0;
    if (size > MAX_PAGE_SIZE) return problem(res, 400, `pageSize must be at most ${MAX_PAGE_SIZE}`);
    const number = q.pageNumber && Number(q.pageNumber) > 0 ? Number(q.pageNumber) : 1;
    const slice = size > 0 ? items.slice((number - 1) * size, number * size) : items;
    if (slice.length === 0) return send(res, 204);
    return send(res, 200, { [key]: slice, count: items.length });
  }

  function dateRange(res: ServerResponse, q: Record<string, string>, maxDays = 800): string[] | null {
    if (!isLocalDate(q.from) || !isLocalDate(q.to)) { problem(res, 400, "'from' and 'to' must be dates (yyyy-mm-dd)"); return null; }
    if (q.to < q.from) { problem(res, 400, "'to' must not be before 'from'"); return null; }
    if (daysBetween(q.from, q.to) > maxDays) { problem(res, 400, `at most ${maxDays} days per request`); return null; }
    return nightsOf(q.from, addDays(q.to, 1));
  }

  function availability(res: ServerResponse, q: Record<string, string>) {
    if (!q.propertyId) return problem(res, 400, "'propertyId' is required");
    if (q.propertyId !== state.propertyId) return problem(res, 404, `Property ${q.propertyId} not found`);
    const dates = dateRange(res, q);
    if (!dates) return;
    const ids = q.unitGroupIds ? q.unitGroupIds.split(',') : null;
    return page(res, q, 'timeSlices', dates.map((d) => state.sliceModel(d, ids)));
  }

  function rates(res: ServerResponse, id: string, q: Record<string, string>) {
    if (!state.ratePlans.has(id)) return problem(res, 404, `Rate plan ${id} not found`);
    // `to` is exclusive here, unlike the availability endpoint's (see rate-range.ts for the source).
    const range = rateRange(q, state.timeZone, 800);
    if (typeof range === 'string') return problem(res, 400, range);
    const dates = range.candidates.filter((d) => {
      const at = Date.parse(state.localIso(d, state.checkInTime));
      return at >= range.fromMs && at < range.toMs;
    });
    return page(res, q, 'rates', dates.map((d) => ({
      from: state.localIso(d, state.checkInTime), to: state.localIso(addDays(d, 1), state.checkOutTime),
      price: { amount: 100, currency: 'EUR' },
      restrictions: { minLengthOfStay: 1, closed: state.isClosed(id, d), closedOnArrival: false, closedOnDeparture: false },
    })));
  }

  function listReservations(res: ServerResponse, q: Record<string, string>) {
    const list = (k: string) => (q[k] ? q[k].split(',').map((s) => s.trim()).filter(Boolean) : null);
    const properties = list('propertyIds');
    const groups = list('unitGroupIds');
    const statuses = list('status');
    const from = q.from ? Date.parse(q.from) : null;
    const to = q.to ? Date.parse(q.to) : null;
    if ((q.from && Number.isNaN(from)) || (q.to && Number.isNaN(to))) return problem(res, 400, "'from' and 'to' must be ISO 8601 date-times");
    if (q.dateFilter && from === null && to === null) return problem(res, 400, "with 'dateFilter', at least one of 'from' and 'to' is required");
    if (from !== null && to !== null && !(to > from)) return problem(res, 400, "'to' must be larger than 'from'");
    const within = (t: number) => (from === null || t >= from) && (to === null || t < to);
    let items = [...state.reservations.values()].filter((r) => (!properties || properties.includes(r.propertyId))
      && (!groups || groups.includes(r.unitGroupId)) && (!statuses || statuses.includes(r.status))
      && (!q.externalCode || (r.externalCode ?? '').startsWith(q.externalCode)));
    if (q.dateFilter || from !== null || to !== null) {
      const arrival = (r: SimReservation) => Date.parse(state.localIso(r.arrivalDate, state.checkInTime));
      const departure = (r: SimReservation) => Date.parse(state.localIso(r.departureDate, state.checkOutTime));
      switch (q.dateFilter ?? 'Arrival') {
        case 'Stay': items = items.filter((r) => (to === null || arrival(r) < to) && (from === null || departure(r) > from)); break;
        case 'Modification': items = items.filter((r) => within(r.modified)); break;
        case 'Creation': items = items.filter((r) => within(r.created)); break;
        case 'Arrival': items = items.filter((r) => within(arrival(r))); break;
        case 'Departure': items = items.filter((r) => within(departure(r))); break;
        default: return problem(res, 400, `unsupported dateFilter ${q.dateFilter}`);
      }
    }
    const sort = (q.sort ?? 'created:asc').split(',')[0]!;
    const [field, dir] = sort.split(':') as [string, string | undefined];
    const keyOf = (r: SimReservation): number | string => field === 'updated' ? r.modified : field === 'arrival' ? r.arrivalDate : field === 'id' ? r.id : r.created;
    items.sort((a, b) => {
      const [x, y] = [keyOf(a), keyOf(b)];
      const c = x < y ? -1 : x > y ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
      return dir === 'desc' ? -c : c;
    });
    return page(res, q, 'reservations', items.map((r) => state.reservationModel(r)));
  }

  function createBooking(req: IncomingMessage, res: ServerResponse, raw: string) {
    const key = typeof req.headers['idempotency-key'] === 'string' ? req.headers['idempotency-key'] : null;
    if (key) {
      const prior = idempotency.get(key);
      if (prior) {
        if (prior.fingerprint !== raw) return problem(res, 422, 'Idempotency-Key was used with a different request');
        return send(res, prior.status, prior.body);
      }
    }
    let body: { reservations?: Array<Record<string, unknown>> };
    try { body = JSON.parse(raw) as typeof body; } catch { return problem(res, 400, 'invalid JSON'); }
    const rs = body.reservations;
    if (!Array.isArray(rs) || rs.length === 0) return problem(res, 422, 'reservations: at least one reservation is required');
    const messages: string[] = [];
    const items = rs.map((r, i) => {
      const arrival = String(r.arrival ?? '').slice(0, 10);
      const departure = String(r.departure ?? '').slice(0, 10);
      const slices = Array.isArray(r.timeSlices) ? r.timeSlices as Array<{ ratePlanId?: unknown }> : [];
      const ratePlanId = String(slices[0]?.ratePlanId ?? '');
      if (!isLocalDate(arrival) || !isLocalDate(departure)) messages.push(`reservations[${i}]: arrival and departure are required`);
      else if (slices.length !== nightsOf(arrival, departure).length) messages.push(`reservations[${i}].timeSlices: one per night is required`);
      if (!(Number(r.adults) >= 1)) messages.push(`reservations[${i}].adults: at least 1`);
      if (typeof r.channelCode !== 'string' || !r.channelCode) messages.push(`reservations[${i}].channelCode is required`);
      if (slices.some((s) => s.ratePlanId !== ratePlanId)) messages.push(`reservations[${i}].timeSlices: one rate plan per reservation in this simulator`);
      const plan = state.ratePlans.get(ratePlanId);
      if (!plan) messages.push(`reservations[${i}]: rate plan ${ratePlanId || '(none)'} does not exist`);
      else if (plan.minGuaranteeType && typeof r.guaranteeType !== 'string') {
        messages.push(`reservations[${i}].guaranteeType: rate plan ${ratePlanId} requires at least ${plan.minGuaranteeType}`);
      }
      const guest = r.primaryGuest as { lastName?: unknown } | undefined;
      return {
        unitGroupId: plan?.unitGroupId ?? '', ratePlanId, arrivalDate: arrival, departureDate: departure,
        channelCode: String(r.channelCode ?? ''), adults: Number(r.adults ?? 1),
        ...(typeof r.externalCode === 'string' ? { externalCode: r.externalCode } : {}),
        ...(typeof guest?.lastName === 'string' ? { guestLastName: guest.lastName } : {}),
      };
    });
    if (messages.length) return problem(res, 422, ...messages);
    const result = state.createBooking(items);
    if (!result.ok) return problem(res, 422, ...result.messages);
    for (const r of result.reservations) changed(r, 'created');
    const answer = { id: result.bookingId, reservationIds: result.reservations.map((r) => ({ id: r.id })) };
    if (key) idempotency.set(key, { fingerprint: raw, status: 201, body: answer });
    return send(res, 201, answer, { Location: `/booking/v1/bookings/${result.bookingId}` });
  }

  function cancel(res: ServerResponse, id: string) {
    const r = state.reservations.get(id);
    if (!r) return problem(res, 404, `Reservation ${id} not found`);
    if (r.status !== 'Confirmed') return problem(res, 422, `Reservation ${id} is ${r.status} and cannot be canceled`);
    r.status = 'Canceled';
    r.modified = state.now();
    changed(r, 'canceled');
    return send(res, 204);
  }

  const admin: ApaleoSimulatorAdmin = {
    state,
    createReservation(r) {
      const ratePlanId = r.ratePlanId ?? [...state.ratePlans.values()].find((p) => p.unitGroupId === r.unitGroupId)?.id;
      if (!ratePlanId) throw new Error(`no rate plan sells ${r.unitGroupId}`);
      const result = state.createBooking([{
        unitGroupId: r.unitGroupId, ratePlanId, arrivalDate: r.arrival, departureDate: r.departure,
        channelCode: r.channelCode ?? 'Direct', adults: 1, ...(r.externalCode !== undefined ? { externalCode: r.externalCode } : {}),
      }], r.force ?? false);
      if (!result.ok) throw new Error(result.messages.join('; '));
      const created = result.reservations[0]!;
      if (r.status && r.status !== 'Confirmed') created.status = r.status;
      changed(created, 'created');
      return created;
    },
    cancelReservation(id) { admin.setStatus(id, 'Canceled'); },
    moveReservation(id, arrival, departure) {
      const r = state.reservations.get(id);
      if (!r) throw new Error(`no reservation ${id}`);
      if (!(isLocalDate(arrival) && isLocalDate(departure) && arrival < departure)) throw new Error('arrival must be a date before departure');
      r.arrivalDate = arrival;
      r.departureDate = departure;
      r.modified = state.now();
      changed(r, 'amended');
    },
    setStatus(id, status) {
      const r = state.reservations.get(id);
      if (!r) throw new Error(`no reservation ${id}`);
      r.status = status;
      r.modified = state.now();
      changed(r, status === 'Canceled' ? 'canceled' : 'changed');
    },
    setClosed(ratePlanId, date, closed = true) {
      if (closed) state.closed.add(`${ratePlanId}|${date}`);
      else state.closed.delete(`${ratePlanId}|${date}`);
    },
    setUnitCount(unitGroupId, count) {
      const g = state.unitGroups.get(unitGroupId);
      if (!g) throw new Error(`no unit group ${unitGroupId}`);
      g.count = count;
    },
    failNext(n, status, o = {}) { faults = { left: n, status, retryAfter: o.retryAfterSeconds ?? 2, token: o.token ?? false }; },
    goDown() {
      down = true;
      for (const s of sockets) s.destroy();
    },
    comeBack() { down = false; },
    revokeTokens() { tokens.clear(); },
    reservations: () => [...state.reservations.values()],
    webhooks: { list: () => hooks.list(), deliveries: () => hooks.deliveries() },
    requests: () => [...log],
    tokensIssued: () => issued,
  };

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : opts.port ?? 0;
  const base = `http://127.0.0.1:${port}`;
  return {
    url: base,
    tokenUrl: `${base}/connect/token`,
    requestCount: () => served,
    admin,
    stop: () => new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    }),
  };
}
