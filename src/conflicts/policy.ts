import type { ConflictPolicy } from '../domain/types.js';
import { fits, type Party, type Run } from './evaluate.js';

/**
 * The conflict policies (docs/workflows.md). Each is an order of the bookings involved; the
 * bookings are then kept in that order while they fit, and the rest give way:
 * - `first-come`: earliest creation first (the source's creation time, else when the hub first saw
 *   the booking; a hub reservation's is when it was confirmed);
 * - `last-write-wins`: latest modification first;
 * - `priority`: by origin in the group's `priority` list (default hub, then site), then by the
 *   site's `priority` (lower number first), then first-come;
 * - `manual`: decides nothing by itself; a staff "keep" puts the kept booking first and orders the
 *   rest first-come.
 */
export interface PolicyContext {
  policy: ConflictPolicy;
  /** The group's `priority`: origins in precedence order. */
  origins: readonly string[];
  sitePriority(site: string): number;
}

const created = (p: Party) => p.createdAt ?? p.firstSeen ?? Number.MAX_SAFE_INTEGER;
const modified = (p: Party) => p.updatedAt ?? p.createdAt ?? p.firstSeen ?? 0;

function firstCome(a: Party, b: Party): number {
  return created(a) - created(b) || (a.origin === b.origin ? 0 : a.origin === 'hub' ? -1 : 1) || a.ref.localeCompare(b.ref);
}

function compare(ctx: PolicyContext): (a: Party, b: Party) => number {
  switch (ctx.policy) {
    case 'last-write-wins':
      return (a, b) => modified(b) - modified(a) || firstCome(a, b);
    case 'priority': {
      const rank = (p: Party) => {
        const i = ctx.origins.indexOf(p.origin);
        return i < 0 ? ctx.origins.length : i;
      };
      return (a, b) => rank(a) - rank(b) || ctx.sitePriority(a.site) - ctx.sitePriority(b.site) || firstCome(a, b);
    }
    default:
      return firstCome;
  }
}

export interface Decision {
  stands: Party[];
  losers: Party[];
  /** One line for staff: why these stand. */
  reason: string;
}

/** Keeps bookings in the policy's order while they fit; `keep` (a staff choice) goes first. */
export function decide(run: Run, parties: readonly Party[], ctx: PolicyContext, keep?: string): Decision {
  const ordered = [...parties].sort(compare(ctx));
  if (keep) {
    const i = ordered.findIndex((p) => p.ref === keep);
    if (i > 0) ordered.unshift(...ordered.splice(i, 1));
  }
  const stands: Party[] = [];
  const losers: Party[] = [];
  for (const p of ordered) (fits(run, stands, p) ? stands : losers).push(p);
  return { stands, losers, reason: explain(ctx, ordered, keep) };
}

const iso = (ms: number | null) => (ms === null ? 'unknown' : new Date(ms).toISOString());

function describe(ctx: PolicyContext, p: Party): string {
  switch (ctx.policy) {
    case 'last-write-wins': return `${p.ref} (last modified ${iso(p.updatedAt ?? p.createdAt ?? p.firstSeen)})`;
    case 'priority': return `${p.ref} (origin ${p.origin}, site ${p.site} priority ${ctx.sitePriority(p.site)})`;
    default: {
      const when = p.createdAt !== null ? `created ${iso(p.createdAt)}` : `first seen ${iso(p.firstSeen)}`;
      return `${p.ref} (${when})`;
    }
  }
}

function explain(ctx: PolicyContext, ordered: readonly Party[], keep?: string): string {
  const rule = keep ? `staff keep ${keep}, then ${ctx.policy === 'manual' ? 'first-come' : ctx.policy}` : ctx.policy;
  return `${rule} order: ${ordered.map((p) => describe(ctx, p)).join(' > ')}`;
}
