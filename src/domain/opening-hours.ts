import { clip, mergeIntervals, subtractIntervals } from './intervals.js';
import { addDays, dateToCalendarMs, datesCovering, localMidnight } from './local-dates.js';
import type { Interval, LocalDate, OpeningHours, Weekday } from './types.js';
import { offsetSegments } from './zone.js';

/**
 * Opening hours turned into UTC intervals. An instant is open when its local wall-clock time in the
 * site's zone falls inside one of the `[from, to)` minute ranges of its local date's weekday. So
 * wall-clock times a DST gap skips are simply absent, a repeated hour is open or closed both times,
 * and a range ending at 24:00 joins a range starting at 00:00 the next day without a seam.
 */

const WEEKDAYS: readonly Weekday[] = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

/** The weekday of a local date. */
export function weekdayOf(date: LocalDate): Weekday {
  return WEEKDAYS[new Date(dateToCalendarMs(date)).getUTCDay()]!;
}

const MINUTE = 60_000;

/**
 * The open parts of `window` (epoch ms UTC) under `openingHours` in `tz`: sorted, merged. The
 * whole window when `openingHours` is undefined (no opening hours means always open). Minute
 * ranges are clamped to `[0, 1440]`; empty ranges are ignored.
 */
export function openIntervals(
  openingHours: OpeningHours | undefined,
  window: Interval,
  tz: string,
): Interval[] {
  if (!(window.end > window.start)) return [];
  if (openingHours === undefined) return [{ start: window.start, end: window.end }];
  const open: Interval[] = [];
  for (const date of datesCovering(window.start, window.end, tz)) {
    const ranges = openingHours[weekdayOf(date)] ?? [];
    if (ranges.length === 0) continue;
    const day = clip({ start: localMidnight(date, tz), end: localMidnight(addDays(date, 1), tz) }, window);
    if (day === null) continue;
    const wallMidnight = dateToCalendarMs(date);
    for (const segment of offsetSegments(tz, day.start, day.end)) {
      for (const { from, to } of ranges) {
        const lo = Math.max(0, Math.min(1440, from));
        const hi = Math.max(0, Math.min(1440, to));
        if (!(hi > lo)) continue;
        // Instant t has wall time t + offset - wallMidnight within this segment.
        const piece = clip(
          {
            start: wallMidnight + lo * MINUTE - segment.offset,
            end: wallMidnight + hi * MINUTE - segment.offset,
          },
          segment,
        );
        if (piece !== null) open.push(piece);
      }
    }
  }
  return mergeIntervals(open);
}

/**
 * The parts of `window` (epoch ms UTC) outside `openingHours` in `tz`: sorted, merged, disjoint from
 * {@link openIntervals}, and together with it exactly the window. Empty when `openingHours` is
 * undefined. Computed per local day, so DST days (23 or 25 hours) are right.
 */
export function closedIntervals(
  openingHours: OpeningHours | undefined,
  window: Interval,
  tz: string,
): Interval[] {
  if (openingHours === undefined) return [];
  return subtractIntervals(window, openIntervals(openingHours, window, tz));
}
