/**
 * The hub's domain vocabulary. Instants are UTC milliseconds since the epoch unless a name says
 * otherwise; local dates are ISO `YYYY-MM-DD` strings in the owning site's IANA time zone.
 */

/** Half-open UTC interval `[start, end)` in epoch milliseconds. */
export interface Interval {
  start: number;
  end: number;
}

/** A local calendar date `YYYY-MM-DD` (a hotel night is the date of its evening). */
export type LocalDate = string;

export type ResourceKind = 'unit' | 'pool';
export type BookedBy = 'night' | 'time';

export type Workflow = 'centralized' | 'hybrid' | 'decentralized';
export type ConflictPolicy = 'first-come' | 'last-write-wins' | 'priority' | 'manual';
export type WhenLimited = 'show' | 'hide';

export type Weekday = 'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun';

/** Opening hours per weekday as local `[fromMinute, toMinute)` ranges; a missing day is closed. */
export type OpeningHours = Partial<Record<Weekday, Array<{ from: number; to: number }>>>;

/** Availability rules, all evaluated in the site's time zone. Durations are milliseconds. */
export interface AvailabilityRules {
  openingHours?: OpeningHours;
  bufferBefore?: number;
  bufferAfter?: number;
  minNotice?: number;
  maxAdvance?: number;
  /** Nights for resources booked by night, milliseconds for resources booked by time. */
  minStay?: number;
  maxStay?: number;
}

export type HealthState = 'healthy' | 'degraded' | 'limited';

/** What one hold or reservation item asks for, after validation and time-zone resolution. */
export type ItemSpan =
  | { by: 'night'; checkIn: LocalDate; checkOut: LocalDate; nights: LocalDate[] }
  | { by: 'time'; start: number; end: number };
