import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { AlertEvent, AlertSink } from '../core/alerts.js';
import type { GroupConfig, HubConfig, SiteConfig } from '../config/types.js';
import { localDateOf } from '../domain/index.js';
import type { Catalog, CatalogEntry } from '../core/catalog.js';
import { HubError, notFound } from '../core/errors.js';
import type { HubKeys } from '../store/keys.js';
import type { AvailabilityStore } from '../store/store.js';
import type { SiteAdapters } from '../core/adapter/site-adapters.js';
import type { PullResult } from '../core/adapter/port.js';
import { toClaims } from '../core/claims.js';
import { nightDays, nightRuns, timeRuns, type LuaClaim, type MetaRecord, type Party, type Run } from './evaluate.js';
import { isMirrorReference } from '../core/mirror-ids.js';
import { Mirror } from './mirror.js';
import { decide, type PolicyContext } from './policy.js';
import { ConflictStore, type LiveReservation, type NightRaw } from './store.js';
import type { AuditEntry, ConflictBooking, ConflictRecord, StaffDecision } from './types.js';

export interface ConflictDeps {
  redis: Redis;
  keys: HubKeys;
  store: AvailabilityStore;
  catalog: Catalog;
  config: HubConfig;
  alerts: AlertSink;
  logger: Logger;
}

/** What a poll tells the conflict service beyond the claims it applied. */
interface PollFacts {
  site: SiteConfig;
  result: PullResult;
  /** Hub references on the pulled bookings that are the hub's own (reservations, mirrored blocks). */
  hubReferences: ReadonlySet<string>;
}

interface LedgerInfo {
  ledger: string;
  bookedBy: 'night' | 'time';
  capacity: number;
  entries: CatalogEntry[];
  sites: string[];
  group: GroupConfig;
  shared?: string;
  tz: string;
}

interface Evaluation {
  info: LedgerInfo;
  now: number;
  today: string;
  runs: Array<{ run: Run; parties: Party[] }>;
}

const MEMBER = /^(.*)\|(-?\d+)\|(-?\d+)\|(\d+)$/;
const iso = (ms: number) => new Date(ms).toISOString();
const isoOrNull = (ms: number | null | undefined) => (ms === null || ms === undefined || !Number.isFinite(ms) || ms <= 0 ? null : iso(ms));

/**
 * Detects and settles conflicts: capacity exceeded on some ledger and night or interval (a
 * booking made at a site during a sync window, one shared resource sold at two sites). Runs after
 * every poll, after hub cancellations and modifications, and on staff decisions; one ledger at a
 * time (a lock), so concurrent polls of two member sites cannot open the same conflict twice.
 */
export class ConflictService {
  readonly data: ConflictStore;
  private readonly ledgers = new Map<string, CatalogEntry[]>();
  private readonly mirror: Mirror;

  constructor(private readonly deps: ConflictDeps) {
    this.data = new ConflictStore(deps.redis, deps.keys);
    this.mirror = new Mirror(deps);
    for (const site of deps.catalog.sites()) {
      for (const entry of deps.catalog.entriesOf(site.id)) {
        const list = this.ledgers.get(entry.ledger) ?? [];
        list.push(entry);
        this.ledgers.set(entry.ledger, list);
      }
    }
  }

  // ---- triggers -------------------------------------------------------------------------------

  /**
   * After a poll applied: remembers when bookings were first seen (and the bookings of count-only
   * resources), then checks the site's ledgers.
   */
  async afterPoll(site: SiteConfig, result: PullResult, adapters?: SiteAdapters): Promise<void> {
    await this.recordSeen({ site, result, hubReferences: await this.hubReferences(result) });
    if (adapters) await this.mirror.afterPoll(site, adapters);
    await this.checkSite(site.id);
  }

  /** References on pulled bookings that are the hub's own: live or past reservations, mirrored blocks. */
  async hubReferences(result: PullResult): Promise<Set<string>> {
    const refs = [...new Set(result.bookings.map((b) => b.hubReference).filter((r): r is string => !!r))];
    const out = new Set<string>(refs.filter(isMirrorReference));
    const rest = refs.filter((r) => !out.has(r));
    if (rest.length > 0) {
      const pipe = this.deps.redis.pipeline();
      for (const r of rest) pipe.exists(this.deps.keys.reservation(r));
      const found = (await pipe.exec()) ?? [];
      rest.forEach((r, i) => { if (found[i]?.[1] === 1) out.add(r); });
    }
    return out;
  }

  async checkSite(siteId: string): Promise<void> {
    await this.checkLedgers([...new Set(this.deps.catalog.entriesOf(siteId).map((e) => e.ledger))]);
  }

  /** After a hub reservation was cancelled, modified or confirmed: its ledgers and its conflicts. */
  async checkReservation(reservationId: string): Promise<void> {
    const ledgers = new Set<string>();
    const items = await this.deps.redis.hget(this.deps.keys.reservation(reservationId), 'items');
    try {
      for (const it of JSON.parse(items ?? '[]') as LuaClaim[]) if (typeof it.l === 'string') ledgers.add(it.l);
    } catch { /* unreadable items: only the conflicts below */ }
    for (const rec of await this.data.getMany(await this.data.openIds())) {
      if (rec.bookings.some((b) => b.reservationId === reservationId)) ledgers.add(rec.ledger);
    }
    await this.checkLedgers([...ledgers]);
  }

  /** Every ledger with an open conflict (a periodic sweep catches what no trigger saw). */
  async recheckOpen(): Promise<void> {
    const recs = await this.data.getMany(await this.data.openIds());
    await this.checkLedgers([...new Set(recs.map((r) => r.ledger))]);
  }

  async checkLedgers(ledgers: readonly string[]): Promise<void> {
    for (const ledger of ledgers) {
      if (!this.ledgers.has(ledger)) continue;
      await this.data.withLock(ledger, () => this.checkLedger(ledger));
    }
  }

  // ---- reading --------------------------------------------------------------------------------

  async list(status?: 'open' | 'resolved', limit = 200): Promise<ConflictRecord[]> {
    return this.data.list(status, limit);
  }

  async get(id: string): Promise<ConflictRecord | null> {
    return this.data.get(id);
  }

  // ---- staff ----------------------------------------------------------------------------------

  /**
   * Applies a staff decision: keep one booking (the others give way in the policy's order until
   * capacity is met), cancel some, or accept the overbooking. Hub reservations are cancelled
   * through the hub's cancel path (the outbox writes the cancellation to the site); a site's own
   * booking cannot be cancelled by the hub and is listed for staff to cancel at the site.
   */
  async resolve(id: string, decision: StaffDecision):
  Promise<{ conflict: ConflictRecord; cancelled: string[]; cancelAtSite: string[] }> {
    const first = await this.data.get(id);
    if (!first) throw notFound('conflict', id);
    return this.data.withLock(first.ledger, async () => {
      await this.checkLedger(first.ledger);
      const rec = (await this.data.get(id))!;
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
      const ev = await this.evaluate(rec.ledger);
      const match = ev.runs.find((r) => overlaps(rec, r.run));
      const now = ev.now;
      const cancelled: string[] = [];
      const atSite: string[] = [];
      if (decision.action === 'accept') {
        rec.status = 'resolved';
        rec.resolution = 'accepted';
        rec.resolvedAt = iso(now);
        rec.acceptedRefs = [...refs].sort();
        rec.outcome = { decidedBy: 'staff', accepted: true, stands: [...refs].sort(), losers: [],
          summary: `staff accepted the overbooking${decision.note ? `: ${decision.note}` : ''}` };
        audit(rec, now, 'staff', 'accept', `accepted ${rec.excess} unit(s) over capacity; all ${refs.size} bookings stand${decision.note ? ` (${decision.note})` : ''}`);
        rec.updatedAt = iso(now);
        await this.data.save(rec, { active: true });
        await this.emit([this.event('conflict.resolved', rec)]);
        return { conflict: rec, cancelled, cancelAtSite: atSite };
      }
      let losers: string[];
      let stands: string[];
      if (decision.action === 'keep') {
        if (!match) {
          losers = [];
          stands = [...refs];
        } else {
          const d = decide(match.run, match.parties, this.policyContext(ev.info), decision.keep);
          losers = d.losers.map((p) => p.ref);
          stands = d.stands.map((p) => p.ref);
          audit(rec, now, 'staff', 'keep', `keep ${decision.keep}; ${d.reason}; gives way: ${losers.join(', ') || 'none'}`);
        }
      } else {
        losers = [...new Set(decision.cancel)];
        stands = [...refs].filter((r) => !losers.includes(r));
        audit(rec, now, 'staff', 'cancel', `cancel ${losers.join(', ')}`);
      }
      const outcome: NonNullable<ConflictRecord['outcome']>['losers'] = [];
      for (const ref of losers) {
        const booking = rec.bookings.find((b) => b.ref === ref)!;
        if (booking.origin === 'hub' && booking.reservationId) {
          await this.cancelHub(rec, booking, now, 'staff');
          cancelled.push(ref);
          outcome.push({ ref, action: 'cancelled' });
        } else {
          atSite.push(ref);
          outcome.push({ ref, action: 'cancel-at-site' });
          audit(rec, now, 'staff', 'cancel-at-site', `${siteBookingText(booking)} is the site's own booking: the hub cannot cancel it; cancel it in ${this.siteName(booking.site)}'s system and the next poll closes this conflict`);
        }
      }
      rec.atSite = [...new Set([...(rec.atSite ?? []), ...atSite])];
      rec.outcome = { decidedBy: 'staff', stands, losers: outcome,
        summary: `staff decided: ${stands.join(', ') || 'nothing'} stand(s); ${outcome.map((l) => `${l.ref} ${l.action === 'cancelled' ? 'cancelled' : 'to cancel at its site'}`).join(', ') || 'nothing cancelled'}` };
      rec.decidedFor = [...refs].sort();
      rec.updatedAt = iso(now);
      await this.data.save(rec, { active: true });
      await this.checkLedger(rec.ledger);
      return { conflict: (await this.data.get(id))!, cancelled, cancelAtSite: atSite };
    });
  }

  /** The API records modification times of hub reservations (for last-write-wins). */
  async reservationModified(reservationId: string): Promise<void> {
    await this.data.markModified(reservationId, Date.now());
  }

  // ---- detection ------------------------------------------------------------------------------

  private info(ledger: string): LedgerInfo {
    const entries = this.ledgers.get(ledger)!;
    const shared = ledger.startsWith('s:') ? ledger.slice(2) : undefined;
    let home = entries[0]!;
    if (shared) {
      const first = this.deps.config.shared.find((s) => s.id === shared)?.members[0];
      home = entries.find((e) => e.site.id === first?.site && e.resource.id === first?.resource) ?? home;
    }
    return {
      ledger, bookedBy: home.resource.bookedBy, capacity: home.capacity, entries,
      sites: [...new Set(entries.map((e) => e.site.id))], group: home.group, tz: home.site.timezone,
      ...(shared ? { shared } : {}),
    };
  }

  private policyContext(info: LedgerInfo): PolicyContext {
    return {
      policy: info.group.conflictPolicy,
      origins: info.group.priority,
      sitePriority: (site) => this.deps.catalog.site(site)?.priority ?? 100,
    };
  }

  private async evaluate(ledger: string): Promise<Evaluation> {
    const info = this.info(ledger);
    const future = this.deps.config.defaults.syncWindow.future;
    const start = Date.now();
    const snap = await this.data.snapshot([info.bookedBy === 'night'
      ? { l: ledger, by: 'night' } : { l: ledger, by: 'time', from: start, to: start + future }], info.sites);
    const now = snap.now;
    const today = localDateOf(now, info.tz);
    const last = localDateOf(now + future, info.tz);
    let reservations: LiveReservation[] | undefined;
    const live = async () => {
      if (!reservations) {
        const all = await this.data.liveReservations();
        reservations = all.filter((r) => !snap.holds.has(r.holdId));
      }
      return reservations;
    };
    const runs: Evaluation['runs'] = [];
    if (info.bookedBy === 'night') {
      const raw = snap.ledgers[0] as NightRaw;
      const holds = [...snap.holds.values()].flat().filter((it) => it.l === ledger && it.by === 'night');
      const sourceClaims: Array<LuaClaim & { site: string; id: string }> = [];
      const counted: Array<MetaRecord & { site: string; id: string }> = [];
      for (const site of info.sites) {
        const s = snap.sites.get(site)!;
        for (const [id, c] of s.src) if (c.l === ledger && c.by === 'night') sourceClaims.push({ ...c, site, id });
        for (const [id, m] of s.meta) if (m.k === 1 && m.l === ledger && m.by === 'night') counted.push({ ...m, site, id });
      }
      const dates = new Set<string>([...Object.keys(raw.n), ...Object.keys(raw.sn), ...counted.flatMap((c) => c.d ?? [])]);
      const { over, inventory } = nightDays({
        capacity: info.capacity, dates: [...dates].filter((d) => d >= today && d <= last).sort(),
        n: raw.n, sn: raw.sn, rep: raw.rep, inv: raw.inv, unrep: raw.unrep, holds, sourceClaims, counted,
      });
      await this.data.rememberInventory(ledger, inventory);
      const found = nightRuns(over);
      if (found.length > 0) {
        const resvs = await live();
        const mods = await this.data.modifiedTimes(resvs.map((r) => r.id));
        for (const run of found) {
          const inRun = (d: string[] | undefined, q: number) => new Map((d ?? []).filter((x) => run.days.has(x)).map((x) => [x, q] as const));
          const parties: Party[] = [];
          for (const r of resvs) {
            const nights = new Map<string, number>();
            let first: LiveReservation['items'][number] | undefined;
            for (const it of r.items) {
              if (it.l !== ledger || it.by !== 'night') continue;
              for (const [d, q] of inRun(it.d, it.q)) { nights.set(d, (nights.get(d) ?? 0) + q); first ??= it; }
            }
            if (first) parties.push(hubParty(r, first, mods.get(r.id), { nights }));
          }
          for (const c of [...sourceClaims, ...counted]) {
            const nights = inRun(c.d, c.q);
            if (nights.size === 0) continue;
            const meta = snap.sites.get(c.site)!.meta.get(c.id);
            parties.push(this.siteParty(c.site, c.id, ledger, c, meta, { nights }));
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
          const countedRun = run.dates.some((d) => raw.sn[d] !== undefined);
          if (countedRun && !parties.some((p) => p.origin === 'site')) {
            this.deps.logger.debug({ ledger, nights: run.dates }, 'conflicts: hub-only excess against a source count; not a conflict');
            continue;
          }
          runs.push({ run, parties });
        }
      }
    } else {
      const raw = snap.ledgers[0] as { t: string[] };
      const spans: Array<{ start: number; end: number; q: number; member: string; claim: string }> = [];
      for (const member of raw.t) {
        const m = MEMBER.exec(member);
        if (!m) continue;
        const claim = m[1]!;
        if (claim.startsWith('h:') && snap.holds.has(claim.slice(2).split(':')[0]!)) continue; // a live hold
        spans.push({ start: Number(m[2]), end: Number(m[3]), q: Number(m[4]), member, claim });
      }
      const found = timeRuns(spans, info.capacity, now, now + future);
      if (found.length > 0) {
        const resvs = await live();
        const byMember = new Map<string, { r: LiveReservation; it: LiveReservation['items'][number] }>();
        for (const r of resvs) for (const it of r.items) if (it.m) byMember.set(it.m, { r, it });
        const mods = await this.data.modifiedTimes(resvs.map((r) => r.id));
        for (const run of found) {
          const parties = new Map<string, Party>();
          for (const s of spans) {
            if (!(s.start < run.end && s.end > run.start)) continue;
            const span = { start: s.start, end: s.end, q: s.q };
            if (s.claim.startsWith('src:')) {
              const rest = s.claim.slice(4);
              const site = rest.slice(0, rest.indexOf(':'));
              const ext = rest.slice(site.length + 1);
              const data = snap.sites.get(site);
              const party = this.siteParty(site, ext, ledger, data?.src.get(ext), data?.meta.get(ext), { span });
              parties.set(party.ref, party);
            } else {
              const hit = byMember.get(s.member);
              if (!hit) {
                this.deps.logger.debug({ ledger, claim: s.claim }, 'conflicts: a hub claim without a live reservation');
                continue;
              }
              const party = hubParty(hit.r, hit.it, mods.get(hit.r.id), { span });
              if (!parties.has(party.ref)) parties.set(party.ref, party);
            }
          }
          runs.push({ run, parties: [...parties.values()] });
        }
      }
    }
    return { info, now, today, runs };
  }

  private siteParty(site: string, externalId: string, ledger: string, claim: LuaClaim | MetaRecord | undefined,
    meta: MetaRecord | undefined, where: { nights: Map<string, number> } | { span: { start: number; end: number; q: number } }): Party {
    const resource = meta?.r ?? this.ledgers.get(ledger)!.find((e) => e.site.id === site)?.resource.id ?? '';
    return {
      ref: `site:${site}:${externalId}`, origin: 'site', site, resource, externalId,
      createdAt: claim?.c ?? meta?.c ?? null, updatedAt: claim?.u ?? meta?.u ?? null, firstSeen: meta?.f ?? null,
      ...where,
    };
  }

  /** Detects the ledger's runs over capacity, matches them to its conflicts, settles them. */
  private async checkLedger(ledger: string, depth = 0): Promise<void> {
    const ev = await this.evaluate(ledger);
    const active = await this.data.getMany(await this.data.activeIds(ledger));
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
          this.close(other, now, 'merged', `merged into conflict ${rec.id} (the overbooked nights or times joined)`, events);
          await this.data.save(other, { active: false });
        }
      } else {
        const id = conflictId(ledger, run);
        const prior = await this.data.get(id);
        if (prior) {
          rec = prior;
        } else {
          rec = this.newRecord(id, ev.info, now);
          opened = true;
        }
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
      this.refresh(rec, run, parties, ev.info, now);
      const refs = parties.map((p) => p.ref).sort();
      if (rec.status === 'resolved') {
        const newcomers = refs.filter((r) => !(rec.acceptedRefs ?? []).includes(r));
        if (rec.resolution === 'accepted' && newcomers.length === 0) {
          await this.data.save(rec, { active: true });
          continue;
        }
        const why = rec.resolution === 'accepted'
          ? `new booking(s) ${newcomers.join(', ')} on top of an overbooking staff had accepted`
          : 'capacity is exceeded again';
        rec.status = 'open';
        delete rec.resolution;
        delete rec.resolvedAt;
        delete rec.acceptedRefs;
        delete rec.decidedFor;
        rec.outcome = null;
        audit(rec, now, 'hub', 'reopened', `${why}: ${this.overText(rec)}`);
        opened = true;
      } else if (opened) {
        audit(rec, now, 'hub', 'opened', this.overText(rec));
      }
      const newcomers = refs.filter((r) => !(rec.decidedFor ?? []).includes(r));
      if (newcomers.length > 0) {
        if (rec.decidedFor) audit(rec, now, 'hub', 'changed', `booking(s) ${newcomers.join(', ')} joined; the policy decides again`);
        acted = (await this.applyPolicy(rec, run, parties, ev.info, now)) || acted;
      }
      await this.data.save(rec, { active: true });
      if (opened) events.push(this.event('conflict.opened', rec));
    }
    for (const rec of active) {
      if (used.has(rec.id)) continue;
      const past = isPast(rec, ev.today, now);
      const detail = past ? 'its nights or times have passed' : `capacity is no longer exceeded${await this.whatChanged(rec)}`;
      this.close(rec, now, past ? 'past' : 'cleared', detail, events);
      await this.data.save(rec, { active: false });
    }
    await this.emit(events);
    if (acted && depth < 2) await this.checkLedger(ledger, depth + 1);
  }

  private newRecord(id: string, info: LedgerInfo, now: number): ConflictRecord {
    return {
      id, status: 'open', ledger: info.ledger, ...(info.shared ? { shared: info.shared } : {}), bookedBy: info.bookedBy,
      group: info.group.id, workflow: info.group.workflow, policy: info.group.conflictPolicy, capacity: info.capacity,
      when: { nights: [] }, excess: 0, sites: [], resources: [], bookings: [], outcome: null,
      openedAt: iso(now), updatedAt: iso(now), audit: [],
    };
  }

  private refresh(rec: ConflictRecord, run: Run, parties: Party[], info: LedgerInfo, now: number): void {
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

  /** The group's rule: orders the bookings, keeps them while they fit, acts on the rest. */
  private async applyPolicy(rec: ConflictRecord, run: Run, parties: Party[], info: LedgerInfo, now: number): Promise<boolean> {
    const ctx = this.policyContext(info);
    rec.decidedFor = parties.map((p) => p.ref).sort();
    if (ctx.policy === 'manual') {
      rec.outcome = { decidedBy: 'none', stands: [], losers: [],
        summary: 'manual review: nothing is cancelled automatically; staff keep one booking, cancel some, or accept the overbooking' };
      audit(rec, now, 'hub', 'awaiting-staff', `policy manual (group ${info.group.id}): waiting for a staff decision`);
      return false;
    }
    const d = decide(run, parties, ctx);
    audit(rec, now, 'hub', 'policy', `${d.reason}; stand(s): ${d.stands.map((p) => p.ref).join(', ')}; give(s) way: ${d.losers.map((p) => p.ref).join(', ') || 'none'}`);
    const losers: NonNullable<ConflictRecord['outcome']>['losers'] = [];
    let acted = false;
    for (const p of d.losers) {
      const booking = rec.bookings.find((b) => b.ref === p.ref)!;
      if (p.origin === 'hub' && p.reservationId) {
        await this.cancelHub(rec, booking, now, 'hub');
        losers.push({ ref: p.ref, action: 'cancelled' });
        acted = true;
      } else {
        losers.push({ ref: p.ref, action: 'cancel-at-site' });
        audit(rec, now, 'hub', 'proposed', `${siteBookingText(booking)} is the site's own booking, which the hub cannot cancel: proposed action for staff: cancel it in ${this.siteName(p.site)}'s system (or accept the overbooking); the next poll closes this conflict`);
      }
    }
    rec.outcome = {
      decidedBy: 'policy', stands: d.stands.map((p) => p.ref), losers,
      summary: `${ctx.policy}: ${d.stands.map((p) => p.ref).join(', ')} stand(s); ${losers.map((l) => `${l.ref} ${l.action === 'cancelled' ? 'cancelled by the hub' : 'to be cancelled at its site by staff'}`).join(', ')}`,
    };
    return acted;
  }

  /** Cancels a hub reservation through the ordinary cancel path (outbox → write-back cancel). */
  private async cancelHub(rec: ConflictRecord, booking: ConflictBooking, now: number, actor: 'hub' | 'staff'): Promise<void> {
    const id = booking.reservationId!;
    const resv = await this.deps.store.getReservation(id);
    const result = await this.deps.store.cancelReservation(id, actor === 'hub' ? `conflict:${rec.id}` : `staff:conflict:${rec.id}`);
    if (result.kind !== 'ok') {
      audit(rec, now, actor, 'cancel', `reservation ${id} was already ${resv?.status ?? 'gone'}; nothing to cancel`);
      return;
    }
    const written = resv?.items.filter((it) => it.writeback) ?? [];
    const where = written.length > 0
      ? `the cancellation goes to ${[...new Set(written.map((it) => this.siteName(it.site)))].join(', ')} through the outbox (write-back cancel${written.some((it) => it.externalId) ? ` of ${written.flatMap((it) => (it.externalId ? [it.externalId] : [])).join(', ')}` : '; it was not written there yet'})`
      : 'the hub is the site\'s system of record, so nothing is written back';
    audit(rec, now, actor, 'cancelled', `cancelled hub reservation ${id} (was ${result.previous}) through the hub's cancel path; ${where}`);
  }

  private close(rec: ConflictRecord, now: number, resolution: NonNullable<ConflictRecord['resolution']>, detail: string, events: AlertEvent[]): void {
    rec.updatedAt = iso(now);
    if (rec.status === 'open') {
      rec.status = 'resolved';
      rec.resolution = resolution;
      rec.resolvedAt = iso(now);
      audit(rec, now, 'hub', 'resolved', detail);
      events.push(this.event('conflict.resolved', rec));
    } else {
      audit(rec, now, 'hub', 'cleared', detail);
    }
  }

  private async whatChanged(rec: ConflictRecord): Promise<string> {
    const parts: string[] = [];
    for (const b of rec.bookings) {
      if (b.origin === 'hub' && b.reservationId) {
        const status = await this.deps.redis.hget(this.deps.keys.reservation(b.reservationId), 'status');
        if (status !== 'pending' && status !== 'confirmed') parts.push(`reservation ${b.reservationId} is ${status ?? 'gone'}`);
      } else if (b.externalId) {
        if (!(await this.deps.redis.hexists(this.data.meta(b.site), b.externalId))) {
          parts.push(`booking ${b.externalId} is gone from ${this.siteName(b.site)}`);
        }
      }
    }
    return parts.length > 0 ? `: ${parts.join('; ')}` : '';
  }

  private overText(rec: ConflictRecord): string {
    const what = rec.resources.map((r) => `${r.site}/${r.resource}`).join(' + ') || rec.ledger;
    const when = 'nights' in rec.when ? `night(s) ${rec.when.nights.join(', ')}` : `${rec.when.start} to ${rec.when.end}`;
    return `${what} over capacity on ${when}: ${rec.excess} unit(s) more than ${rec.capacity} (bookings: ${rec.bookings.map((b) => b.ref).join(', ')})`;
  }

  private event(name: 'conflict.opened' | 'conflict.resolved', rec: ConflictRecord): AlertEvent {
    const summary = name === 'conflict.opened'
      ? `Double booking: ${this.overText(rec)}. ${rec.outcome?.summary ?? ''}`.trim()
      : `Conflict settled: ${rec.resources.map((r) => `${r.site}/${r.resource}`).join(' + ')} (${rec.resolution}): ${rec.audit[rec.audit.length - 1]?.detail ?? ''}`;
    return {
      event: name, ...(rec.sites[0] ? { site: rec.sites[0] } : {}), group: rec.group,
      incident: `conflict:${rec.id}`, ...(name === 'conflict.resolved' ? { closes: true } : {}),
      summary,
      details: { conflict: rec.id, ledger: rec.ledger, when: rec.when, policy: rec.policy, bookings: rec.bookings.map((b) => b.ref),
        ...(rec.outcome ? { outcome: rec.outcome } : {}), ...(rec.resolution ? { resolution: rec.resolution } : {}) },
    };
  }

  private async emit(events: AlertEvent[]): Promise<void> {
    for (const e of events) {
      await this.deps.alerts.emit(e).catch((err: unknown) =>
        this.deps.logger.warn({ err: (err as Error).message, event: e.event }, 'conflicts: alert not raised'));
    }
  }

  private siteName(site: string): string {
    return this.deps.catalog.site(site)?.name ?? site;
  }

  // ---- poll facts -----------------------------------------------------------------------------

  /**
   * Keeps, per source booking, when the hub first saw it (first-come falls back to it) and, for
   * resources whose source reports counts (those bookings are not claims), the booking itself.
   */
  private async recordSeen({ site, result, hubReferences }: PollFacts): Promise<void> {
    const counted = new Set(result.counts.map((c) => c.resource));
    const plan = toClaims(site.id, result.bookings, this.deps.catalog, hubReferences);
    const resourceOf = new Map(result.bookings.map((b) => [b.externalId, b.resource] as const));
    const key = this.data.meta(site.id);
    const ids = plan.upserts.map((u) => u.id);
    const before = ids.length > 0 ? await this.deps.redis.hmget(key, ...ids) : [];
    const now = Date.now();
    const records: Record<string, string> = {};
    plan.upserts.forEach((u, i) => {
      let f = now;
      try { f = (JSON.parse(before[i] ?? 'null') as MetaRecord | null)?.f ?? now; } catch { /* first seen now */ }
      const resource = resourceOf.get(u.id) ?? '';
      const rec: MetaRecord = {
        f, k: counted.has(resource) ? 1 : 0, r: resource, l: u.ledger, by: u.by, q: u.quantity,
        ...(u.by === 'night' ? { d: u.nights ?? [] } : { s: u.start!, e: u.end! }),
        ...(u.createdAt !== undefined ? { c: u.createdAt } : {}), ...(u.updatedAt !== undefined ? { u: u.updatedAt } : {}),
      };
      records[u.id] = JSON.stringify(rec);
    });
    const m = this.deps.redis.multi();
    if (result.mode === 'full') m.del(key);
    const gone = [...result.removed, ...plan.removed];
    if (gone.length > 0 && result.mode !== 'full') m.hdel(key, ...gone);
    if (ids.length > 0) m.hset(key, records);
    await m.exec();
  }
}

function hubParty(r: LiveReservation, it: LiveReservation['items'][number], modifiedAt: number | undefined,
  where: { nights: Map<string, number> } | { span: { start: number; end: number; q: number } }): Party {
  return {
    ref: `hub:${r.id}`, origin: 'hub', site: it.site ?? '', resource: it.res ?? '', reservationId: r.id, status: r.status,
    createdAt: r.createdAt || null, updatedAt: Math.max(r.createdAt, modifiedAt ?? 0) || null, firstSeen: r.createdAt || null,
    ...(it.x ? { externalId: it.x } : {}),
    ...where,
  };
}

function toBooking(p: Party): ConflictBooking {
  return {
    ref: p.ref, origin: p.origin, site: p.site, resource: p.resource,
    quantity: p.nights ? Math.max(0, ...p.nights.values()) : p.span?.q ?? 1,
    ...(p.nights ? { nights: [...p.nights.keys()].sort() } : {}),
    ...(p.span ? { start: iso(p.span.start), end: iso(p.span.end) } : {}),
    ...(p.reservationId ? { reservationId: p.reservationId } : {}),
    ...(p.externalId ? { externalId: p.externalId } : {}),
    ...(p.status ? { status: p.status } : {}),
    createdAt: isoOrNull(p.createdAt), updatedAt: isoOrNull(p.updatedAt), firstSeenAt: isoOrNull(p.firstSeen),
  };
}

function siteBookingText(b: ConflictBooking): string {
  return b.ref.endsWith(':unlisted')
    ? `${b.quantity} unit(s) ${b.site} sold without listing them (a count-only source)`
    : `booking ${b.externalId ?? b.ref} at ${b.site}`;
}

function audit(rec: ConflictRecord, now: number, actor: AuditEntry['actor'], action: string, detail: string): void {
  rec.audit.push({ at: iso(now), actor, action, detail });
}

/** Stable per ledger and first night or start: the same overbooking found again is the same conflict. */
function conflictId(ledger: string, run: Run): string {
  const start = run.kind === 'night' ? run.dates[0]! : String(run.start);
  return `cf_${createHash('sha256').update(`${ledger}|${start}`).digest('hex').slice(0, 20)}`;
}

function overlaps(rec: ConflictRecord, run: Run): boolean {
  if (run.kind === 'night') return 'nights' in rec.when && rec.when.nights.some((d) => run.days.has(d));
  return 'start' in rec.when && Date.parse(rec.when.start) < run.end && Date.parse(rec.when.end) > run.start;
}

function isPast(rec: ConflictRecord, today: string, now: number): boolean {
  if ('nights' in rec.when) return rec.when.nights.length > 0 && rec.when.nights[rec.when.nights.length - 1]! < today;
  return Date.parse(rec.when.end) <= now;
}
