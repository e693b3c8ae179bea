import { IANAZone } from 'luxon';

/**
 * Time-zone offsets for IANA zones. Everything here works on UTC epoch milliseconds; an offset is
 * `local wall clock - UTC` in milliseconds (Berlin in summer: +7_200_000).
 */

const zones = new Map<string, IANAZone>();

function zoneOf(tz: string): IANAZone {
  let zone = zones.get(tz);
  if (zone === undefined) {
    zone = IANAZone.create(tz);
    if (!zone.isValid) throw new RangeError(`unknown IANA time zone: ${tz}`);
    zones.set(tz, zone);
  }
  return zone;
}

/** True when `tz` is an IANA zone name this runtime knows (`Europe/Berlin`, `UTC`). */
export function isTimeZone(tz: string): boolean {
  return IANAZone.isValidZone(tz);
}

/**
 * The offset of `tz` at `instant` in milliseconds (local = UTC + offset).
 * @throws RangeError when `tz` is not a known IANA zone.
 */
export function offsetAt(tz: string, instant: number): number {
  return zoneOf(tz).offset(instant) * 60_000;
}

/** A stretch `[start, end)` of UTC time over which a zone's offset does not change. */
export interface OffsetSegment {
  start: number;
  end: number;
  /** Milliseconds, local = UTC + offset. */
  offset: number;
}

/** Offsets are sampled this far apart; real zones never change twice within six hours. */
const SAMPLE_STEP = 6 * 3_600_000;

/**
 * Splits `[start, end)` into segments of constant offset in `tz`, in order. Transitions are found
 * to the millisecond. Empty when `end <= start`.
 */
export function offsetSegments(tz: string, start: number, end: number): OffsetSegment[] {
  if (!(end > start)) return [];
  const segments: OffsetSegment[] = [];
  let segStart = start;
  let prev = start;
  let prevOffset = offsetAt(tz, start);
  while (prev < end - 1) {
    const next = Math.min(prev + SAMPLE_STEP, end - 1);
    const nextOffset = offsetAt(tz, next);
    if (nextOffset !== prevOffset) {
      // Smallest t in (prev, next] whose offset differs from prevOffset.
      let lo = prev;
      let hi = next;
      while (hi - lo > 1) {
        const mid = lo + Math.floor((hi - lo) / 2);
        if (offsetAt(tz, mid) === prevOffset) lo = mid;
        else hi = mid;
      }
      segments.push({ start: segStart, end: hi, offset: prevOffset });
      segStart = hi;
      prev = hi;
      prevOffset = offsetAt(tz, hi);
      continue;
    }
    prev = next;
  }
  segments.push({ start: segStart, end, offset: prevOffset });
  return segments;
}
