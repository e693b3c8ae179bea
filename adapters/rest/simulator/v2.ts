import { addDays, daysBetween, isLocalDate, nightsOf } from '../../../src/domain/index.js';
import { HttpError } from './auth.js';

/**
 * The simulated PMS's second dialect under `/api/v2/`, the shapes home-grown APIs often have and
 * the README's second example maps: nested arrays, a length of stay, a booking of several room
 * types, and paging by page number, by offset/limit, by `Link` header and by a next URL in the
 * body (every answer carries all three, so the adapter's config picks one):
 *
 *   GET    /api/v2/availability?from=D&to=D   (all room types, inclusive, ≤ 31 nights)
 *          → { roomTypes: [{ code, nights: [{ date, free, closed }] }] }
 *   GET    /api/v2/bookings?updatedSince=ISO&reference=R&page=N&per_page=L | &offset=O&limit=L
 *          → { bookings: [{ id, status, arrival, nights, reference, created, modified, guest,
 *                           rooms: [{ roomType, count }] }], links: { next: URL | null } }
 *            and `Link: <URL>; rel="next"` (RFC 8288) while there is a next page
 *   POST   /api/v2/bookings { reference, arrival, nights, rooms: [{ roomType, count }], guest? } → 201 { booking }
 *   PATCH  /api/v2/bookings/{id} { arrival?, nights?, rooms? } → 200 { booking }, 409 sold out
 *   DELETE /api/v2/bookings/{id} → 200 { booking } (status cancelled)
 */

interface Line { roomType: string; rooms: number }
interface Booking {
  id: string; roomType: string; arrival: string; departure: string; state: string; externalRef: string | null;
  created: string; modified: string; rooms: number; guest: string | null; lines?: Line[];
}

/** What v2 shares with the simulator's store (index.ts). */
export interface SimState {
  inventory: Map<string, number>;
  stopSell: Set<string>;
  pageSize: number;
  maxNights: number;
  free(roomType: string, date: string, except?: string): number;
  checkFree(lines: Line[], arrival: string, departure: string, except?: string): void;
  book(input: Pick<Booking, 'roomType' | 'arrival' | 'departure'> & Partial<Booking>): Booking;
  get(id: string): Booking;
  touch(b: Booking): void;
  /** Records changed after `since` (ms), oldest change first. */
  changedSince(since: number): Array<Record<string, unknown>>;
}

const LIVE = new Set(['CONFIRMED', 'OPTION']);

function toV2(r: Record<string, unknown>): Record<string, unknown> {
  const lines = Array.isArray(r.lines) ? r.lines as Line[] : [{ roomType: r.roomType, rooms: r.rooms ?? 1 }];
  const stay = typeof r.arrival === 'string' && typeof r.departure === 'string' && isLocalDate(r.arrival) && isLocalDate(r.departure)
    ? daysBetween(r.arrival, r.departure) : null;
  return {
    id: r.id, status: typeof r.state === 'string' ? r.state.toLowerCase() : r.state, arrival: r.arrival, nights: stay,
    reference: r.externalRef ?? null, created: r.created, modified: r.modified, guest: r.guest ?? null,
    rooms: lines.map((l) => ({ roomType: l.roomType, count: l.rooms })),
  };
}

function linesIn(value: unknown): Line[] {
  if (!Array.isArray(value) || value.length === 0) throw new HttpError(400, 'rooms must be a non-empty list of { roomType, count }');
  return value.map((l: { roomType?: unknown; count?: unknown }) => ({ roomType: String(l?.roomType ?? ''), rooms: Number(l?.count ?? 1) }));
}

function stayIn(arrival: unknown, nights: unknown): { arrival: string; departure: string } {
  const n = Number(nights);
  if (!isLocalDate(arrival) || !Number.isInteger(n) || n < 1) throw new HttpError(400, 'arrival must be a date and nights a whole number of 1 or more');
  return { arrival, departure: addDays(arrival, n) };
}

export function v2Routes(s: SimState, method: string, url: URL, body: unknown): { status: number; json?: unknown; headers?: Record<string, string> } {
  const path = url.pathname.replace(/\/+$/, '');
  const q = url.searchParams;
  if (method === 'GET' && path === '/api/v2/availability') {
    const from = q.get('from') ?? '';
    const to = q.get('to') ?? '';
    if (!isLocalDate(from) || !isLocalDate(to) || to < from) throw new HttpError(400, 'from and to must be dates, from <= to');
    if (daysBetween(from, to) + 1 > s.maxNights) throw new HttpError(400, `at most ${s.maxNights} nights per request`);
    const dates = [...nightsOf(from, to), to];
    const roomTypes = [...s.inventory.keys()].map((code) => ({
      code, nights: dates.map((date) => ({ date, free: s.free(code, date), closed: s.stopSell.has(`${code}|${date}`) })),
    }));
    return { status: 200, json: { roomTypes } };
  }
  if (method === 'GET' && path === '/api/v2/bookings') {
    const sinceText = q.get('updatedSince');
    const since = sinceText === null ? Number.NEGATIVE_INFINITY : Date.parse(sinceText);
    if (Number.isNaN(since)) throw new HttpError(400, 'updatedSince must be an ISO date-time');
    const ref = q.get('reference');
    const all = s.changedSince(since).filter((r) => ref === null || r.externalRef === ref);
    const byOffset = q.has('offset');
    const size = Math.min(s.pageSize, Number(q.get(byOffset ? 'limit' : 'per_page') ?? s.pageSize));
    const start = byOffset ? Number(q.get('offset')) : (Number(q.get('page') ?? '1') - 1) * size;
    if (!Number.isInteger(size) || size < 1 || !Number.isInteger(start) || start < 0) throw new HttpError(400, 'page/per_page or offset/limit must be whole numbers');
    const slice = all.slice(start, start + size);
    let next: string | null = null;
    if (start + size < all.length) {
      const n = new URL(url);
      if (byOffset) n.searchParams.set('offset', String(start + size));
      else n.searchParams.set('page', String(start / size + 2));
      next = n.toString();
    }
    return {
      status: 200, json: { bookings: slice.map(toV2), links: { next } },
      ...(next ? { headers: { Link: `<${next}>; rel="next"` } } : {}),
    };
  }
  if (method === 'POST' && path === '/api/v2/bookings') {
    const b = (body ?? {}) as Record<string, unknown>;
    const lines = linesIn(b.rooms);
    const stay = stayIn(b.arrival, b.nights);
    s.checkFree(lines, stay.arrival, stay.departure);
    const made = s.book({
      roomType: lines[0]!.roomType, rooms: lines[0]!.rooms, ...stay, lines,
      externalRef: typeof b.reference === 'string' ? b.reference : null, guest: typeof b.guest === 'string' ? b.guest : null,
    });
    return { status: 201, json: { booking: toV2(made as unknown as Record<string, unknown>) } };
  }
  const one = /^\/api\/v2\/bookings\/([^/]+)$/.exec(path);
  if (one && method === 'PATCH') {
    const b = s.get(decodeURIComponent(one[1]!));
    if (!LIVE.has(b.state)) throw new HttpError(409, `booking ${b.id} is ${b.state.toLowerCase()}`);
    const p = (body ?? {}) as Record<string, unknown>;
    const lines = p.rooms === undefined ? (b.lines ?? [{ roomType: b.roomType, rooms: b.rooms }]) : linesIn(p.rooms);
    const stay = stayIn(p.arrival ?? b.arrival, p.nights ?? daysBetween(b.arrival, b.departure));
    s.checkFree(lines, stay.arrival, stay.departure, b.id);
    Object.assign(b, stay, { lines, roomType: lines[0]!.roomType, rooms: lines[0]!.rooms });
    s.touch(b);
    return { status: 200, json: { booking: toV2(b as unknown as Record<string, unknown>) } };
  }
  if (one && method === 'DELETE') {
    const b = s.get(decodeURIComponent(one[1]!));
    if (b.state !== 'CANCELLED') { b.state = 'CANCELLED'; s.touch(b); }
    return { status: 200, json: { booking: toV2(b as unknown as Record<string, unknown>) } };
  }
  throw new HttpError(404, `no route ${method} ${path}`);
}
