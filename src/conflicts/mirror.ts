import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { HubConfig, SiteConfig } from '../config/types.js';
import type { Catalog } from '../core/catalog.js';
import type { HubKeys } from '../store/keys.js';
import type { SiteAdapters } from '../core/adapter/site-adapters.js';
import type { WriteRequest } from '../core/adapter/port.js';
import type { LuaClaim } from './evaluate.js';
import { mirrorReference } from '../core/mirror-ids.js';

/**
 * Busy blocks of shared resources in decentralized groups (DESIGN §1). A member that opts in
 * (`shared[].members[].mirror: true`) gets, in its own calendar, a block for every booking another
 * member's system holds of the shared resource, written through its adapter like a reservation:
 * with a deterministic reference (`m_...`, so a retry finds the first block and a poll of the
 * member knows the block is the hub's, not the site's), and cancelled when the original goes away
 * or moves. Runs after each poll of the member that holds the original.
 *
 *   <p>cf:mirror:<sharedId>:<targetSite>  hash  "<fromSite>|<externalId>" -> {ref, key, x}
 */
interface Mirrored {
  ref: string;
  /** Idempotency key of the write: the reference plus the span, so a move writes a new block. */
  key: string;
  /** The block's id in the target's system. */
  x: string;
}

export class Mirror {
  constructor(private readonly deps: { redis: Redis; keys: HubKeys; catalog: Catalog; config: HubConfig; logger: Logger }) {}

  private registry(shared: string, target: string): string {
    return `${this.deps.keys.prefix}cf:mirror:${shared}:${target}`;
  }

  /** After a poll of `site` applied: brings the opted-in members' blocks in line with its bookings. */
  async afterPoll(site: SiteConfig, adapters: SiteAdapters): Promise<void> {
    for (const shared of this.deps.config.shared) {
      const own = shared.members.find((m) => m.site === site.id);
      if (!own) continue;
      const entry = this.deps.catalog.entry(own.site, own.resource);
      if (!entry || entry.group.workflow !== 'decentralized') continue;
      const targets = shared.members.filter((m) => m.mirror === true && m.site !== site.id);
      if (targets.length === 0) continue;
      const ledger = entry.ledger;
      const originals = new Map<string, LuaClaim>();
      for (const [id, raw] of Object.entries(await this.deps.redis.hgetall(this.deps.keys.sourceBookings(site.id)))) {
        try {
          const c = JSON.parse(raw) as LuaClaim;
          if (c.l === ledger) originals.set(id, c);
        } catch { /* unreadable: skipped */ }
      }
      for (const t of targets) {
        const target = this.deps.catalog.site(t.site);
        if (!target || target.adapter.kind === 'none' || !adapters.definition(target).writable) continue;
        await this.sync(shared.id, site, target, t.resource, originals, adapters).catch((err: unknown) =>
          this.deps.logger.warn({ shared: shared.id, from: site.id, to: target.id, err: (err as Error).message },
            'mirror: busy blocks not brought up to date; the next poll tries again'));
      }
    }
  }

  private async sync(sharedId: string, from: SiteConfig, target: SiteConfig, resourceId: string,
    originals: Map<string, LuaClaim>, adapters: SiteAdapters): Promise<void> {
    const key = this.registry(sharedId, target.id);
    const current = new Map<string, Mirrored>();
    for (const [field, raw] of Object.entries(await this.deps.redis.hgetall(key))) {
      if (!field.startsWith(`${from.id}|`)) continue;
      try { current.set(field.slice(from.id.length + 1), JSON.parse(raw) as Mirrored); } catch { /* rewritten below */ }
    }
    const source = adapters.sourceSite(target);
    const resource = source.resources.find((r) => r.id === resourceId);
    if (!resource) return;
    const adapter = adapters.get(target);
    const request = (ref: string, idem: string, c: LuaClaim | null): WriteRequest => ({
      site: source, resource, reservationId: ref, idempotencyKey: idem,
      span: c === null ? { by: 'time', start: 0, end: 0 }
        : c.by === 'night' ? { by: 'night', nights: c.d ?? [] } : { by: 'time', start: c.s!, end: c.e! },
      quantity: c?.q ?? 1,
      customer: { name: `Busy: booked at ${from.name} (mirrored by Availability Hub)` },
      signal: AbortSignal.timeout(30_000), throttle: adapters.throttle(target),
    });
    // Gone or moved: the block goes.
    for (const [externalId, m] of current) {
      const c = originals.get(externalId);
      if (c && m.key === idempotencyKey(m.ref, c)) continue;
      await adapter.cancel({ ...request(m.ref, m.key, c ?? null), externalId: m.x });
      await this.deps.redis.hdel(key, `${from.id}|${externalId}`);
      current.delete(externalId);
      this.deps.logger.info({ from: from.id, to: target.id, externalId, block: m.x }, 'mirror: busy block removed');
    }
    // New (or moved): a block is written.
    for (const [externalId, c] of originals) {
      if (current.has(externalId)) continue;
      const ref = mirrorReference(sharedId, from.id, externalId, target.id);
      const idem = idempotencyKey(ref, c);
      const { externalId: x } = await adapter.reserve(request(ref, idem, c));
      await this.deps.redis.hset(key, `${from.id}|${externalId}`, JSON.stringify({ ref, key: idem, x } satisfies Mirrored));
      this.deps.logger.info({ from: from.id, to: target.id, externalId, block: x }, 'mirror: busy block written');
    }
  }
}

function idempotencyKey(ref: string, c: LuaClaim): string {
  const span = c.by === 'night' ? (c.d ?? []).join(',') : `${c.s}-${c.e}`;
  return `${ref}-${createHash('sha256').update(`${span}|${c.q}`).digest('hex').slice(0, 12)}`;
}
