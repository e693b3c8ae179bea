import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import type { HubConfig, SiteConfig } from '../config/types.js';
import type { Catalog } from '../core/catalog.js';
import type { SourceClaim } from '../core/claims.js';
import type { SiteAdapters } from '../core/adapter/site-adapters.js';
import type { WriteRequest } from '../core/adapter/port.js';
import type { MirroredBlock, MirrorStore } from '../store/conflicts/index.js';
import { mirrorReference } from '../core/mirror-ids.js';

/**
 * Busy blocks of shared resources in decentralized groups (DESIGN §1). A member that opts in
 * (`shared[].members[].mirror: true`) gets, in its own calendar, a block for every booking another
 * member's system holds of the shared resource, written through its adapter like a reservation:
 * with a deterministic reference (`m_...`, so a retry finds the first block and a poll of the
 * member knows the block is the hub's, not the site's), and cancelled when the original goes away
 * or moves. Runs after each poll of the member that holds the original. The blocks written are
 * kept in the store's mirror registry (MirrorStore).
 */
export class Mirror {
  constructor(private readonly deps: { mirrors: MirrorStore; catalog: Catalog; config: HubConfig; logger: Logger }) {}

  /** After a poll of `site` applied: brings the opted-in members' blocks in line with its bookings. */
  async afterPoll(site: SiteConfig, adapters: SiteAdapters): Promise<void> {
    for (const shared of this.deps.config.shared) {
      const own = shared.members.find((m) => m.site === site.id);
      if (!own) continue;
      const entry = this.deps.catalog.entry(own.site, own.resource);
      if (!entry || entry.group.workflow !== 'decentralized') continue;
      const targets = shared.members.filter((m) => m.mirror === true && m.site !== site.id);
      if (targets.length === 0) continue;
      const originals = await this.deps.mirrors.sourceClaims(site.id, entry.ledger);
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
    originals: Map<string, SourceClaim>, adapters: SiteAdapters): Promise<void> {
    const mirrors = this.deps.mirrors;
    const current = await mirrors.blocks(sharedId, target.id, from.id);
    const source = adapters.sourceSite(target);
    const resource = source.resources.find((r) => r.id === resourceId);
    if (!resource) return;
    const adapter = adapters.get(target);
    const request = (ref: string, idem: string, c: SourceClaim | null): WriteRequest => ({
      site: source, resource, reservationId: ref, idempotencyKey: idem,
      span: c === null ? { by: 'time', start: 0, end: 0 }
        : c.by === 'night' ? { by: 'night', nights: c.nights ?? [] } : { by: 'time', start: c.start!, end: c.end! },
      quantity: c?.quantity ?? 1,
      customer: { name: `Busy: booked at ${from.name} (mirrored by Availability Hub)` },
      signal: AbortSignal.timeout(30_000), throttle: adapters.throttle(target),
    });
    // Gone or moved: the block goes.
    for (const [externalId, m] of current) {
      const c = originals.get(externalId);
      if (c && m.key === idempotencyKey(m.ref, c)) continue;
      await adapter.cancel({ ...request(m.ref, m.key, c ?? null), externalId: m.externalId });
      await mirrors.forgetBlock(sharedId, target.id, from.id, externalId);
      current.delete(externalId);
      this.deps.logger.info({ from: from.id, to: target.id, externalId, block: m.externalId }, 'mirror: busy block removed');
    }
    // New (or moved): a block is written.
    for (const [externalId, c] of originals) {
      if (current.has(externalId)) continue;
      const ref = mirrorReference(sharedId, from.id, externalId, target.id);
      const idem = idempotencyKey(ref, c);
      const { externalId: x } = await adapter.reserve(request(ref, idem, c));
      await mirrors.saveBlock(sharedId, target.id, from.id, externalId, { ref, key: idem, externalId: x } satisfies MirroredBlock);
      this.deps.logger.info({ from: from.id, to: target.id, externalId, block: x }, 'mirror: busy block written');
    }
  }
}

function idempotencyKey(ref: string, c: SourceClaim): string {
  const span = c.by === 'night' ? (c.nights ?? []).join(',') : `${c.start}-${c.end}`;
  return `${ref}-${createHash('sha256').update(`${span}|${c.quantity}`).digest('hex').slice(0, 12)}`;
}
