/** One item as the claiming script sees it: which ledger, how much, and when. */
export interface ClaimItem {
  /** Capacity ledger: a resource, or the shared resource it is a member of. */
  ledger: string;
  by: 'night' | 'time';
  quantity: number;
  capacity: number;
  /** Local dates, for `by: 'night'`. */
  nights?: string[];
  /** UTC ms, for `by: 'time'`. */
  start?: number;
  end?: number;
  bufferBefore: number;
  bufferAfter: number;
  site: string;
  resource: string;
  /** True when the site has its own system the reservation must be written into. */
  writeback: boolean;
}

export type ClaimResult =
  /** `limited`: the sites asked to be reported (ClaimRequest.health.report) that are limited. */
  | { kind: 'ok'; holdId: string; expiresAt: number; now: number; limited: string[] }
  /** Redis' clock (`now`) was outside ClaimRequest.rulesHold: nothing was claimed. */
  | { kind: 'clock'; now: number }
  /** A site of ClaimRequest.health.refuse is limited: nothing was claimed. */
  | { kind: 'site-limited'; site: string }
  | { kind: 'replay'; holdId: string; expiresAt: number; status: string }
  | { kind: 'mismatch'; holdId: string }
  | { kind: 'unavailable'; itemIndex: number; where: string }
  | { kind: 'too-many-holds'; open: number };

export type ConfirmResult =
  | { kind: 'ok' | 'already'; reservationId: string; status: string; token: string }
  | { kind: 'expired' | 'released' | 'missing' };

export interface StoredItem {
  site: string;
  resource: string;
  quantity: number;
  nights?: string[];
  start?: number;
  end?: number;
  /** The site has its own system this item is written into. */
  writeback: boolean;
  /** The item's id at its source, once written. */
  externalId?: string;
  /** After a modification: the old booking at the source, cancelled once the new one is written. */
  previousExternalId?: string;
  /** Bumped by every modification; part of the write-back's idempotency key. */
  version: number;
}

export interface HoldRecord {
  id: string;
  status: string;
  expiresAt: number;
  createdAt: number;
  items: StoredItem[];
  meta: Record<string, unknown>;
  reservationId?: string;
}

export interface ReservationRecord {
  id: string;
  status: string;
  holdId: string;
  items: StoredItem[];
  meta: Record<string, unknown>;
  token: string;
  createdAt: number;
  updatedAt: number;
  externalIds: Record<string, string>;
  error?: string;
  cancelledBy?: string;
}

export type ReadAsk =
  | { ledger: string; by: 'night'; dates: string[] }
  | { ledger: string; by: 'time'; from: number; to: number; bufferBefore: number; bufferAfter: number };

/** Per asked date: units in use, and what a count-only source says is free (null: no count). */
export interface NightRead { used: number[]; source: Array<number | null> }

/** Occupied spans `[start, end, quantity]`, buffers included. */
export type TimeRead = Array<[number, number, number]>;

/** Raw answer of one availability read; `ledgers[i]` answers `asks[i]`. */
export interface RawRead {
  now: number;
  ledgers: Array<NightRead | TimeRead>;
  /** Each ask's ledger version ('<epoch>:<n>'): equal versions mean equal raw reads. */
  versions: string[];
  /** The site health as read: equal strings mean equal health. */
  healthJson: string;
  /** Per asked site: `state` and `lastSuccessAt` when recorded. */
  health: Array<Record<string, string>>;
}
