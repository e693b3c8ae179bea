import { sameSecret } from '../domain/same-secret.js';
import { addDays } from '../domain/index.js';
import type { AvailabilityStore } from '../store/store.js';
import type { ReservationRecord, StoredItem } from '../store/types.js';
import { HubError, invalid, notFound } from '../core/errors.js';
import type { HoldService } from './holds.js';
import type { HoldItemInput } from './item-span.js';

export interface ReservationView {
  id: string;
  status: string;
  items: Array<{ site: string; resource: string; quantity: number; checkIn?: string; checkOut?: string; start?: string; end?: string }>;
  externalIds: Record<string, string>;
  customer: Record<string, unknown> | null;
  error?: string;
  createdAt: string;
  updatedAt: string;
}

/** Who may touch a reservation: the admin, or whoever holds its token. */
export type ReservationAccess = { admin: true } | { admin: false; token: string | undefined };

function tokenMatches(expected: string, given: string | undefined): boolean {
  return !!given && !!expected && sameSecret(expected, given);
}

export interface ReservationChange {
  /** Which item (0-based); default 0. */
  item?: number | undefined;
  resource?: string | undefined;
  quantity?: number | undefined;
  checkIn?: string | undefined;
  checkOut?: string | undefined;
  start?: string | undefined;
  end?: string | undefined;
}

/** Reading, modifying and cancelling reservations. */
export class ReservationService {
  constructor(private readonly store: AvailabilityStore, private readonly holds: HoldService) {}

  /**
   * Moves an item to new dates, times, quantity or resource at the same site. The new capacity
   * is claimed before the old is let go, in one step; when it does not fit nothing changes.
   */
  async modify(id: string, access: ReservationAccess, change: ReservationChange): Promise<ReservationView> {
    const r = await this.authorized(id, access);
    const index = change.item ?? 0;
    const current = r.items[index];
    if (!current) throw invalid('item', `this reservation has ${r.items.length} item(s); use 0 to ${r.items.length - 1}`);
    const view = itemView(current);
    const byNight = change.checkIn !== undefined || change.checkOut !== undefined || view.checkIn !== undefined;
    const next: HoldItemInput = {
      site: current.site,
      resource: change.resource ?? current.resource,
      quantity: change.quantity ?? current.quantity,
      ...(byNight
        ? { checkIn: change.checkIn ?? view.checkIn, checkOut: change.checkOut ?? view.checkOut }
        : { start: change.start ?? view.start, end: change.end ?? view.end }),
    };
    const { claim } = await this.holds.resolveChange(next);
    const result = await this.store.modifyReservation(id, index, claim);
    switch (result.kind) {
      case 'ok': return toView((await this.store.getReservation(id))!);
      case 'missing': throw notFound('reservation', id);
      case 'no-item': throw invalid('item', 'no such item');
      case 'not-modifiable':
        throw new HubError(409, result.status === 'pending' ? 'reservation-pending' : 'reservation-not-modifiable',
          'Reservation cannot be changed now', result.status === 'pending'
            ? `reservation "${id}" is still being written to its site; try again once it is confirmed`
            : `reservation "${id}" is ${result.status}`);
      case 'unavailable':
        throw new HubError(409, 'unavailable', 'Not available',
          `${next.site}/${next.resource} has no capacity left at ${/^\d+$/.test(result.where) ? new Date(Number(result.where)).toISOString() : result.where}; the reservation is unchanged`);
    }
  }

  async get(id: string, access: ReservationAccess): Promise<ReservationView> {
    return toView(await this.authorized(id, access));
  }

  async cancel(id: string, access: ReservationAccess): Promise<ReservationView> {
    await this.authorized(id, access);
    const result = await this.store.cancelReservation(id, access.admin ? 'admin' : 'guest');
    if (result.kind === 'missing') throw notFound('reservation', id);
    if (result.kind === 'already') {
      const r = (await this.store.getReservation(id))!;
      if (r.status === 'failed') {
        throw new HubError(409, 'reservation-failed', 'Reservation failed', `reservation "${id}" failed and holds nothing to cancel`);
      }
    }
    return toView((await this.store.getReservation(id))!);
  }

  private async authorized(id: string, access: ReservationAccess): Promise<ReservationRecord> {
    const r = await this.store.getReservation(id);
    // The same answer for a missing reservation and a wrong token: ids must not be probeable.
    if (!access.admin && (!r || !tokenMatches(r.token, access.token))) {
      if (!access.token) {
        throw new HubError(401, 'unauthorized', 'Unauthorized', 'send the reservation token as X-Reservation-Token, or the admin token');
      }
      throw new HubError(403, 'forbidden', 'Forbidden', 'the reservation token does not match this reservation');
    }
    if (!r) throw notFound('reservation', id);
    return r;
  }
}

function itemView(it: StoredItem): ReservationView['items'][number] {
  const base = { site: it.site, resource: it.resource, quantity: it.quantity };
  if (it.nights && it.nights.length > 0) {
    return { ...base, checkIn: it.nights[0]!, checkOut: addDays(it.nights[it.nights.length - 1]!, 1) };
  }
  return { ...base, start: new Date(it.start ?? 0).toISOString(), end: new Date(it.end ?? 0).toISOString() };
}

function toView(r: ReservationRecord): ReservationView {
  return {
    id: r.id,
    status: r.status,
    items: r.items.map(itemView),
    externalIds: r.externalIds,
    customer: (r.meta.customer as Record<string, unknown> | null | undefined) ?? null,
    ...(r.error ? { error: r.error } : {}),
    createdAt: new Date(r.createdAt).toISOString(),
    updatedAt: new Date(r.updatedAt).toISOString(),
  };
}
