import type { PolledSite } from '../core/poll-observer.js';
import type { SeenInput } from '../store/conflicts/index.js';
import type { ConflictContext } from './context.js';

/**
 * Poll bookkeeping: keeps, per source booking, when the hub first saw it (first-come falls back to
 * it) and, for resources whose source reports counts (those bookings are not claims), the booking
 * itself. Works from the claims the poller already computed.
 */
export async function recordSeen(ctx: ConflictContext, { site, result, claims }: PolledSite): Promise<void> {
  const counted = new Set(result.counts.map((c) => c.resource));
  const resourceOf = new Map(result.bookings.map((b) => [b.externalId, b.resource] as const));
  const bookings = claims.upserts.map((u): SeenInput => {
    const resource = resourceOf.get(u.id) ?? '';
    return { ...u, counted: counted.has(resource), resource };
  });
  await ctx.data.recordSeen(site.id, {
    full: result.mode === 'full', removed: [...result.removed, ...claims.removed], bookings, now: ctx.clock.now(),
  });
}
