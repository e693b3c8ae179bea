import { DateTime } from 'luxon';
import { addDays, daysBetween } from '../../../src/domain/index.js';

/**
 * The `from`/`to` of `GET /rateplan/v1/rate-plans/{id}/rates` as apaleo documents them (Rate Plan
 * V1, as published in apaleo's own n8n node, `apaleo/n8n-nodes-apaleo`,
 * `nodes/Apaleo/descriptions/parameters.ts`, operation `RateplanRate-plansByIdRatesGet`):
 * "all rates where the from date and time is equal or later than" `from`, and "earlier than" `to`
 * (so `to` is exclusive), each "either a pure date or a date and time (without fractional second
 * part) in UTC or with UTC offset". A pure date is read as the property's local midnight.
 */
export interface RateRange {
  /** Instants (ms): a rate is listed when from <= rate.from < to. */
  fromMs: number;
  toMs: number;
  /** Local dates whose rate may fall inside (a superset; filter by instant). */
  candidates: string[];
}

const PURE_DATE = /^\d{4}-\d{2}-\d{2}$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?(Z|[+-]\d{2}:\d{2})$/;

function instantOf(value: string | undefined, zone: string): number | null {
  if (value === undefined) return null;
  if (PURE_DATE.test(value)) {
    const d = DateTime.fromISO(value, { zone });
    return d.isValid ? d.toMillis() : null;
  }
  if (!DATE_TIME.test(value)) return null;
  const d = DateTime.fromISO(value, { setZone: true });
  return d.isValid ? d.toMillis() : null;
}

export function rateRange(q: Record<string, string>, zone: string, maxDays: number): RateRange | string {
  const fromMs = instantOf(q.from, zone);
  const toMs = instantOf(q.to, zone);
  if (fromMs === null || toMs === null) {
    return "'from' and 'to' are required: a date (yyyy-mm-dd) or a date-time in UTC or with an offset, without fractions";
  }
  if (!(toMs > fromMs)) return "'to' must be later than 'from'";
  const local = (ms: number) => DateTime.fromMillis(ms, { zone }).toISODate()!;
  const first = addDays(local(fromMs), -1);
  const last = local(toMs);
  if (daysBetween(first, last) > maxDays + 2) return `at most ${maxDays} days per request`;
  const candidates: string[] = [];
  for (let d = first; d <= last; d = addDays(d, 1)) candidates.push(d);
  return { fromMs, toMs, candidates };
}
