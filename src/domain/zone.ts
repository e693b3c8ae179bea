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
 * The offset of `tz` at `instant` in milliseconds (local = UTC + offset), from the zone's
 * transition table (see {@link offsetSegments}): luxon's per-instant lookup formats a date with
 * Intl each time, which was ~40 % of an opening-hours answer.
 * @throws RangeError when `tz` is not a known IANA zone.
 */
export function offsetAt(tz: string, instant: number): number {
  if (!Number.isFinite(instant)) return luxonOffset(tz, instant);
  for (const seg of blockOf(tz, Math.floor(instant / BLOCK_MS))) {
    if (instant < seg.end) return seg.offset;
  }
  throw new Error(`no offset segment holds ${instant} in ${tz}`); // a block covers its whole span
}

function luxonOffset(tz: string, instant: number): number {
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

/** The transition table of a zone is built in blocks of this many ms (~32 days) as instants need them. */
const BLOCK_MS = 2 ** 31 + 2 ** 30 + 2 ** 28;
/** Blocks kept per zone before its table is rebuilt from scratch (~90 years). */
const BLOCKS_KEPT = 1024;

const tables = new Map<string, Map<number, OffsetSegment[]>>();

/** The segments of block `n` of `tz`'s table, `[n * BLOCK_MS, (n + 1) * BLOCK_MS)`, built once. */
function blockOf(tz: string, n: number): OffsetSegment[] {
  const table = tables.get(tz);
  const kept = table?.get(n);
  if (kept !== undefined) return kept;
  const block = sampleSegments(tz, n * BLOCK_MS, (n + 1) * BLOCK_MS); // throws for an unknown zone
  if (table === undefined) tables.set(tz, new Map([[n, block]]));
  else {
    if (table.size >= BLOCKS_KEPT) table.clear();
    table.set(n, block);
  }
  return block;
}

/**
 * Splits `[start, end)` into segments of constant offset in `tz`, in order (adjacent segments
 * differ in offset). Transitions are found to the millisecond. Empty when `end <= start`.
 */
export function offsetSegments(tz: string, start: number, end: number): OffsetSegment[] {
  if (!(end > start)) return [];
  if (!Number.isFinite(start) || !Number.isFinite(end)) return sampleSegments(tz, start, end);
  const segments: OffsetSegment[] = [];
  for (let n = Math.floor(start / BLOCK_MS); n * BLOCK_MS < end; n++) {
    for (const seg of blockOf(tz, n)) {
      if (seg.end <= start) continue;
      if (seg.start >= end) break;
      const last = segments[segments.length - 1];
      // A segment running across a block boundary continues the previous one.
      if (last && last.offset === seg.offset) last.end = Math.min(seg.end, end);
      else segments.push({ start: Math.max(seg.start, start), end: Math.min(seg.end, end), offset: seg.offset });
    }
  }
  return segments;
}

/** {@link offsetSegments} straight from luxon: offsets sampled, each change searched to the ms. */
function sampleSegments(tz: string, start: number, end: number): OffsetSegment[] {
  const segments: OffsetSegment[] = [];
  let segStart = start;
  let prev = start;
  let prevOffset = luxonOffset(tz, start);
  while (prev < end - 1) {
    const next = Math.min(prev + SAMPLE_STEP, end - 1);
    const nextOffset = luxonOffset(tz, next);
    if (nextOffset !== prevOffset) {
      // Smallest t in (prev, next] whose offset differs from prevOffset.
      let lo = prev;
      let hi = next;
      while (hi - lo > 1) {
        const mid = lo + Math.floor((hi - lo) / 2);
        if (luxonOffset(tz, mid) === prevOffset) lo = mid;
        else hi = mid;
      }
      segments.push({ start: segStart, end: hi, offset: prevOffset });
      segStart = hi;
      prev = hi;
      prevOffset = luxonOffset(tz, hi);
      continue;
    }
    prev = next;
  }
  segments.push({ start: segStart, end, offset: prevOffset });
  return segments;
}
