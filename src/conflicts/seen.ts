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
  const byId = new Map(result.bookings.map((b) => [b.externalId, b] as const));
  const bookings = claims.upserts.map((u): SeenInput => {
    const source = byId.get(u.id);
    const resource = source?.resource ?? '';
    return {
      ...u, counted: counted.has(resource), resource,
      // What staff recognise the booking by at the site (kept for conflicts, admin only).
      ...(source?.title ? { title: source.title.slice(0, 200) } : {}),
      ...(source?.link && /^https?:\/\//i.test(source.link) ? { link: source.link.slice(0, 2000) } : {}),
    };
  });
  await ctx.data.recordSeen(site.id, {
    full: result.mode === 'full', removed: [...result.removed, ...claims.removed], bookings, now: ctx.clock.now(),
  });
}
