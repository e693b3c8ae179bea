import type { z } from 'zod';
import type { Interval, LocalDate } from '../../domain/types.js';
import type { OffThread } from './off-thread.js';

/**
 * The adapter port (DESIGN §5): the only surface between the core and an external booking
 * system. Adapters translate; the core owns sync state (cursors, health, Redis). An adapter never
 * touches Redis and never sees another adapter.
 */

/** A resource as the adapter must find it at its source (calendar URL, room type id, ...). */
export interface SourceResource {
  id: string;
  kind: 'unit' | 'pool';
  bookedBy: 'night' | 'time';
  capacity: number;
  /** The adapter-specific mapping from config (e.g. `{ calendar: "/user/hall/" }`). */
  mapping: Readonly<Record<string, unknown>>;
}

export interface SourceSite {
  id: string;
  timezone: string;
  resources: readonly SourceResource[];
}

export interface PullRequest {
  site: SourceSite;
  /** The sync window in UTC; nights are the local dates it covers. */
  window: Interval;
  /** What the previous pull returned; null asks for a full pull of the window. */
  cursor: string | null;
  signal: AbortSignal;
  /**
   * Waits for the credential's quota (a token bucket in Redis shared by every worker). Call it
   * before every request to the source.
   */
  throttle: () => Promise<void>;
  /**
   * Set by a core that keeps the last good data of resources listed in `PullResult.resourceErrors`
   * (also in a `full` answer). Without it, an adapter whose pull covers several resources must fail
   * the whole pull when one resource's source fails: a full answer that leaves a resource out would
   * wipe its busy time.
   */
  partialResults?: boolean;
}

/** A booking as the source has it, already in the hub's terms. */
export interface SourceBooking {
  /** Stable id at the source (event UID + recurrence id, reservation id, ...). */
  externalId: string;
  resource: string;
  span: { by: 'night'; nights: LocalDate[] } | { by: 'time'; start: number; end: number };
  quantity: number;
  status: 'confirmed' | 'tentative' | 'cancelled';
  /** Free (transparent) entries do not take capacity. */
  busy: boolean;
  createdAt?: number;
  updatedAt?: number;
  /** The hub's reservation id when the hub wrote this booking (its reference at the source). */
  hubReference?: string;
  /**
   * What the source calls it (an event's summary), at most 200 characters, for staff. It may name
   * a guest: the hub shows it only to the admin (conflicts), never in availability answers.
   */
  title?: string;
  /** A web page for it at the source (Google's `htmlLink`, an event's `URL`), http(s) only. */
  link?: string;
}

/** For count-only sources (PMS): what the source says is still free per night. */
export interface SourceCount {
  resource: string;
  date: LocalDate;
  available: number;
  /** Closed, stop-sell: nothing may be sold that night whatever the count. */
  closed?: boolean;
}

export interface PullResult {
  /** `full`: the answer replaces everything in the window; `delta`: only these changed. */
  mode: 'full' | 'delta';
  bookings: SourceBooking[];
  /** External ids that disappeared (delta mode). */
  removed: string[];
  counts: SourceCount[];
  cursor: string | null;
  /**
   * Entries the adapter could not read, or read only in part (a recurrence cut at a cap, an
   * unknown rule part, stray lines): skipped, never fatal. `resource` names the hub resource the
   * entry belongs to, where the adapter knows it, so skips can be shown per resource.
   */
  skipped: Array<{ externalId: string; reason: string; resource?: string }>;
  /**
   * Resources whose source (feed, calendar) failed in this pull while the others were read. Only
   * returned when the request set `partialResults`; their last good data must be kept (a `full`
   * answer does not cover them) and the failure shown on the site by resource and origin.
   */
  resourceErrors?: ResourceError[];
}

/** One resource's source failed; `origin` names where (a feed's scheme://host, a calendar path), never a secret. */
export interface ResourceError {
  resource: string;
  origin: string;
  /** The failure's stable code (`ADAPTER.UNAVAILABLE`, ...). */
  code: string;
  message: string;
}

export interface WriteRequest {
  site: SourceSite;
  resource: SourceResource;
  /** Derived from the reservation: the same write retried carries the same key. */
  idempotencyKey: string;
  reservationId: string;
  span: SourceBooking['span'];
  quantity: number;
  customer: Readonly<Record<string, unknown>> | null;
  signal: AbortSignal;
  throttle: () => Promise<void>;
}

/**
 * A subscription at the source that makes it call the hub on changes (a Google channel, an apaleo
 * webhook subscription). The hub keeps it (Redis) to verify notifications, renew and stop it.
 */
export interface PushSubscription {
  id: string;
  /** The source's id of the watched resource (Google's X-Goog-Resource-ID), where it has one. */
  resourceId?: string;
  /** The secret the source echoes with every notification (Google's channel token). */
  token?: string;
  /** When the source ends it by itself (ms since the epoch); absent when it does not. */
  expiresAt?: number;
  /** What is watched (a calendar id, a property), for renewing it. */
  target: string;
}

export interface WatchRequest {
  site: SourceSite;
  /** The hub's URL the source must call (already carrying any URL token the route checks). */
  address: string;
  /** A fresh random secret for sources that echo one (Google channel token); never logged. */
  token: () => string;
  /** The lifetime to ask for (ms); the source may grant less. */
  ttlMs: number;
  /** Only these targets (calendar ids) of the site; all of them when absent. */
  only?: readonly string[];
  signal: AbortSignal;
  throttle: () => Promise<void>;
}

/** A notification as the hub's route received it: headers (lower-case names) and the raw body. */
export interface PushDelivery {
  headers: Readonly<Record<string, string | undefined>>;
  body: string;
}

/**
 * What a notification asks for, once the adapter read it. `poll`: something changed; `heard`: the
 * channel is alive but nothing changed (Google's `sync`, apaleo's health check). `nonce` identifies
 * this message for replay refusal, where the source gives one (a message number, an event id).
 */
export type PushVerdict =
  | { kind: 'poll' | 'heard'; nonce?: string }
  | { kind: 'refused'; reason: 'forged' | 'unknown-channel' | 'malformed'; detail: string };

/** How an adapter kind's source notifies: checking one delivery against what the hub knows. */
export interface PushSupport {
  /**
   * Whether the vendor's subscriptions are made through its API (`watch`), or registered by staff
   * with the vendor (Mews: by e-mail) and only received here.
   */
  subscribes: boolean;
  /**
   * Reads one delivery. URL tokens (apaleo, Mews) are checked by the route before this; channel
   * tokens (Google) are checked here against the live subscriptions. Must not throw.
   */
  verify(delivery: PushDelivery, subscriptions: readonly PushSubscription[]): PushVerdict;
}

export interface SourceAdapter {
  readonly kind: string;
  /** Read-only adapters (an iCal feed) cannot take reservations; centralized groups refuse them. */
  readonly writable: boolean;
  pull(req: PullRequest): Promise<PullResult>;
  /** Creates the booking at the source, or finds the one an earlier attempt created. */
  reserve(req: WriteRequest): Promise<{ externalId: string }>;
  cancel(req: WriteRequest & { externalId: string }): Promise<void>;
  /**
   * Optional: changes the booking behind `externalId` in place to the request's span, quantity
   * and resource (a modified reservation, same site), and returns its external id afterwards.
   * Idempotent: asking again for the same change (a retry after a lost answer) is a success.
   * Returns null when this change cannot be made in place for a reason that holds on every
   * attempt (a quantity the source cannot change): the core then writes a new booking and cancels
   * the old one, as it does for adapters without `modify` (see `writeChange`).
   */
  modify?(req: WriteRequest & { externalId: string }): Promise<{ externalId: string } | null>;
  /** Opens subscriptions at the source for the site's resources (push notifications), where the kind can. */
  watch?(req: WatchRequest): Promise<PushSubscription[]>;
  /** Ends one subscription; one the source no longer knows counts as ended. */
  unwatch?(sub: PushSubscription, req: { signal: AbortSignal; throttle: () => Promise<void> }): Promise<void>;
  close(): Promise<void>;
}

/**
 * What one site's source may make the hub do (issue 14), from the site's `adapter.limits`, else
 * the kind's defaults, else {@link DEFAULT_LIMITS}. Past a limit a pull fails with an
 * AdapterUnavailableError that names it.
 */
export interface AdapterLimits {
  /** One answer's body in bytes, counted while it streams in. */
  maxBytes: number;
  /** One request, body included, in ms. */
  timeoutMs: number;
  /** Items in one answer (events, calendar objects, entries of a page). */
  maxItems: number;
  /** Reading one answer on a worker thread, in ms. */
  parseTimeoutMs: number;
}

export const DEFAULT_LIMITS: Readonly<AdapterLimits> = {
  maxBytes: 20 * 1024 * 1024, timeoutMs: 30_000, maxItems: 10_000, parseTimeoutMs: 15_000,
};

/** What an adapter factory receives: its site's adapter config (already validated) and tools. */
export interface AdapterContext<S = Record<string, unknown>> {
  siteId: string;
  timezone: string;
  /** The site's `adapter:` block without `kind`, parsed by the definition's `settings` schema. */
  settings: S;
  /** Default: the kind's defaults over {@link DEFAULT_LIMITS}. */
  limits?: AdapterLimits;
  /** Where heavy parsing runs; default the process's shared parse pool (adapters/parsing). */
  offThread?: OffThread;
  /** Secrets are resolved from the environment by the config loader; never logged. */
  log: { warn(obj: object, msg: string): void; info(obj: object, msg: string): void };
}

type AdapterFactory<S = Record<string, unknown>> = (ctx: AdapterContext<S>) => SourceAdapter;

/**
 * What an adapter's demo launcher receives (demo and development only, DESIGN §9): the site the
 * simulated system stands in for, with the site's own (validated) adapter settings, so the
 * simulator accepts the same credentials and knows the same room types and calendars.
 */
export interface DemoContext<S = Record<string, unknown>> {
  /** Where the simulator listens, on 127.0.0.1 (the site's adapter settings point there). */
  port: number;
  site: SourceSite;
  settings: S;
  /** A directory the simulator may keep files in (created on demand). */
  dataDir: string;
  log: AdapterContext['log'];
}

/** A running demo simulator. */
export interface DemoSimulator {
  url: string;
  stop(): Promise<void>;
}

/** What the registry knows of one adapter kind. */
export interface AdapterDefinition<S = Record<string, unknown>> {
  kind: string;
  /** Read-only kinds (an iCal feed) cannot take reservations; centralized groups refuse them. */
  writable: boolean;
  /** Strict schema of the `adapter:` block's settings (without `kind`); check-config reports its issues. */
  settings: z.ZodType<S>;
  /** Strict schema of each resource's `source:` mapping at a site on this adapter. */
  source: z.ZodType;
  /**
   * A stable id of the credential, for the shared quota bucket (never the secret itself: hash it).
   * Sites sharing a credential share a bucket. `siteId` is for kinds whose credential is no more
   * than a host (ical-feed): their bucket is per (host, site), so one site's hostile feed cannot
   * spend a neighbour's quota.
   */
  credentialId(settings: S, siteId?: string): string;
  /** Requests allowed per second and burst, by default (the vendor's documented limits). */
  quota: { perSecond: number; burst: number };
  /** This kind's own defaults for the limits a site may set (over {@link DEFAULT_LIMITS}). */
  limits?: Partial<AdapterLimits>;
  create: AdapterFactory<S>;
  /** Push notifications from this kind's source (issue 17); absent when it has none. */
  push?: PushSupport;
  /**
   * Demo and development only: starts a simulated system for one site on `port`, seeded from the
   * site's mapping with a few bookings (the config's `demo.simulators`). Kinds without one are
   * not simulated.
   */
  demo?: (ctx: DemoContext<S>) => Promise<DemoSimulator>;
}
