import type { AlertEvent } from '../core/alerts.js';
import type { ConflictContext } from './context.js';
import type { AuditEntry, ConflictBooking, ConflictRecord } from './types.js';

/* How a conflict reads to staff: its audit trail, its one-line descriptions and its alert events. */

export const iso = (ms: number) => new Date(ms).toISOString();

export function audit(rec: ConflictRecord, now: number, actor: AuditEntry['actor'], action: string, detail: string): void {
  rec.audit.push({ at: iso(now), actor, action, detail });
}

/** What is over capacity, when, and by whom. */
export function overText(rec: ConflictRecord): string {
  const what = rec.resources.map((r) => `${r.site}/${r.resource}`).join(' + ') || rec.ledger;
  const when = 'nights' in rec.when ? `night(s) ${rec.when.nights.join(', ')}` : `${rec.when.start} to ${rec.when.end}`;
  return `${what} over capacity on ${when}: ${rec.excess} unit(s) more than ${rec.capacity} (bookings: ${rec.bookings.map((b) => b.ref).join(', ')})`;
}

export function siteBookingText(b: ConflictBooking): string {
  return b.ref.endsWith(':unlisted')
    ? `${b.quantity} unit(s) ${b.site} sold without listing them (a count-only source)`
    : `booking ${b.externalId ?? b.ref} at ${b.site}`;
}

/** The alert event of a conflict opening or settling: one incident per conflict. */
export function conflictEvent(name: 'conflict.opened' | 'conflict.resolved', rec: ConflictRecord): AlertEvent {
  const summary = name === 'conflict.opened'
    ? `Double booking: ${overText(rec)}. ${rec.outcome?.summary ?? ''}`.trim()
    : `Conflict settled: ${rec.resources.map((r) => `${r.site}/${r.resource}`).join(' + ')} (${rec.resolution}): ${rec.audit[rec.audit.length - 1]?.detail ?? ''}`;
  return {
    event: name, ...(rec.sites[0] ? { site: rec.sites[0] } : {}), group: rec.group,
    incident: `conflict:${rec.id}`, ...(name === 'conflict.resolved' ? { closes: true } : {}),
    summary,
    details: { conflict: rec.id, ledger: rec.ledger, when: rec.when, policy: rec.policy, bookings: rec.bookings.map((b) => b.ref),
      ...(rec.outcome ? { outcome: rec.outcome } : {}), ...(rec.resolution ? { resolution: rec.resolution } : {}) },
  };
}

/** Raises the events; an alert that cannot be raised is logged, never fatal to detection. */
export async function emit(ctx: ConflictContext, events: readonly AlertEvent[]): Promise<void> {
  for (const e of events) {
    await ctx.alerts.emit(e).catch((err: unknown) =>
      ctx.logger.warn({ err: (err as Error).message, event: e.event }, 'conflicts: alert not raised'));
  }
}
