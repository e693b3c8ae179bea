import { addDays, localMidnight } from '../domain/index.js';
import type { Catalog } from '../core/catalog.js';
import type { AvailabilityStore } from '../store/store.js';
import type { HoldRecord, ReservationRecord, StoredItem } from '../store/types.js';

/** What staff search holds and reservations by (every field optional; all given must match). */
export interface BookingFilter {
  /** Words, each found (case-insensitive) in the guest's details or the booking's ids. */
  q?: string | undefined;
  site?: string | undefined;
  resource?: string | undefined;
  /** Local dates at each item's site: the booking takes something in [from, to). */
  from?: string | undefined;
  to?: string | undefined;
  status?: string | undefined;
  kind?: 'hold' | 'reservation' | undefined;
}

export interface BookingRow {
  kind: 'hold' | 'reservation';
  id: string;
  status: string;
  customer: Record<string, unknown> | null;
  items: Array<{
    site: string; siteName: string; resource: string; resourceName: string; quantity: number;
    checkIn?: string; checkOut?: string; start?: string; end?: string; externalId?: string;
  }>;
  createdAt: string;
  updatedAt: string | null;
  expiresAt: string | null;
  holdId: string | null;
  error: string | null;
}

/** Live holds read per search; more are unusual (each lives for minutes). */
const HOLDS_READ = 2_000;
/** Reservations read per answer before it says where to go on (`next`). */
const SCAN_PER_ANSWER = 5_000;
const BATCH = 500;

/**
 * The admin's list and search of live holds and reservations. Reservations are read newest first
 * from the store's creation index and filtered here; an answer reads at most 5,000 and says where
 * to go on, so a search costs the same whatever the hub's history.
 */
export class BookingSearch {
  private indexed?: Promise<void>;

  constructor(private readonly store: AvailabilityStore, private readonly catalog: Catalog) {}

  async search(filter: BookingFilter, limit: number, cursor = 0): Promise<{ bookings: BookingRow[]; scanned: number; next: number | null }> {
    this.indexed ??= this.store.indexReservationsOnce().catch((err: unknown) => { this.indexed = undefined; throw err; });
    await this.indexed;
    const match = this.matcher(filter);
    const bookings: BookingRow[] = [];
    if (cursor === 0 && filter.kind !== 'reservation' && (!filter.status || filter.status === 'held')) {
      const now = await this.store.now();
      for (const h of await this.store.liveHolds(HOLDS_READ, now)) {
        // liveHolds selects by deadline (after `now`), so every hold here is still live.
        if (match(h, 'held')) bookings.push(this.holdRow(h));
        if (bookings.length >= limit) return { bookings, scanned: 0, next: 0 };
      }
    }
    if (filter.kind === 'hold' || filter.status === 'held') return { bookings, scanned: 0, next: null };
    let at = cursor;
    let scanned = 0;
    while (scanned < SCAN_PER_ANSWER) {
      const batch = await this.store.reservationsNewestFirst(at, BATCH);
      if (batch.length === 0) return { bookings, scanned, next: null };
      for (const [i, r] of batch.entries()) {
        scanned++;
        if (!match(r, r.status)) continue;
        bookings.push(this.reservationRow(r));
        if (bookings.length >= limit) return { bookings, scanned, next: at + i + 1 };
      }
      at += BATCH;
      if (batch.length < BATCH) return { bookings, scanned, next: null };
    }
    return { bookings, scanned, next: at };
  }

  private matcher(f: BookingFilter): (b: HoldRecord | ReservationRecord, status: string) => boolean {
    const words = (f.q ?? '').toLowerCase().split(/\s+/).filter(Boolean);
    return (b, status) => {
      if (f.status && status !== f.status) return false;
      if (f.site && !b.items.some((it) => it.site === f.site)) return false;
      if (f.resource && !b.items.some((it) => it.resource === f.resource && (!f.site || it.site === f.site))) return false;
      if ((f.from || f.to) && !b.items.some((it) => this.within(it, f.from, f.to))) return false;
      if (words.length === 0) return true;
      const text = searchableText(b);
      return words.every((w) => text.includes(w));
    };
  }

  /** Whether the item takes a night or a moment in [from, to) (local dates at its site). */
  private within(it: StoredItem, from: string | undefined, to: string | undefined): boolean {
    if (it.nights && it.nights.length > 0) return it.nights.some((n) => (!from || n >= from) && (!to || n < to));
    const tz = this.catalog.site(it.site)?.timezone ?? 'UTC';
    const lo = from ? localMidnight(from, tz) : -Infinity;
    const hi = to ? localMidnight(to, tz) : Infinity;
    return (it.start ?? 0) < hi && (it.end ?? 0) > lo;
  }

  private items(items: StoredItem[]): BookingRow['items'] {
    return items.map((it) => {
      const entry = this.catalog.entry(it.site, it.resource);
      const base = {
        site: it.site, siteName: entry?.site.name ?? it.site, resource: it.resource, resourceName: entry?.resource.name ?? it.resource,
        quantity: it.quantity, ...(it.externalId ? { externalId: it.externalId } : {}),
      };
      return it.nights && it.nights.length > 0
        ? { ...base, checkIn: it.nights[0]!, checkOut: addDays(it.nights[it.nights.length - 1]!, 1) }
        : { ...base, start: new Date(it.start ?? 0).toISOString(), end: new Date(it.end ?? 0).toISOString() };
    });
  }

  private holdRow(h: HoldRecord): BookingRow {
    return {
      kind: 'hold', id: h.id, status: h.status, customer: customerOf(h.meta), items: this.items(h.items),
      createdAt: new Date(h.createdAt).toISOString(), updatedAt: null, expiresAt: new Date(h.expiresAt).toISOString(),
      holdId: h.id, error: null,
    };
  }

  private reservationRow(r: ReservationRecord): BookingRow {
    return {
      kind: 'reservation', id: r.id, status: r.status, customer: customerOf(r.meta), items: this.items(r.items),
      createdAt: new Date(r.createdAt).toISOString(), updatedAt: new Date(r.updatedAt).toISOString(), expiresAt: null,
      holdId: r.holdId || null, error: r.error ?? null,
    };
  }
}

const customerOf = (meta: Record<string, unknown>) => (meta.customer as Record<string, unknown> | null | undefined) ?? null;

/** Everything a search word may be found in: the guest's details (every field) and the ids. */
function searchableText(b: HoldRecord | ReservationRecord): string {
  const customer = customerOf(b.meta) ?? {};
  const parts = [b.id, ...Object.values(customer).map((v) => (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? String(v) : ''))];
  if ('holdId' in b) parts.push(b.holdId, ...Object.values(b.externalIds));
  for (const it of b.items) if (it.externalId) parts.push(it.externalId);
  return parts.join('\n').toLowerCase();
}
