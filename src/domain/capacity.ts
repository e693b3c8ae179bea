import type { Interval, LocalDate } from './types.js';

/**
 * Capacity arithmetic for pools and units. A claim is anything that uses capacity over a UTC
 * interval: a hold item, a hub reservation, a booking reported by a site (buffers already applied
 * by the caller). Quantities are positive integers; claims with quantity <= 0 use nothing.
 */

/** `quantity` units used over `[start, end)` (epoch ms UTC). */
export interface Claim {
  start: number;
  end: number;
  quantity: number;
}

/** A stretch of a window with constant availability. */
export interface AvailabilityPiece {
  start: number;
  end: number;
  available: number;
}

/** Changes of concurrent quantity inside `window`, keyed by instant. */
function deltas(claims: readonly Claim[], window: Interval): Map<number, number> {
  const delta = new Map<number, number>();
  for (const c of claims) {
    if (!(c.quantity > 0)) continue;
    const start = Math.max(c.start, window.start);
    const end = Math.min(c.end, window.end);
    if (!(end > start)) continue;
    delta.set(start, (delta.get(start) ?? 0) + c.quantity);
    delta.set(end, (delta.get(end) ?? 0) - c.quantity);
  }
  return delta;
}

/**
 * The highest total quantity in use at any single instant of `window`. Half-open: a claim ending
 * at `t` and one starting at `t` are never concurrent. 0 for an empty window or no claims.
 */
export function maxConcurrent(claims: readonly Claim[], window: Interval): number {
  const delta = deltas(claims, window);
  let current = 0;
  let max = 0;
  for (const t of [...delta.keys()].sort((a, b) => a - b)) {
    current += delta.get(t) ?? 0;
    if (current > max) max = current;
  }
  return max;
}

/**
 * `window` cut into maximal pieces of constant availability, in order, covering it exactly
 * (adjacent pieces always differ). `available = max(0, capacity - quantity in use)`, and 0 at every
 * instant inside a `blocked` interval (closed hours, notice limits, a site outage). Empty for an
 * empty window.
 */
export function availabilityPieces(
  window: Interval,
  capacity: number,
  claims: readonly Claim[],
  blocked: readonly Interval[],
): AvailabilityPiece[] {
  if (!(window.end > window.start)) return [];
  const use = deltas(claims, window);
  const block = deltas(
    blocked.map((b) => ({ start: b.start, end: b.end, quantity: 1 })),
    window,
  );
  const points = [...new Set([window.start, window.end, ...use.keys(), ...block.keys()])].sort(
    (a, b) => a - b,
  );
  const pieces: AvailabilityPiece[] = [];
  let inUse = 0;
  let blockedDepth = 0;
  for (let k = 0; k < points.length - 1; k++) {
    const start = points[k]!;
    const end = points[k + 1]!;
    inUse += use.get(start) ?? 0;
    blockedDepth += block.get(start) ?? 0;
    const available = blockedDepth > 0 ? 0 : nightAvailability(capacity, inUse);
    const last = pieces[pieces.length - 1];
    if (last !== undefined && last.available === available) last.end = end;
    else pieces.push({ start, end, available });
  }
  return pieces;
}

/** What is left of `capacity` when `used` units are taken, never below 0. */
export function nightAvailability(capacity: number, used: number): number {
  return Math.max(0, capacity - used);
}

/** A night-booked claim: `quantity` units on each of `nights` (local dates). */
export interface NightClaim {
  nights: readonly LocalDate[];
  quantity: number;
}

/** Total quantity used per night over all `claims` (nights nobody claims are absent). */
export function usageByNight(claims: readonly NightClaim[]): Map<LocalDate, number> {
  const usage = new Map<LocalDate, number>();
  for (const c of claims) {
    if (!(c.quantity > 0)) continue;
    for (const night of new Set(c.nights)) usage.set(night, (usage.get(night) ?? 0) + c.quantity);
  }
  return usage;
}
