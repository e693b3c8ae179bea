import { closedIntervals } from './opening-hours.js';
import { addDays, daysBetween, isLocalDate, localDateOf, localMidnight } from './local-dates.js';
import type { AvailabilityRules, Interval, LocalDate } from './types.js';

export { closedIntervals } from './opening-hours.js';

/**
 * Availability rules checked for one requested span. Buffers are not checked here: they concern
 * other claims, so the store applies them. A missing `minNotice` counts as 0 (nothing may start in
 * the past); a missing `maxAdvance`, `minStay` or `maxStay` is no limit.
 */

type RuleViolationCode =
  | 'outside-opening-hours'
  | 'min-notice'
  | 'max-advance'
  | 'min-stay'
  | 'max-stay'
  | 'invalid-span';

/** Why a span is not bookable; `message` is for people, `code` is stable. */
export interface RuleViolation {
  code: RuleViolationCode;
  message: string;
}

const violation = (code: RuleViolationCode, message: string): RuleViolation => ({ code, message });

/**
 * Checks a time-booked span `[start, end)` (epoch ms UTC) against `rules` in zone `tz` at `now`:
 * a valid span, length within `minStay`/`maxStay` (ms), `start >= now + minNotice`,
 * `start <= now + maxAdvance`, and every instant inside opening hours. Returns the first violation
 * in that order, or `null` when the span is allowed.
 */
export function checkTimeRules(
  rules: AvailabilityRules,
  span: Interval,
  now: number,
  tz: string,
): RuleViolation | null {
  const { start, end } = span;
  if (!Number.isFinite(start) || !Number.isFinite(end) || !(end > start)) {
    return violation('invalid-span', 'the booking must end after it starts');
  }
  const length = end - start;
  if (rules.minStay !== undefined && length < rules.minStay) {
    return violation('min-stay', `the booking is shorter than the minimum of ${minutes(rules.minStay)}`);
  }
  if (rules.maxStay !== undefined && length > rules.maxStay) {
    return violation('max-stay', `the booking is longer than the maximum of ${minutes(rules.maxStay)}`);
  }
  const earliest = now + (rules.minNotice ?? 0);
  if (start < earliest) {
    return violation('min-notice', `the booking must start at or after ${new Date(earliest).toISOString()}`);
  }
  if (rules.maxAdvance !== undefined && start > now + rules.maxAdvance) {
    return violation(
      'max-advance',
      `the booking must start at or before ${new Date(now + rules.maxAdvance).toISOString()}`,
    );
  }
  if (closedIntervals(rules.openingHours, span, tz).length > 0) {
    return violation('outside-opening-hours', 'the booking lies partly or wholly outside opening hours');
  }
  return null;
}

/**
 * Checks a night-booked stay (`checkIn` inclusive, `checkOut` exclusive, local dates in `tz`) at
 * `now`: valid dates with `checkOut > checkIn`, nights within `minStay`/`maxStay` (nights),
 * `checkIn >= localDateOf(now + minNotice)` (so without `minNotice` today is bookable) and
 * `checkIn <= localDateOf(now + maxAdvance)`. Opening hours do not apply to nights.
 */
export function checkNightRules(
  rules: AvailabilityRules,
  checkIn: LocalDate,
  checkOut: LocalDate,
  now: number,
  tz: string,
): RuleViolation | null {
  if (!isLocalDate(checkIn) || !isLocalDate(checkOut)) {
    return violation('invalid-span', 'check-in and check-out must be dates (YYYY-MM-DD)');
  }
  const nights = daysBetween(checkIn, checkOut);
  if (nights <= 0) return violation('invalid-span', 'check-out must be after check-in');
  if (rules.minStay !== undefined && nights < rules.minStay) {
    return violation('min-stay', `the stay must be at least ${rules.minStay} night(s)`);
  }
  if (rules.maxStay !== undefined && nights > rules.maxStay) {
    return violation('max-stay', `the stay must be at most ${rules.maxStay} night(s)`);
  }
  const first = firstBookableDate(rules, now, tz);
  if (checkIn < first) return violation('min-notice', `check-in must be on or after ${first}`);
  const last = lastBookableDate(rules, now, tz);
  if (last !== null && checkIn > last) return violation('max-advance', `check-in must be on or before ${last}`);
  return null;
}

/** The earliest local date a stay may start on: `localDateOf(now + minNotice, tz)`. */
function firstBookableDate(rules: AvailabilityRules, now: number, tz: string): LocalDate {
  return localDateOf(now + (rules.minNotice ?? 0), tz);
}

/** The latest local date a stay may start on, or `null` without `maxAdvance`. */
function lastBookableDate(rules: AvailabilityRules, now: number, tz: string): LocalDate | null {
  return rules.maxAdvance === undefined ? null : localDateOf(now + rules.maxAdvance, tz);
}

/**
 * The parts of `window` (epoch ms UTC) where a booking may not start because of notice limits:
 * before `now + minNotice` (before `now` without `minNotice`) and from `now + maxAdvance` on.
 * Sorted and disjoint. (checkTimeRules still accepts a start of exactly `now + maxAdvance`; the
 * blocked part begins there so that displayed pieces have round boundaries.)
 */
export function blockedByNotice(rules: AvailabilityRules, window: Interval, now: number): Interval[] {
  if (!(window.end > window.start)) return [];
  const blocked: Interval[] = [];
  const earliest = now + (rules.minNotice ?? 0);
  if (earliest > window.start) blocked.push({ start: window.start, end: Math.min(earliest, window.end) });
  if (rules.maxAdvance !== undefined) {
    const latest = now + rules.maxAdvance;
    const from = Math.max(latest, window.start, earliest);
    if (from < window.end) blocked.push({ start: from, end: window.end });
  }
  return blocked;
}

/**
 * Which of `dates` may be booked as nights under `minNotice`/`maxAdvance` at `now` in `tz` (the
 * same test {@link checkNightRules} applies to a check-in date). Stay-length rules are ignored.
 */
export function bookableNights(
  rules: AvailabilityRules,
  dates: readonly LocalDate[],
  now: number,
  tz: string,
): Set<LocalDate> {
  const first = firstBookableDate(rules, now, tz);
  const last = lastBookableDate(rules, now, tz);
  return new Set(dates.filter((d) => d >= first && (last === null || d <= last)));
}

/**
 * The first instant after `now` at which {@link bookableNights} (any dates, `rules`, `tz`) may
 * answer differently than at `now`: the next local midnight after `now + minNotice` (or after
 * `now + maxAdvance`), less the notice. Until then both notice dates stay the same.
 */
export function nightRulesStableUntil(rules: AvailabilityRules, now: number, tz: string): number {
  const next = (shift: number) => localMidnight(addDays(localDateOf(now + shift, tz), 1), tz) - shift;
  const until = next(rules.minNotice ?? 0);
  return rules.maxAdvance === undefined ? until : Math.min(until, next(rules.maxAdvance));
}

/**
 * The first instant after `now` at which {@link blockedByNotice}`(rules, window, ·)` may answer
 * differently than at `now`; Infinity when never. While `now + notice` lies before the window the
 * answer waits for it to enter; while it lies inside, it moves with every millisecond; once past
 * the end, nothing changes any more.
 */
export function noticeStableUntil(rules: AvailabilityRules, window: Interval, now: number): number {
  if (!(window.end > window.start)) return Infinity;
  const edge = (shift: number) => {
    const at = now + shift;
    if (at <= window.start) return window.start - shift + 1;
    return at < window.end ? now + 1 : Infinity;
  };
  const until = edge(rules.minNotice ?? 0);
  return rules.maxAdvance === undefined ? until : Math.min(until, edge(rules.maxAdvance));
}

function minutes(ms: number): string {
  return `${Math.round(ms / 60_000)} minute(s)`;
}
