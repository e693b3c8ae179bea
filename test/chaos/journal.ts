/**
 * What each client of the crash tests was told, written down as it happens, so the invariant
 * checker (invariants.ts) can hold the hub to it after the crashes: a hold acknowledged is a
 * promise, and so is a reservation and a cancellation.
 *
 * Only definitive answers (below 500) count as "told". A dropped connection, a timeout or a 5xx
 * (the hub down, Redis down, the site limited) told the client nothing; it retries with the same
 * Idempotency-Key (or the same hold or reservation id) until it gets a definitive answer.
 */

export interface HoldBody {
  site: string;
  resource: string;
  checkIn: string;
  checkOut: string;
  quantity: number;
  customer: { name: string };
}

/** One definitive answer, reduced to what must stay the same when it is asked again. */
export interface Told {
  status: number;
  /** Problem type of a 4xx. */
  type?: string;
  /** Hold: id, expiresAt, status. Confirm: reservationId, token, status. */
  id?: string;
  expiresAt?: string;
  holdStatus?: string;
  reservationId?: string;
  token?: string;
  replayed: boolean;
}

export interface HoldEntry {
  client: number;
  key: string;
  body: HoldBody;
  /** Every definitive answer to POST /v1/holds with this key, in order (replays included). */
  answers: Told[];
  /** The first 201: the hold this key stands for from then on. */
  held?: Told;
  /** What the client did with the hold last, as acknowledged by the hub. */
  fate?: 'held' | 'released' | 'confirmed';
  /** Every definitive answer to confirming the hold. */
  confirms: Told[];
  reservation?: { id: string; token: string };
  /** The hub answered 200 to DELETE /v1/reservations/{id}. */
  cancelled: boolean;
}

/** Counts for the report: how much was tried, and how much went through a fault. */
export interface JournalStats {
  holdRequests: number;
  confirms: number;
  releases: number;
  cancels: number;
  /** Deliberate repeats of an answered request (Idempotency-Key replays, second confirms). */
  replays: number;
  /** Requests sent again after no definitive answer, by reason (`lost`, `503 store-unavailable`, …). */
  retries: Record<string, number>;
}

export class Journal {
  readonly holds: HoldEntry[] = [];
  readonly stats: JournalStats = { holdRequests: 0, confirms: 0, releases: 0, cancels: 0, replays: 0, retries: {} };

  retried(reason: string): void {
    this.stats.retries[reason] = (this.stats.retries[reason] ?? 0) + 1;
  }

  /** Requests that got no definitive answer at first and were sent again. */
  retriedTotal(): number {
    return Object.values(this.stats.retries).reduce((a, b) => a + b, 0);
  }

  summary(): string {
    const s = this.stats;
    const held = this.holds.filter((h) => h.held).length;
    const reservations = this.holds.filter((h) => h.reservation).length;
    const cancelled = this.holds.filter((h) => h.cancelled).length;
    return `${s.holdRequests} hold requests (${held} held), ${s.confirms} confirms (${reservations} reservations), `
      + `${s.releases} releases, ${s.cancels} cancels (${cancelled} cancelled), ${s.replays} deliberate replays; `
      + `retried without an answer: ${JSON.stringify(s.retries)}`;
  }
}

/** mulberry32: a small seeded PRNG, so a failing run's choices can be run again from its seed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** The seed of this run: `CHAOS_SEED` to repeat one, else a fresh one (printed by the tests). */
export function runSeed(): number {
  const given = Number(process.env.CHAOS_SEED);
  return Number.isInteger(given) && given > 0 ? given : 1 + Math.floor(Math.random() * 2 ** 31);
}
