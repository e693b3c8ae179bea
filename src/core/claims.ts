import { addDays, localDateOf, localMidnight, nightsOf } from '../domain/index.js';
import type { Catalog } from './catalog.js';
import type { SourceBooking } from './adapter/port.js';

/** One source booking as the apply script records it: a claim on a ledger. */
export interface SourceClaim {
  id: string;
  ledger: string;
  by: 'night' | 'time';
  quantity: number;
  nights?: string[];
  start?: number;
  end?: number;
  /** The source's creation and last-modification times (ms), when it tells them (conflict policies). */
  createdAt?: number;
  updatedAt?: number;
}

export interface ClaimPlan {
  upserts: SourceClaim[];
  /** Bookings that free their slot: cancelled, transparent, or the hub's own write-backs. */
  removed: string[];
  skipped: Array<{ externalId: string; reason: string }>;
}

/**
 * Turns an adapter's bookings into ledger claims. A booking that carries the hub's reference is
 * the hub's own reservation written back: its reservation already holds the capacity, so it
 * must not be counted twice (DESIGN §4).
 */
export function toClaims(siteId: string, bookings: readonly SourceBooking[], catalog: Catalog,
  hubReservations: ReadonlySet<string>): ClaimPlan {
  const plan: ClaimPlan = { upserts: [], removed: [], skipped: [] };
  for (const b of bookings) {
    const entry = catalog.entry(siteId, b.resource);
    if (!entry) {
      plan.skipped.push({ externalId: b.externalId, reason: `unknown resource "${b.resource}"` });
      continue;
    }
    const mine = b.hubReference !== undefined && hubReservations.has(b.hubReference);
    if (b.status === 'cancelled' || !b.busy || mine) {
      plan.removed.push(b.externalId);
      continue;
    }
    const quantity = Math.max(1, Math.floor(b.quantity || 1));
    const times = {
      ...(b.createdAt !== undefined && Number.isFinite(b.createdAt) ? { createdAt: b.createdAt } : {}),
      ...(b.updatedAt !== undefined && Number.isFinite(b.updatedAt) ? { updatedAt: b.updatedAt } : {}),
    };
    const tz = entry.site.timezone;
    if (entry.resource.bookedBy === 'night') {
      const nights = b.span.by === 'night'
        ? b.span.nights
        : nightsOrOne(localDateOf(b.span.start, tz), localDateOf(b.span.end, tz));
      if (nights.length === 0) {
        plan.skipped.push({ externalId: b.externalId, reason: 'no nights' });
        continue;
      }
      plan.upserts.push({ id: b.externalId, ledger: entry.ledger, by: 'night', quantity, nights, ...times });
    } else {
      const [start, end] = b.span.by === 'time'
        ? [b.span.start, b.span.end]
        : [localMidnight(b.span.nights[0]!, tz), localMidnight(addDays(b.span.nights[b.span.nights.length - 1]!, 1), tz)];
      if (!(end > start) || !Number.isFinite(start) || !Number.isFinite(end)) {
        plan.skipped.push({ externalId: b.externalId, reason: 'empty or invalid interval' });
        continue;
      }
      plan.upserts.push({ id: b.externalId, ledger: entry.ledger, by: 'time', quantity, start, end, ...times });
    }
  }
  return plan;
}

function nightsOrOne(from: string, to: string): string[] {
  const nights = nightsOf(from, to);
  return nights.length > 0 ? nights : [from];
}
