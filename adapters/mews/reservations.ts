import type { CallContext, MewsCall } from './client.js';
import { MewsTimeoutError } from './errors.js';
import { mewsReservation, reservationsPage, type MewsReservation } from './mapper.js';
import type { MewsSettings } from './settings.js';

/**
 * `reservations/getAll/2023-06-06` with cursor pagination (Mews "Pagination" guideline): pages of
 * `Limitation.Count` newest first, each answer's `Cursor` fed into the next request, until a page
 * comes back short. A 408 ("request data in smaller batches", Responses guideline) asks the same
 * page again at half the size, down to {@link MIN_PAGE}, before it counts as an outage.
 */

const MIN_PAGE = 25;

export const ALL_STATES = ['Inquired', 'Requested', 'Optional', 'Confirmed', 'Started', 'Processed', 'Canceled'] as const;
export const LIVE_STATES = ALL_STATES.filter((s) => s !== 'Canceled');

export interface ReservationFilter {
  ReservationIds?: string[];
  /** Exact ChannelNumbers, at most 100 (added to getAll 2023-06-06 on 2 April 2025). */
  ChannelNumbers?: string[];
  CollidingUtc?: { StartUtc: string; EndUtc: string };
  UpdatedUtc?: { StartUtc: string; EndUtc: string };
  States?: readonly string[];
}

export interface FetchedReservations {
  reservations: MewsReservation[];
  /** Entries that did not read as reservations: skipped, with why. */
  unreadable: Array<{ externalId: string; reason: string }>;
}

export async function fetchReservations(
  deps: { settings: MewsSettings; call: MewsCall }, filter: ReservationFilter, ctx: CallContext,
): Promise<FetchedReservations> {
  const { settings, call } = deps;
  const out: FetchedReservations = { reservations: [], unreadable: [] };
  let cursor: string | undefined;
  let size = settings.pageSize;
  for (;;) {
    let raw: unknown;
    try {
      raw = await call('reservations/getAll/2023-06-06', {
        ServiceIds: [settings.serviceId],
        ...(settings.enterpriseId ? { EnterpriseIds: [settings.enterpriseId] } : {}),
        ...filter,
        Limitation: { Count: size, ...(cursor ? { Cursor: cursor } : {}) },
      }, ctx);
    } catch (err) {
      if (!(err instanceof MewsTimeoutError) || size <= MIN_PAGE) throw err;
      size = Math.max(MIN_PAGE, Math.floor(size / 2));
      continue;
    }
    const page = reservationsPage.safeParse(raw);
    if (!page.success) throw new Error(`mews: reservations/getAll answered an unexpected shape: ${page.error.message}`);
    for (const item of page.data.Reservations) {
      const r = mewsReservation.safeParse(item);
      if (r.success) out.reservations.push(r.data);
      else out.unreadable.push({ externalId: idOf(item), reason: `unreadable reservation: ${r.error.issues[0]?.message ?? 'invalid'}` });
    }
    if (page.data.Reservations.length < size) return out;
    const next = page.data.Cursor ?? undefined;
    if (next === undefined || next === cursor) throw new Error('mews: a full page of reservations without a new Cursor');
    cursor = next;
  }
}

function idOf(item: unknown): string {
  const id = (item as { Id?: unknown } | null)?.Id;
  return typeof id === 'string' ? id : '(no Id)';
}
