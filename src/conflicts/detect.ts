import { localDateOf } from '../domain/index.js';
import type { SourceClaim } from '../core/claims.js';
import type { HubItem, LedgerSnapshot, LiveReservation, NightFigures, SeenBooking, TimeClaim } from '../store/conflicts/index.js';
import type { ConflictContext } from './context.js';
import { nightDays, nightRuns, timeRuns, type Party, type Run } from './evaluate.js';
import type { LedgerInfo } from './ledgers.js';

/** A ledger's runs over capacity, each with the bookings taking part. */
export interface Evaluation {
  info: LedgerInfo;
  /** The time of the read (ms). */
  now: number;
  /** Local date of `now` in the ledger's time zone. */
  today: string;
  runs: Array<{ run: Run; parties: Party[] }>;
}

type Where = { nights: Map<string, number> } | { span: { start: number; end: number; q: number } };

/**
 * Finds where a ledger carries more bookings than capacity (one consistent read of the store) and
 * who takes part. Live hub reservations are read only when something is over capacity.
 */
export async function detect(ctx: ConflictContext, ledger: string): Promise<Evaluation> {
  const info = ctx.ledgers.info(ledger);
  const future = ctx.config.defaults.syncWindow.future;
  const start = ctx.clock.now();
  const snap = await ctx.data.snapshot(info.bookedBy === 'night'
    ? { ledger, by: 'night' } : { ledger, by: 'time', from: start, to: start + future }, info.sites);
  const now = ctx.clock.or(snap.now);
  const today = localDateOf(now, info.tz);
  let reservations: Promise<{ live: LiveReservation[]; modified: Map<string, number> }> | undefined;
  // Reservations behind live holds are left out: their hold's claim is not a booking yet.
  const live = () => (reservations ??= ctx.data.liveReservations(ledger).then(async (all) => {
    const live = all.filter((r) => !snap.holds.has(r.holdId));
    return { live, modified: await ctx.data.modifiedTimes(live.map((r) => r.id)) };
  }));
  const runs = snap.ledger.by === 'night'
    ? await nightConflicts(ctx, info, snap, snap.ledger.nights, { today, last: localDateOf(now + future, info.tz) }, live)
    : await timeConflicts(ctx, info, snap, snap.ledger.claims, { from: now, to: now + future }, live);
  return { info, now, today, runs };
}

type Live = () => Promise<{ live: LiveReservation[]; modified: Map<string, number> }>;

async function nightConflicts(ctx: ConflictContext, info: LedgerInfo, snap: LedgerSnapshot, figures: NightFigures,
  window: { today: string; last: string }, live: Live): Promise<Evaluation['runs']> {
  const ledger = info.ledger;
  const holds = [...snap.holds.values()].flat().filter((it) => it.ledger === ledger && it.by === 'night');
  const sourceClaims: Array<SourceClaim & { site: string }> = [];
  const counted: Array<SeenBooking & { site: string; id: string }> = [];
  for (const site of info.sites) {
    const s = snap.sites.get(site)!;
    for (const [, c] of s.claims) if (c.ledger === ledger && c.by === 'night') sourceClaims.push({ ...c, site });
    for (const [id, m] of s.seen) if (m.counted && m.ledger === ledger && m.by === 'night') counted.push({ ...m, site, id });
  }
  const dates = new Set<string>([...Object.keys(figures.claimed), ...Object.keys(figures.sourceFree), ...counted.flatMap((c) => c.nights ?? [])]);
  const { over, inventory } = nightDays({
    capacity: info.capacity, dates: [...dates].filter((d) => d >= window.today && d <= window.last).sort(),
    figures, holds, sourceClaims, counted,
  });
  await ctx.data.rememberInventory(ledger, inventory);
  const found = nightRuns(over);
  if (found.length === 0) return [];
  const { live: resvs, modified } = await live();
  const runs: Evaluation['runs'] = [];
  for (const run of found) {
    const inRun = (d: string[] | undefined, q: number) => new Map((d ?? []).filter((x) => run.days.has(x)).map((x) => [x, q] as const));
    const parties: Party[] = [];
    for (const r of resvs) {
      const nights = new Map<string, number>();
      let first: HubItem | undefined;
      for (const it of r.items) {
        if (it.ledger !== ledger || it.by !== 'night') continue;
        for (const [d, q] of inRun(it.nights, it.quantity)) { nights.set(d, (nights.get(d) ?? 0) + q); first ??= it; }
      }
      if (first) parties.push(hubParty(r, first, modified.get(r.id), { nights }));
    }
    for (const c of [...sourceClaims, ...counted]) {
      const nights = inRun(c.nights, c.quantity);
      if (nights.size === 0) continue;
      const seen = snap.sites.get(c.site)!.seen.get(c.id);
      parties.push(siteParty(ctx, c.site, c.id, ledger, c, seen, { nights }));
    }
    const unlisted = [...run.days.values()].filter((d) => d.unlisted > 0);
    if (unlisted.length > 0) {
      const site = info.entries.find((e) => e.site.adapter.kind !== 'none') ?? info.entries[0]!;
      parties.push({
        ref: `site:${site.site.id}:unlisted`, origin: 'site', site: site.site.id, resource: site.resource.id,
        nights: new Map(unlisted.map((d) => [d.date, d.unlisted])), createdAt: null, updatedAt: null, firstSeen: null,
      });
    }
    // Hub reservations alone cannot overbook what a source counts (the claim script checks its
    // count): such a run means the count and the hub's bookkeeping disagree for a moment
    // (a write-back the count does not show yet), not a double booking.
    const countedRun = run.dates.some((d) => figures.sourceFree[d] !== undefined);
    if (countedRun && !parties.some((p) => p.origin === 'site')) {
      ctx.logger.debug({ ledger, nights: run.dates }, 'conflicts: hub-only excess against a source count; not a conflict');
      continue;
    }
    runs.push({ run, parties });
  }
  return runs;
}

async function timeConflicts(ctx: ConflictContext, info: LedgerInfo, snap: LedgerSnapshot, claims: readonly TimeClaim[],
  window: { from: number; to: number }, live: Live): Promise<Evaluation['runs']> {
  const ledger = info.ledger;
  // A live hold's claim is not a booking.
  const booked = claims.filter((c) => c.origin === 'site' || !snap.holds.has(c.owner));
  const spans = booked.map((c) => ({ start: c.start, end: c.end, q: c.quantity }));
  const found = timeRuns(spans, info.capacity, window.from, window.to);
  if (found.length === 0) return [];
  const { live: resvs, modified } = await live();
  const byClaim = new Map<string, { r: LiveReservation; it: HubItem }>();
  for (const r of resvs) for (const it of r.items) if (it.claimKey) byClaim.set(it.claimKey, { r, it });
  return found.map((run) => {
    const parties = new Map<string, Party>();
    for (const c of booked) {
      if (!(c.start < run.end && c.end > run.start)) continue;
      const span = { start: c.start, end: c.end, q: c.quantity };
      if (c.origin === 'site') {
        const data = snap.sites.get(c.site);
        const party = siteParty(ctx, c.site, c.externalId, ledger, data?.claims.get(c.externalId), data?.seen.get(c.externalId), { span });
        parties.set(party.ref, party);
        continue;
      }
      const hit = byClaim.get(c.key);
      if (!hit) {
        ctx.logger.debug({ ledger, claim: c.key }, 'conflicts: a hub claim without a live reservation');
        continue;
      }
      const party = hubParty(hit.r, hit.it, modified.get(hit.r.id), { span });
      if (!parties.has(party.ref)) parties.set(party.ref, party);
    }
    return { run, parties: [...parties.values()] };
  });
}

function siteParty(ctx: ConflictContext, site: string, externalId: string, ledger: string,
  claim: Pick<SourceClaim, 'createdAt' | 'updatedAt'> | undefined, seen: SeenBooking | undefined, where: Where): Party {
  return {
    ref: `site:${site}:${externalId}`, origin: 'site', site, resource: seen?.resource || ctx.ledgers.resourceAt(ledger, site),
    externalId,
    createdAt: claim?.createdAt ?? seen?.createdAt ?? null, updatedAt: claim?.updatedAt ?? seen?.updatedAt ?? null,
    firstSeen: seen?.firstSeen ?? null,
    ...(seen?.title ? { title: seen.title } : {}), ...(seen?.link ? { link: seen.link } : {}),
    ...where,
  };
}

function hubParty(r: LiveReservation, it: HubItem, modifiedAt: number | undefined, where: Where): Party {
  return {
    ref: `hub:${r.id}`, origin: 'hub', site: it.site, resource: it.resource, reservationId: r.id, status: r.status,
    createdAt: r.createdAt || null, updatedAt: Math.max(r.createdAt, modifiedAt ?? 0) || null, firstSeen: r.createdAt || null,
    ...(it.externalId ? { externalId: it.externalId } : {}),
    ...where,
  };
}
