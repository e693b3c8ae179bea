import { HubError, notFound } from '../core/errors.js';
import type { ConflictContext } from './context.js';
import { detect } from './detect.js';
import { checkLedger, overlaps } from './lifecycle.js';
import { decide } from './policy.js';
import { cancelHub } from './settle.js';
import { audit, conflictEvent, emit, iso, siteBookingText } from './text.js';
import type { ConflictOutcome, ConflictRecord, StaffDecision } from './types.js';

export interface StaffResult {
  conflict: ConflictRecord;
  /** Hub reservations the hub cancelled (refs). */
  cancelled: string[];
  /** Site bookings staff must cancel in the site's own system (refs). */
  cancelAtSite: string[];
}

/**
 * Applies a staff decision (POST /v1/conflicts/{id}/resolve): keep one booking (the others give
 * way in the policy's order until capacity is met), cancel some, or accept the overbooking. The
 * ledger is checked first, under its lock, so staff decide on the conflict as it is now.
 */
export async function resolveByStaff(ctx: ConflictContext, id: string, decision: StaffDecision): Promise<StaffResult> {
  const first = await ctx.data.get(id);
  if (!first) throw notFound('conflict', id);
  return ctx.data.withLock(first.ledger, async () => {
    await checkLedger(ctx, first.ledger);
    const rec = (await ctx.data.get(id))!;
    if (rec.status !== 'open') {
      throw new HubError(409, 'conflict-resolved', 'Conflict already resolved',
        `conflict "${id}" is resolved (${rec.resolution ?? 'resolved'}); nothing to decide`, { conflict: id });
    }
    const refs = new Set(rec.bookings.map((b) => b.ref));
    const named = decision.action === 'keep' ? [decision.keep] : decision.action === 'cancel' ? decision.cancel : [];
    for (const ref of named) {
      if (!refs.has(ref)) {
        throw new HubError(422, 'unknown-booking', 'Booking not in this conflict',
          `"${ref}" is not one of this conflict's bookings: ${[...refs].join(', ')}`, { booking: ref });
      }
    }
    const ev = await detect(ctx, rec.ledger);
    const now = ev.now;
    if (decision.action === 'accept') {
      rec.status = 'resolved';
      rec.resolution = 'accepted';
      rec.resolvedAt = iso(now);
      rec.acceptedRefs = [...refs].sort();
      rec.outcome = { decidedBy: 'staff', accepted: true, stands: [...refs].sort(), losers: [],
        summary: `staff accepted the overbooking${decision.note ? `: ${decision.note}` : ''}` };
      audit(rec, now, 'staff', 'accept', `accepted ${rec.excess} unit(s) over capacity; all ${refs.size} bookings stand${decision.note ? ` (${decision.note})` : ''}`);
      rec.updatedAt = iso(now);
      await ctx.data.save(rec, { active: true });
      await emit(ctx, [conflictEvent('conflict.resolved', rec)]);
      return { conflict: rec, cancelled: [], cancelAtSite: [] };
    }
    let losers: string[];
    let stands: string[];
    const match = ev.runs.find((r) => overlaps(rec, r.run));
    if (decision.action === 'cancel') {
      losers = [...new Set(decision.cancel)];
      stands = [...refs].filter((r) => !losers.includes(r));
      audit(rec, now, 'staff', 'cancel', `cancel ${losers.join(', ')}`);
    } else if (!match) {
      losers = [];
      stands = [...refs];
    } else {
      const d = decide(match.run, match.parties, ctx.ledgers.policyContext(ev.info), decision.keep);
      losers = d.losers.map((p) => p.ref);
      stands = d.stands.map((p) => p.ref);
      audit(rec, now, 'staff', 'keep', `keep ${decision.keep}; ${d.reason}; gives way: ${losers.join(', ') || 'none'}`);
    }
    const cancelled: string[] = [];
    const atSite: string[] = [];
    const outcome: ConflictOutcome['losers'] = [];
    for (const ref of losers) {
      const booking = rec.bookings.find((b) => b.ref === ref)!;
      if (booking.origin === 'hub' && booking.reservationId) {
        await cancelHub(ctx, rec, booking, now, 'staff');
        cancelled.push(ref);
        outcome.push({ ref, action: 'cancelled' });
      } else {
        atSite.push(ref);
        outcome.push({ ref, action: 'cancel-at-site' });
        audit(rec, now, 'staff', 'cancel-at-site', `${siteBookingText(booking)} is the site's own booking: the hub cannot cancel it; cancel it in ${ctx.ledgers.siteName(booking.site)}'s system and the next poll closes this conflict`);
      }
    }
    rec.atSite = [...new Set([...(rec.atSite ?? []), ...atSite])];
    rec.outcome = { decidedBy: 'staff', stands, losers: outcome,
      summary: `staff decided: ${stands.join(', ') || 'nothing'} stand(s); ${outcome.map((l) => `${l.ref} ${l.action === 'cancelled' ? 'cancelled' : 'to cancel at its site'}`).join(', ') || 'nothing cancelled'}` };
    rec.decidedFor = [...refs].sort();
    rec.updatedAt = iso(now);
    await ctx.data.save(rec, { active: true });
    await checkLedger(ctx, rec.ledger);
    return { conflict: (await ctx.data.get(id))!, cancelled, cancelAtSite: atSite };
  });
}
