import { createHash } from 'node:crypto';
import type { AlertEvent } from '../core/alerts.js';
import type { ConflictContext } from './context.js';
import { detect } from './detect.js';
import type { Party, Run } from './evaluate.js';
import type { LedgerInfo } from './ledgers.js';
import { applyPolicy } from './settle.js';
import { audit, conflictEvent, emit, iso, overText } from './text.js';
import type { ConflictBooking, ConflictRecord } from './types.js';

/*
 * The life of a conflict record: opened when a run over capacity first shows, refreshed while it
 * lasts (a new booking joining lets the policy decide again), merged when runs join, closed when
 * the excess goes away or its time passes, reopened when the same overbooking comes back. Every
 * step is written to the record's audit trail.
 */

/**
 * Detects the ledger's runs over capacity, matches them to its conflicts and settles them. Call
 * it holding the ledger's lock. A policy that cancelled something checks again (twice at most).
 */
export async function checkLedger(ctx: ConflictContext, ledger: string, depth = 0): Promise<void> {
  const ev = await detect(ctx, ledger);
  const active = await ctx.data.getMany(await ctx.data.activeIds(ledger));
  const used = new Set<string>();
  const events: AlertEvent[] = [];
  let acted = false;
  const now = ev.now;
  for (const { run, parties } of ev.runs) {
    const overlapping = active.filter((r) => !used.has(r.id) && overlaps(r, run))
      .sort((a, b) => a.openedAt.localeCompare(b.openedAt));
    let rec: ConflictRecord;
    let opened = false;
    if (overlapping.length > 0) {
      rec = overlapping[0]!;
      for (const other of overlapping.slice(1)) {
        used.add(other.id);
        close(other, now, 'merged', `merged into conflict ${rec.id} (the overbooked nights or times joined)`, events);
        await ctx.data.save(other, { active: false });
      }
    } else {
      const id = conflictId(ledger, run);
      const prior = await ctx.data.get(id);
      opened = !prior;
      rec = prior ?? newRecord(id, ev.info, now);
    }
    used.add(rec.id);
    // The unlisted units of a count-only source were first seen when the conflict first showed them.
    const seenBefore = new Map(rec.bookings.map((b) => [b.ref, b.firstSeenAt] as const));
    for (const p of parties) {
      if (p.firstSeen === null && p.ref.endsWith(':unlisted')) {
        const before = seenBefore.get(p.ref);
        p.firstSeen = before ? Date.parse(before) : now;
      }
    }
    refresh(rec, run, parties, ev.info, now);
    const refs = parties.map((p) => p.ref).sort();
    if (rec.status === 'resolved') {
      const newcomers = refs.filter((r) => !(rec.acceptedRefs ?? []).includes(r));
      if (rec.resolution === 'accepted' && newcomers.length === 0) {
        await ctx.data.save(rec, { active: true });
        continue;
      }
      reopen(rec, now, rec.resolution === 'accepted'
        ? `new booking(s) ${newcomers.join(', ')} on top of an overbooking staff had accepted`
        : 'capacity is exceeded again');
      opened = true;
    } else if (opened) {
      audit(rec, now, 'hub', 'opened', overText(rec));
    }
    const newcomers = refs.filter((r) => !(rec.decidedFor ?? []).includes(r));
    if (newcomers.length > 0) {
      if (rec.decidedFor) audit(rec, now, 'hub', 'changed', `booking(s) ${newcomers.join(', ')} joined; the policy decides again`);
      acted = (await applyPolicy(ctx, rec, run, parties, ev.info, now)) || acted;
    }
    await ctx.data.save(rec, { active: true });
    if (opened) events.push(conflictEvent('conflict.opened', rec));
  }
  for (const rec of active) {
    if (used.has(rec.id)) continue;
    const past = isPast(rec, ev.today, now);
    const detail = past ? 'its nights or times have passed' : `capacity is no longer exceeded${await whatChanged(ctx, rec)}`;
    close(rec, now, past ? 'past' : 'cleared', detail, events);
    await ctx.data.save(rec, { active: false });
  }
  await emit(ctx, events);
  if (acted && depth < 2) await checkLedger(ctx, ledger, depth + 1);
}

/** Whether the record's nights or interval meet the run. */
export function overlaps(rec: ConflictRecord, run: Run): boolean {
  if (run.kind === 'night') return 'nights' in rec.when && rec.when.nights.some((d) => run.days.has(d));
  return 'start' in rec.when && Date.parse(rec.when.start) < run.end && Date.parse(rec.when.end) > run.start;
}

function reopen(rec: ConflictRecord, now: number, why: string): void {
  rec.status = 'open';
  delete rec.resolution;
  delete rec.resolvedAt;
  delete rec.acceptedRefs;
  delete rec.decidedFor;
  rec.outcome = null;
  audit(rec, now, 'hub', 'reopened', `${why}: ${overText(rec)}`);
}

function close(rec: ConflictRecord, now: number, resolution: NonNullable<ConflictRecord['resolution']>, detail: string,
  events: AlertEvent[]): void {
  rec.updatedAt = iso(now);
  if (rec.status === 'open') {
    rec.status = 'resolved';
    rec.resolution = resolution;
    rec.resolvedAt = iso(now);
    audit(rec, now, 'hub', 'resolved', detail);
    events.push(conflictEvent('conflict.resolved', rec));
  } else {
    audit(rec, now, 'hub', 'cleared', detail);
  }
}

function newRecord(id: string, info: LedgerInfo, now: number): ConflictRecord {
  return {
    id, status: 'open', ledger: info.ledger, ...(info.shared ? { shared: info.shared } : {}), bookedBy: info.bookedBy,
    group: info.group.id, workflow: info.group.workflow, policy: info.group.conflictPolicy, capacity: info.capacity,
    when: { nights: [] }, excess: 0, sites: [], resources: [], bookings: [], outcome: null,
    openedAt: iso(now), updatedAt: iso(now), audit: [],
  };
}

function refresh(rec: ConflictRecord, run: Run, parties: Party[], info: LedgerInfo, now: number): void {
  rec.when = run.kind === 'night' ? { nights: run.dates } : { start: iso(run.start), end: iso(run.end) };
  rec.excess = run.excess;
  rec.capacity = run.kind === 'night' ? Math.min(...[...run.days.values()].map((d) => d.limit)) : run.capacity;
  rec.policy = info.group.conflictPolicy;
  rec.workflow = info.group.workflow;
  rec.group = info.group.id;
  rec.bookings = parties.map(toBooking);
  rec.sites = [...new Set(parties.map((p) => p.site))];
  const resources = new Map(parties.map((p) => [`${p.site}/${p.resource}`, { site: p.site, resource: p.resource }] as const));
  rec.resources = [...resources.values()];
  rec.updatedAt = iso(now);
}

/** Why a conflict went away: its hub reservations ended, or its site bookings left the source. */
async function whatChanged(ctx: ConflictContext, rec: ConflictRecord): Promise<string> {
  const parts: string[] = [];
  for (const b of rec.bookings) {
    if (b.origin === 'hub' && b.reservationId) {
      const status = await ctx.data.reservationStatus(b.reservationId);
      if (status !== 'pending' && status !== 'confirmed') parts.push(`reservation ${b.reservationId} is ${status ?? 'gone'}`);
    } else if (b.externalId && !(await ctx.data.stillSeen(b.site, b.externalId))) {
      parts.push(`booking ${b.externalId} is gone from ${ctx.ledgers.siteName(b.site)}`);
    }
  }
  return parts.length > 0 ? `: ${parts.join('; ')}` : '';
}

const isoOrNull = (ms: number | null | undefined) => (ms === null || ms === undefined || !Number.isFinite(ms) || ms <= 0 ? null : iso(ms));

function toBooking(p: Party): ConflictBooking {
  return {
    ref: p.ref, origin: p.origin, site: p.site, resource: p.resource,
    quantity: p.nights ? Math.max(0, ...p.nights.values()) : p.span?.q ?? 1,
    ...(p.nights ? { nights: [...p.nights.keys()].sort() } : {}),
    ...(p.span ? { start: iso(p.span.start), end: iso(p.span.end) } : {}),
    ...(p.reservationId ? { reservationId: p.reservationId } : {}),
    ...(p.externalId ? { externalId: p.externalId } : {}),
    ...(p.status ? { status: p.status } : {}),
    ...(p.title ? { title: p.title } : {}), ...(p.link ? { link: p.link } : {}),
    createdAt: isoOrNull(p.createdAt), updatedAt: isoOrNull(p.updatedAt), firstSeenAt: isoOrNull(p.firstSeen),
  };
}

/** Stable per ledger and first night or start: the same overbooking found again is the same conflict. */
function conflictId(ledger: string, run: Run): string {
  const start = run.kind === 'night' ? run.dates[0]! : String(run.start);
  return `cf_${createHash('sha256').update(`${ledger}|${start}`).digest('hex').slice(0, 20)}`;
}

function isPast(rec: ConflictRecord, today: string, now: number): boolean {
  if ('nights' in rec.when) return rec.when.nights.length > 0 && rec.when.nights[rec.when.nights.length - 1]! < today;
  return Date.parse(rec.when.end) <= now;
}
