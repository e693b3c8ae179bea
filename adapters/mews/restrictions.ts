import { z } from 'zod';
import { localMidnight } from '../../src/domain/index.js';
import type { LocalDate } from '../../src/domain/index.js';

/**
 * Mews restrictions → stop-sell nights (the hub's `closed`), as apaleo's closed rates are mapped.
 * Source: Connector API, operations/restrictions.md "Get all restrictions"
 * (https://docs.mews.com/connector-api/operations/restrictions#get-all-restrictions) and
 * concepts/restrictions.md (https://docs.mews.com/connector-api/concepts/restrictions).
 *
 * A restriction closes a night for the hub only when nothing can be sold that night:
 * - `Conditions.Type` is `Stay` ("guests can't stay within specified dates"); `Start` and `End`
 *   (closed to arrival / departure) forbid only some stays, which the hub's per-night model
 *   cannot express, so they are not a stop-sell;
 * - it has no exceptions (`MinAdvance`, `MaxAdvance`, `MinLength`, `MaxLength`, `MinPrice`,
 *   `MaxPrice` all empty): with one, some bookings still pass (a minimum stay, a booking window);
 * - it applies to the hub's rate: the request asks Mews with `RateIds` ("restrictions that affect
 *   given rates": ones without rate conditions, ones on the rate, its rate group or base rate);
 *   a site without `rateId` counts only restrictions without any rate condition;
 * - its night's time unit start is within `[StartUtc, EndUtc]` ("time intervals are inclusive",
 *   concepts/restrictions.md, time interval splicing; an absent end is open), on one of `Days`
 *   (all days when absent), for its `ResourceCategoryId` (every category when absent).
 */

const instant = z.string().refine((s) => !Number.isNaN(Date.parse(s)), { error: 'an ISO 8601 instant' });

export const mewsRestriction = z.object({
  Id: z.string(),
  ServiceId: z.string(),
  Conditions: z.object({
    Type: z.string(),
    ExactRateId: z.string().nullish(),
    BaseRateId: z.string().nullish(),
    RateGroupId: z.string().nullish(),
    ResourceCategoryId: z.string().nullish(),
    StartUtc: instant.nullish(),
    EndUtc: instant.nullish(),
    Days: z.array(z.string()).nullish(),
  }),
  Exceptions: z.record(z.string(), z.unknown()).nullish(),
});
export type MewsRestriction = z.infer<typeof mewsRestriction>;

export const restrictionsPage = z.object({
  Restrictions: z.array(z.unknown()),
  Cursor: z.string().nullish(),
});

const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

/** Is this restriction a full stop-sell for the hub (see the module comment)? */
export function isStopSell(r: MewsRestriction, ratesFiltered: boolean): boolean {
  if (r.Conditions.Type !== 'Stay') return false;
  if (Object.values(r.Exceptions ?? {}).some((v) => v !== null && v !== undefined)) return false;
  const c = r.Conditions;
  const rateBound = Boolean(c.ExactRateId || c.BaseRateId || c.RateGroupId);
  return !rateBound || ratesFiltered;
}

/**
 * The closed nights of `nights` per hub resource. `categories` maps a resource category id to
 * its hub resource; `ratesFiltered` says the request named the hub's rate (`RateIds`).
 */
export function closedNights(restrictions: readonly MewsRestriction[], categories: ReadonlyMap<string, string>,
  nights: readonly LocalDate[], tz: string, ratesFiltered: boolean): Array<{ resource: string; date: LocalDate }> {
  const out = new Map<string, { resource: string; date: LocalDate }>();
  for (const r of restrictions) {
    if (!isStopSell(r, ratesFiltered)) continue;
    const c = r.Conditions;
    const resources = c.ResourceCategoryId ? [categories.get(c.ResourceCategoryId)].filter((x): x is string => x !== undefined) : [...new Set(categories.values())];
    if (resources.length === 0) continue;
    const start = c.StartUtc ? Date.parse(c.StartUtc) : Number.NEGATIVE_INFINITY;
    const end = c.EndUtc ? Date.parse(c.EndUtc) : Number.POSITIVE_INFINITY;
    const days = c.Days && c.Days.length > 0 ? new Set(c.Days) : null;
    for (const date of nights) {
      const unitStart = localMidnight(date, tz);
      if (unitStart < start || unitStart > end) continue;
      if (days && !days.has(WEEKDAYS[new Date(`${date}T00:00:00Z`).getUTCDay()]!)) continue;
      for (const resource of resources) out.set(`${resource}|${date}`, { resource, date });
    }
  }
  return [...out.values()];
}
