import { addDays, availabilityPieces, mergeIntervals, nightAvailability } from '../domain/index.js';
import type { Interval, LocalDate } from '../domain/types.js';
import type { SourceClaim } from '../core/claims.js';
import type { NightFigures, TimeClaim } from '../store/conflicts/types.js';

/*
 * What a feed lists, computed from one ledger snapshot by the availability model's own arithmetic
 * (src/domain/capacity.ts; the used count is the one availability-read.lua's night_usage gives),
 * with one change: the claims of the excluded sites (the importer's own bookings) are left out.
 * A night or an instant is busy when fewer units are left than the importer's listing sells
 * (`units`, default 1): a pool of 12 double rooms is busy for a one-room listing only when all 12
 * are taken by others. Rules (opening hours, notice, stays) are
 * not busy time: the importer applies its own.
 */

/** A run of consecutive busy nights: `start` is the first night, `end` the morning after the last. */
export interface NightBlock { start: LocalDate; end: LocalDate }

export interface NightInput {
  figures: NightFigures;
  /** Source claims of the excluded sites on this ledger (night claims; others are ignored). */
  excluded: readonly SourceClaim[];
  capacity: number;
  /** Busy where fewer than this many units are left (the importer's listing sells up to this many). */
  units: number;
  /** The first night listed (the site's today): runs ending on or before it are over. */
  from: LocalDate;
  /** Nights from this date on are not listed (a run starting before it is listed whole). */
  until: LocalDate;
}

/**
 * Maximal runs of busy nights overlapping `[from, until)`. A run is never cut at `from` or
 * `until`, so its first night (which names it, see ics.ts) does not move as the days go by.
 */
export function busyNights(input: NightInput): NightBlock[] {
  const { claimed, sourceFree, reported } = input.figures;
  const excluded = new Map<LocalDate, number>();
  for (const c of input.excluded) {
    if (c.by !== 'night') continue;
    for (const d of new Set(c.nights ?? [])) excluded.set(d, (excluded.get(d) ?? 0) + c.quantity);
  }
  const dates = [...new Set([...Object.keys(claimed), ...Object.keys(sourceFree)])].sort();
  const busy = dates.filter((d) => {
    // As night_usage: hub reservations a count-only source already counts are not subtracted twice.
    const used = (claimed[d] ?? 0) - (reported[d] ?? 0) - (excluded.get(d) ?? 0);
    const capacity = Math.min(input.capacity, sourceFree[d] ?? input.capacity);
    return nightAvailability(capacity, used) < input.units;
  });
  const runs: NightBlock[] = [];
  for (const d of busy) {
    const last = runs[runs.length - 1];
    if (last !== undefined && last.end === d) last.end = addDays(d, 1);
    else runs.push({ start: d, end: addDays(d, 1) });
  }
  return runs.filter((r) => r.end > input.from && r.start < input.until);
}

export interface TimeInput {
  claims: readonly TimeClaim[];
  /** Sites whose claims are left out. */
  exclude: ReadonlySet<string>;
  capacity: number;
  /** Busy where fewer than this many units are left. */
  units: number;
  /** The resource's buffers (ms), applied to every claim as availability-read does. */
  bufferBefore: number;
  bufferAfter: number;
  /** Busy spans ending at or before `window.start`, or starting at or after `window.end`, are left out. */
  window: Interval;
}

/**
 * Maximal busy intervals (nothing left to sell, buffers included) overlapping `window`, not cut
 * at its edges (so a block's start, which names it, stays put while the window moves).
 */
export function busyIntervals(input: TimeInput): Interval[] {
  const spans = input.claims
    .filter((c) => !(c.origin === 'site' && input.exclude.has(c.site)))
    .map((c) => ({ start: c.start - input.bufferBefore, end: c.end + input.bufferAfter, quantity: c.quantity }));
  if (spans.length === 0) return [];
  const all = spans.reduce((w, s) => ({ start: Math.min(w.start, s.start), end: Math.max(w.end, s.end) }), input.window);
  // Pieces next to each other may both be busy with different counts left: one block.
  const busy = mergeIntervals(availabilityPieces(all, input.capacity, spans, [])
    .filter((p) => p.available < input.units).map((p) => ({ start: p.start, end: p.end })));
  return busy.filter((b) => b.end > input.window.start && b.start < input.window.end);
}
