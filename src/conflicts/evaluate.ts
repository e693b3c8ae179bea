import { addDays } from '../domain/index.js';
import type { SourceClaim } from '../core/claims.js';
import type { HubItem, NightFigures, SeenBooking } from '../store/conflicts/index.js';
import type { Origin } from './types.js';

/*
 * Pure arithmetic of conflict detection: which nights or intervals of one ledger carry more
 * bookings than capacity, and who takes part. Holds are not bookings and are left out (a hold that
 * is confirmed into an overbooking shows at the next check). Buffers are left out too: a conflict
 * is two bookings on the same thing at the same time, not one inside another's buffer.
 */

/** A booking taking part in a conflict, with what the policies order by. */
export interface Party {
  ref: string;
  origin: Origin;
  site: string;
  resource: string;
  /** Resources booked by night: units per local date. */
  nights?: Map<string, number>;
  /** Resources booked by time. */
  span?: { start: number; end: number; q: number };
  createdAt: number | null;
  updatedAt: number | null;
  firstSeen: number | null;
  reservationId?: string;
  externalId?: string;
  status?: string;
  /** A site booking's title and link at its source, when the adapter knows them. */
  title?: string;
  link?: string;
}

export interface NightDay {
  date: string;
  /** Units in use, all bookings counted once. */
  total: number;
  /** What they are measured against: capacity, capped by a count-only source's inventory. */
  limit: number;
  /** Units of hub reservations (from the ledger's counts). */
  hub: number;
  /** Units a count-only source sold that it does not list one by one. */
  unlisted: number;
}

export interface NightRun {
  kind: 'night';
  dates: string[];
  days: Map<string, NightDay>;
  excess: number;
}

export interface TimeRun {
  kind: 'time';
  start: number;
  end: number;
  capacity: number;
  excess: number;
}

export type Run = NightRun | TimeRun;

export interface NightInputs {
  capacity: number;
  dates: readonly string[];
  /** The ledger's figures by date, as the store read them. */
  figures: NightFigures;
  /** Live holds' items on this ledger. */
  holds: readonly Pick<HubItem, 'quantity' | 'nights'>[];
  /** Source claims on this ledger (booking-listing sources; they are inside `figures.claimed`). */
  sourceClaims: readonly Pick<SourceClaim, 'quantity' | 'nights'>[];
  /** Bookings of count-only sources on this ledger (not inside `figures.claimed`). */
  counted: readonly Pick<SeenBooking, 'quantity' | 'nights'>[];
}

const qtyOn = (claims: readonly { quantity: number; nights?: string[] | undefined }[], date: string) =>
  claims.reduce((sum, c) => sum + (c.nights?.includes(date) ? c.quantity : 0), 0);

/**
 * Per night: `total = hub reservations + source bookings (+ units a count-only source sold
 * without listing them)`, against the capacity, or where a source reports counts against the
 * source's inventory (the configured capacity only caps what the hub sells). The inventory is what
 * is free plus what the source holds; on a sold-out night (the count says 0, and a count never
 * goes below 0) the last inventory seen stands in.
 * Returns the days over capacity and the inventories to remember.
 */
export function nightDays(inp: NightInputs): { over: NightDay[]; inventory: Record<string, number> } {
  const over: NightDay[] = [];
  const inventory: Record<string, number> = {};
  const f = inp.figures;
  for (const date of inp.dates) {
    const n = f.claimed[date] ?? 0;
    const src = qtyOn(inp.sourceClaims, date);
    const held = qtyOn(inp.holds, date);
    const cnt = qtyOn(inp.counted, date);
    const hub = Math.max(0, n - src - held);
    let limit = inp.capacity;
    let unlisted = 0;
    if (f.sourceFree[date] !== undefined) {
      const free = f.sourceFree[date];
      // Written back but not yet in a polled count: the source most likely counts them already.
      // Either way the inventory is uncertain that night, so it is not remembered then.
      const unreported = f.unreported[date] ?? 0;
      const reported = (f.reported[date] ?? 0) + unreported;
      const remembered = f.inventory[date];
      const inv = free > 0 ? free + cnt + reported : (remembered ?? cnt + reported);
      if (free > 0 && unreported === 0) inventory[date] = inv;
      unlisted = Math.max(0, inv - free - reported - cnt);
      // The source's inventory is what is physically there; the configured capacity only caps what
      // the hub sells (DESIGN §4), so a front desk selling rooms beyond it is no double booking.
      limit = inv;
    }
    const total = hub + src + cnt + unlisted;
    if (total > limit) over.push({ date, total, limit, hub, unlisted });
  }
  return { over, inventory };
}

/** Consecutive nights over capacity, each run one conflict. */
export function nightRuns(over: readonly NightDay[]): NightRun[] {
  const runs: NightRun[] = [];
  let cur: NightRun | null = null;
  for (const day of over) {
    if (cur && addDays(cur.dates[cur.dates.length - 1]!, 1) === day.date) {
      cur.dates.push(day.date);
      cur.days.set(day.date, day);
      cur.excess = Math.max(cur.excess, day.total - day.limit);
    } else {
      cur = { kind: 'night', dates: [day.date], days: new Map([[day.date, day]]), excess: day.total - day.limit };
      runs.push(cur);
    }
  }
  return runs;
}

/** Maximal intervals of [from, to) where the spans' total quantity exceeds `capacity`. */
export function timeRuns(spans: ReadonlyArray<{ start: number; end: number; q: number }>, capacity: number,
  from: number, to: number): TimeRun[] {
  const ev: Array<[number, number]> = [];
  for (const s of spans) {
    const a = Math.max(s.start, from);
    const b = Math.min(s.end, to);
    if (a < b) { ev.push([a, s.q], [b, -s.q]); }
  }
  // Ends before starts at the same instant: spans that only touch do not overlap.
  ev.sort((x, y) => x[0] - y[0] || x[1] - y[1]);
  const runs: TimeRun[] = [];
  let cur = 0;
  let open: TimeRun | null = null;
  for (let i = 0; i < ev.length; i++) {
    const [t, d] = ev[i]!;
    cur += d;
    // Apply every event at this instant before judging it.
    if (i + 1 < ev.length && ev[i + 1]![0] === t) continue;
    if (cur > capacity) {
      open ??= { kind: 'time', start: t, end: t, capacity, excess: 0 };
      open.excess = Math.max(open.excess, cur - capacity);
    } else if (open) {
      open.end = t;
      runs.push(open);
      open = null;
    }
  }
  return runs;
}

/** Highest total quantity at any instant of [from, to). */
function peak(spans: ReadonlyArray<{ start: number; end: number; q: number }>, from: number, to: number): number {
  const ev: Array<[number, number]> = [];
  for (const s of spans) {
    const a = Math.max(s.start, from);
    const b = Math.min(s.end, to);
    if (a < b) ev.push([a, s.q], [b, -s.q]);
  }
  ev.sort((x, y) => x[0] - y[0] || x[1] - y[1]);
  let cur = 0;
  let best = 0;
  for (const [, d] of ev) {
    cur += d;
    best = Math.max(best, cur);
  }
  return best;
}

/** Whether `candidate` still fits among `kept` everywhere in the run. */
export function fits(run: Run, kept: readonly Party[], candidate: Party): boolean {
  if (run.kind === 'night') {
    for (const date of run.dates) {
      const q = candidate.nights?.get(date) ?? 0;
      if (q === 0) continue;
      const used = kept.reduce((sum, p) => sum + (p.nights?.get(date) ?? 0), 0);
      if (used + q > run.days.get(date)!.limit) return false;
    }
    return true;
  }
  if (!candidate.span) return true;
  const spans = [...kept, candidate].flatMap((p) => (p.span ? [p.span] : []));
  return peak(spans, run.start, run.end) <= run.capacity;
}
