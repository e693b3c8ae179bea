import type { CatalogEntry } from './catalog.js';
import { HubError } from './errors.js';

/*
 * The three orchestration workflows (DESIGN §1, docs/workflows.md), as they bear on holds:
 * - centralized: every booking goes through the hub; a limited site's holds and confirms are
 *   refused (`site-limited`, in HoldService) and config refuses read-only adapters;
 * - hybrid: holds are taken also while a site is limited; they are flagged `unconfirmedBySite`
 *   and the conflict policy settles what the site sold meanwhile once it answers again;
 * - decentralized: holds are soft locks only: they block the resource (every member of a shared
 *   one) in the hub's view until they expire (the group's holdTtl, 15 minutes by default), are
 *   never confirmed and never written back; the booking itself is made at the site.
 */

/** A decentralized group's hold cannot be confirmed: bookings are made at the site. */
export function refuseSoftLockConfirm(entries: readonly CatalogEntry[]): void {
  const soft = entries.find((e) => e.group.workflow === 'decentralized');
  if (!soft) return;
  throw new HubError(409, 'soft-lock-only', 'Soft lock only',
    `${soft.site.id}/${soft.resource.id} is in group "${soft.group.id}" (decentralized): the hub only takes soft locks there; `
    + `book it in ${soft.site.name}'s own system; this hold expires by itself (holdTtl ${Math.round(soft.holdTtl / 1000)}s)`,
    { site: soft.site.id, resource: soft.resource.id, group: soft.group.id });
}

/** Hybrid groups sell while a site is limited: the hold answer says the site has not confirmed it. */
export async function unconfirmedBySite(entries: readonly CatalogEntry[], state: (site: string) => Promise<string>): Promise<boolean> {
  for (const e of entries) {
    if (e.group.workflow !== 'hybrid' || !e.writeback) continue;
    if (await state(e.site.id) === 'limited') return true;
  }
  return false;
}
