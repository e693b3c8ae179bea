import type { ConflictContext } from './context.js';
import type { Party, Run } from './evaluate.js';
import type { LedgerInfo } from './ledgers.js';
import { decide } from './policy.js';
import { audit, siteBookingText } from './text.js';
import type { ConflictBooking, ConflictOutcome, ConflictRecord } from './types.js';

/*
 * Acting on a decision: the hub cancels its own reservations that give way (through its ordinary
 * cancel path, so the outbox writes the cancellation to the site); a site's own booking cannot be
 * cancelled by the hub and is proposed to staff instead.
 */

/**
 * The group's rule: orders the bookings, keeps them while they fit, acts on the rest. Answers
 * whether it cancelled anything (the ledger is then checked again).
 */
export async function applyPolicy(ctx: ConflictContext, rec: ConflictRecord, run: Run, parties: Party[], info: LedgerInfo,
  now: number): Promise<boolean> {
  const policy = ctx.ledgers.policyContext(info);
  rec.decidedFor = parties.map((p) => p.ref).sort();
  if (policy.policy === 'manual') {
    rec.outcome = { decidedBy: 'none', stands: [], losers: [],
      summary: 'manual review: nothing is cancelled automatically; staff keep one booking, cancel some, or accept the overbooking' };
    audit(rec, now, 'hub', 'awaiting-staff', `policy manual (group ${info.group.id}): waiting for a staff decision`);
    return false;
  }
  const d = decide(run, parties, policy);
  audit(rec, now, 'hub', 'policy', `${d.reason}; stand(s): ${d.stands.map((p) => p.ref).join(', ')}; give(s) way: ${d.losers.map((p) => p.ref).join(', ') || 'none'}`);
  const losers: ConflictOutcome['losers'] = [];
  let acted = false;
  for (const p of d.losers) {
    const booking = rec.bookings.find((b) => b.ref === p.ref)!;
    if (p.origin === 'hub' && p.reservationId) {
      await cancelHub(ctx, rec, booking, now, 'hub');
      losers.push({ ref: p.ref, action: 'cancelled' });
      acted = true;
    } else {
      losers.push({ ref: p.ref, action: 'cancel-at-site' });
      audit(rec, now, 'hub', 'proposed', `${siteBookingText(booking)} is the site's own booking, which the hub cannot cancel: proposed action for staff: cancel it in ${ctx.ledgers.siteName(p.site)}'s system (or accept the overbooking); the next poll closes this conflict`);
    }
  }
  rec.outcome = {
    decidedBy: 'policy', stands: d.stands.map((p) => p.ref), losers,
    summary: `${policy.policy}: ${d.stands.map((p) => p.ref).join(', ')} stand(s); ${losers.map((l) => `${l.ref} ${l.action === 'cancelled' ? 'cancelled by the hub' : 'to be cancelled at its site by staff'}`).join(', ')}`,
  };
  return acted;
}

/** Cancels a hub reservation through the ordinary cancel path (outbox → write-back cancel). */
export async function cancelHub(ctx: ConflictContext, rec: ConflictRecord, booking: ConflictBooking, now: number,
  actor: 'hub' | 'staff'): Promise<void> {
  const id = booking.reservationId!;
  const resv = await ctx.store.getReservation(id);
  const result = await ctx.store.cancelReservation(id, actor === 'hub' ? `conflict:${rec.id}` : `staff:conflict:${rec.id}`);
  if (result.kind !== 'ok') {
    audit(rec, now, actor, 'cancel', `reservation ${id} was already ${resv?.status ?? 'gone'}; nothing to cancel`);
    return;
  }
  const written = resv?.items.filter((it) => it.writeback) ?? [];
  const where = written.length > 0
    ? `the cancellation goes to ${[...new Set(written.map((it) => ctx.ledgers.siteName(it.site)))].join(', ')} through the outbox (write-back cancel${written.some((it) => it.externalId) ? ` of ${written.flatMap((it) => (it.externalId ? [it.externalId] : [])).join(', ')}` : '; it was not written there yet'})`
    : 'the hub is the site\'s system of record, so nothing is written back';
  audit(rec, now, actor, 'cancelled', `cancelled hub reservation ${id} (was ${result.previous}) through the hub's cancel path; ${where}`);
}
