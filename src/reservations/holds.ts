import { createHash } from 'node:crypto';
import { randomToken } from '../core/random-bytes.js';
import { checkNightRules, checkTimeRules } from '../domain/index.js';
import type { AvailabilityStore } from '../store/store.js';
import type { ClaimItem, ClaimResult } from '../store/types.js';
import type { Catalog, CatalogEntry } from '../core/catalog.js';
import { refuseSoftLockConfirm, unconfirmedBySite } from '../core/workflows.js';
import { HubError, invalid, notFound } from '../core/errors.js';
import { resolveSpan, type HoldItemInput } from './item-span.js';
import { healthTracked, type SiteHealthReader } from '../health/site-health.js';
import type { RateTicket } from '../store/rate-limits.js';
import { claimAtRedisTime } from './rule-clock.js';

export interface CreateHoldInput {
  items: HoldItemInput[];
  /** The body named one item at its top level (errors then name `checkIn`, not `items[0].checkIn`). */
  single?: boolean | undefined;
  customer?: Record<string, unknown> | undefined;
  idempotencyKey?: string | undefined;
  /** Who asks: a widget key id or `admin`; scopes Idempotency-Keys and site access. */
  caller: { scope: string; sites?: ReadonlySet<string> | undefined };
  client?: { address: string; maxOpen: number } | undefined;
  /** A widget request's rate limit, counted in the claim's own round trip. */
  rate?: RateTicket | undefined;
}

export interface HoldView {
  id: string;
  expiresAt: string;
  status: string;
  replayed: boolean;
  /** Hybrid group, site limited: held by the hub, not yet confirmed by the site's own system. */
  unconfirmedBySite?: true;
}

export interface ConfirmView {
  reservationId: string;
  status: 'pending' | 'confirmed';
  token: string;
}

/** Opaque, unguessable ids: a hold id is a capability, so it must not be enumerable. */
const newId = (kind: 'h' | 'r') => `${kind}_${randomToken(18)}`;

/** hold → confirm: validates items against config and rules, then lets the store decide. */
export class HoldService {
  constructor(
    private readonly catalog: Catalog,
    private readonly store: AvailabilityStore,
    private readonly health: SiteHealthReader,
  ) {}

  async create(input: CreateHoldInput): Promise<HoldView> {
    if (input.items.length === 0) throw invalid('items', 'at least one item is needed');
    const idempotency = input.idempotencyKey
      ? { scope: input.caller.scope, key: input.idempotencyKey, fingerprint: fingerprint(input) } : undefined;
    // A replay answers first, whatever the site's health, the rules or the clock say now (one more
    // round trip, only for requests that carry an Idempotency-Key).
    const recorded = idempotency ? await this.store.recordedHold(idempotency) : undefined;
    if (recorded) return this.answer(recorded, []);
    // One round trip: the claim script counts the rate limit, checks its clock against the span the
    // rules were checked for, and reads the sites' health (rule-clock.ts).
    const { resolved, result } = await claimAtRedisTime({
      estimate: this.store.estimatedNow(),
      resolve: (now) => input.items.map((item, i) => this.resolveItem(item, i, input, now)),
      claim: (items, rulesHold, first) => this.store.claimHold({
        holdId: newId('h'),
        ttlMs: items ? Math.min(...items.map((r) => r.entry.holdTtl)) : 0,
        items: (items ?? []).map((r) => r.claim),
        ...(idempotency && items ? { idempotency } : {}),
        ...(input.client ? { client: { scope: input.caller.scope, ...input.client } } : {}),
        meta: { customer: input.customer ?? null, caller: input.caller.scope },
        rate: first ? input.rate : undefined,
        rulesHold,
        health: items ? this.healthAsks(items.map((r) => r.entry)) : { refuse: [], report: [] },
      }),
    });
    return this.answer(result, resolved);
  }

  private async answer(result: ClaimResult, resolved: Array<{ entry: CatalogEntry }>): Promise<HoldView> {
    switch (result.kind) {
      case 'ok': {
        const limited = new Set(result.limited);
        return { id: result.holdId, expiresAt: iso(result.expiresAt), status: 'held', replayed: false,
          ...(await unconfirmedBySite(resolved.map((r) => r.entry), async (s) => (limited.has(s) ? 'limited' : 'healthy')) ? { unconfirmedBySite: true as const } : {}) };
      }
      case 'site-limited': throw await this.siteLimited(resolved.find((r) => r.entry.site.id === result.site)!.entry);
      // claimAtRedisTime claims again at Redis' time; a second 'clock' would be a bug.
      case 'clock': throw new Error('the hold-claim script refused its clock twice');
      case 'replay':
        return { id: result.holdId, expiresAt: iso(result.expiresAt), status: result.status, replayed: true };
      case 'mismatch':
        throw new HubError(422, 'idempotency-key-reused', 'Idempotency-Key reused',
          'this Idempotency-Key was used for a different request; use a new key for a new hold');
      case 'too-many-holds':
        throw new HubError(429, 'too-many-holds', 'Too many open holds',
          `this client already has ${result.open} open holds; confirm or release one first`);
      case 'unavailable': {
        const r = resolved[result.itemIndex]!;
        throw new HubError(409, 'unavailable', 'Not available',
          `${r.entry.site.id}/${r.entry.resource.id} has no capacity left at ${whereText(result.where)}`,
          { item: result.itemIndex, site: r.entry.site.id, resource: r.entry.resource.id });
      }
    }
  }

  async confirm(holdId: string): Promise<ConfirmView> {
    const hold = await this.store.getHold(holdId);
    if (!hold) throw notFound('hold', holdId);
    if (hold.status === 'held') {
      const entries = hold.items.map((it) => this.catalog.entry(it.site, it.resource))
        .filter((e): e is CatalogEntry => e !== undefined);
      refuseSoftLockConfirm(entries);
      await this.refuseLimitedCentralized(entries);
    }
    const result = await this.store.confirmHold(holdId, newId('r'), randomToken(24));
    switch (result.kind) {
      case 'ok':
      case 'already':
        if (result.status !== 'pending' && result.status !== 'confirmed') {
          // Confirmed before, and since cancelled or failed: not a reservation to hand out again.
          throw new HubError(409, `reservation-${result.status === 'failed' ? 'failed' : 'cancelled'}`, 'Reservation ended',
            `hold "${holdId}" became reservation "${result.reservationId}", which is ${result.status}; make a new hold`,
            { reservationId: result.reservationId, reservationStatus: result.status });
        }
        return { reservationId: result.reservationId, status: result.status, token: result.token };
      case 'expired':
        throw new HubError(410, 'hold-expired', 'Hold expired', `hold "${holdId}" expired; make a new hold`);
      case 'released':
        throw new HubError(409, 'hold-released', 'Hold released', `hold "${holdId}" was released`);
      case 'missing':
        throw notFound('hold', holdId);
    }
  }

  async release(holdId: string): Promise<void> {
    const result = await this.store.releaseHold(holdId);
    if (result === 'missing') throw notFound('hold', holdId);
    if (result === 'confirmed') {
      throw new HubError(409, 'hold-confirmed', 'Hold confirmed',
        `hold "${holdId}" is already a reservation; cancel the reservation instead`);
    }
  }

  /** Resolves a changed item for PATCH /v1/reservations/{id}: the same checks as a new hold. */
  async resolveChange(item: HoldItemInput): Promise<{ entry: CatalogEntry; claim: ClaimItem }> {
    const now = await this.store.now();
    const resolved = this.resolveItem(item, 0, { items: [item], single: true, caller: { scope: 'admin' } }, now);
    await this.refuseLimitedCentralized([resolved.entry]);
    return resolved;
  }

  private resolveItem(item: HoldItemInput, i: number, input: CreateHoldInput, now: number):
  { entry: CatalogEntry; claim: ClaimItem } {
    const field = input.single ? '' : `items[${i}]`;
    if (input.caller.sites && !input.caller.sites.has(item.site)) {
      throw new HubError(403, 'forbidden-site', 'Site not allowed',
        `this key may not book site "${item.site}"`, { site: item.site });
    }
    const entry = this.catalog.entry(item.site, item.resource);
    if (!entry) {
      if (!this.catalog.site(item.site)) throw notFound('site', item.site);
      throw notFound('resource', `${item.site}/${item.resource}`);
    }
    const quantity = item.quantity ?? 1;
    if (!Number.isInteger(quantity) || quantity < 1 || quantity > entry.capacity) {
      throw invalid(field ? `${field}.quantity` : 'quantity', `must be a whole number from 1 to ${entry.capacity}`);
    }
    const span = resolveSpan(item, entry, field);
    const tz = entry.site.timezone;
    const violation = span.by === 'night'
      ? checkNightRules(entry.resource.rules, span.checkIn, span.checkOut, now, tz)
      : checkTimeRules(entry.resource.rules, span, now, tz);
    if (violation) {
      throw new HubError(422, violation.code, 'Outside the availability rules', violation.message,
        { item: i, site: entry.site.id, resource: entry.resource.id });
    }
    const rules = entry.resource.rules;
    return {
      entry,
      claim: {
        ledger: entry.ledger, by: span.by, quantity, capacity: entry.capacity,
        ...(span.by === 'night' ? { nights: span.nights } : { start: span.start, end: span.end }),
        bufferBefore: rules.bufferBefore ?? 0, bufferAfter: rules.bufferAfter ?? 0,
        site: entry.site.id, resource: entry.resource.id, writeback: entry.writeback,
      },
    };
  }

  /** A centralized group refuses to sell what it cannot write back (DESIGN §6). */
  private async refuseLimitedCentralized(entries: CatalogEntry[]): Promise<void> {
    for (const entry of entries) {
      if (entry.group.workflow !== 'centralized' || !entry.writeback) continue;
      if (await this.health.state(entry.site.id) === 'limited') throw await this.siteLimited(entry);
    }
  }

  /**
   * 503 `site-limited`, saying when to ask again: at the site's next probe (`nextProbeAt`,
   * `retryAfter` in seconds, also the Retry-After header), when the hub polls the site.
   */
  private async siteLimited(entry: CatalogEntry): Promise<HubError> {
    const now = Date.now();
    const next = await this.health.nextProbeAt(entry.site.id, now);
    const when = next === null ? {} : { nextProbeAt: iso(next), retryAfter: Math.max(1, Math.ceil((next - now) / 1000)) };
    return new HubError(503, 'site-limited', 'Site has limited availability',
      `site "${entry.site.id}" is not answering; its group "${entry.group.id}" only sells what it can write back`
        + (next === null ? '' : `; the hub asks the site again at ${iso(next)}`),
      { site: entry.site.id, ...when });
  }

  /** The same two questions for the claim script: sites that refuse when limited, and sites to report. */
  private healthAsks(entries: CatalogEntry[]): { refuse: string[]; report: string[] } {
    const sites = (workflow: string) => [...new Set(entries
      .filter((e) => e.group.workflow === workflow && e.writeback && healthTracked(e.site)).map((e) => e.site.id))];
    return { refuse: sites('centralized'), report: sites('hybrid') };
  }
}

function fingerprint(input: CreateHoldInput): string {
  return createHash('sha256').update(JSON.stringify({ items: input.items, customer: input.customer ?? null }))
    .digest('base64url');
}

const iso = (ms: number) => new Date(ms).toISOString();
const whereText = (where: string) => (/^\d+$/.test(where) ? iso(Number(where)) : where);
