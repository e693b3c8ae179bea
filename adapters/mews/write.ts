import { Duration } from 'luxon';
import { addDays, localMidnight } from '../../src/domain/index.js';
import type { WriteRequest } from '../../src/core/adapter/port.js';
import type { CallContext, MewsCall } from './client.js';
import { MewsRequestError } from './errors.js';
import { ALL_STATES, fetchReservations } from './reservations.js';
import { hubChannelNumber } from './reference.js';
import { mewsSource, type MewsSettings } from './settings.js';

/**
 * Write-back (DESIGN §6): find-before-create on the hub's ChannelNumber, then `reservations/add`;
 * cancel with `reservations/cancel`, where an already canceled reservation counts as done.
 */

export interface WriteDeps {
  settings: MewsSettings;
  call: MewsCall;
  /** The service's default start/end offsets, read once from services/getAll. */
  offsets(ctx: CallContext): Promise<{ start: number; end: number }>;
}

/** Reads the bookable service's StartOffset/EndOffset (ISO 8601 durations) from services/getAll. */
export async function readServiceOffsets(deps: { settings: MewsSettings; call: MewsCall }, ctx: CallContext) {
  const raw = await deps.call('services/getAll', { ServiceIds: [deps.settings.serviceId], Limitation: { Count: 100 } }, ctx);
  const services = (raw as { Services?: unknown }).Services;
  const service = Array.isArray(services)
    ? (services as Array<{ Id?: unknown; Data?: { Discriminator?: unknown; Value?: Record<string, unknown> } }>)
      .find((s) => s?.Id === deps.settings.serviceId)
    : undefined;
  const value = service?.Data?.Discriminator === 'Bookable' ? service.Data.Value : undefined;
  if (!value) throw new Error(`mews: service ${deps.settings.serviceId} is not a bookable service of this enterprise`);
  const period = value.TimeUnitPeriod ?? value.TimeUnit;
  if (period !== undefined && period !== 'Day') throw new Error(`mews: service time unit is ${String(period)}, the hub books by Day`);
  const ms = (v: unknown) => (typeof v === 'string' ? Duration.fromISO(v) : Duration.invalid('missing'));
  const start = ms(value.StartOffset);
  const end = ms(value.EndOffset);
  if (!start.isValid || !end.isValid) throw new Error('mews: the service has no readable StartOffset/EndOffset');
  return { start: start.toMillis(), end: end.toMillis() };
}

function nightsOfRequest(req: WriteRequest): string[] {
  if (req.span.by !== 'night' || req.span.nights.length === 0) {
    throw new Error('mews: reservations are booked by night; the request has no nights');
  }
  return req.span.nights;
}

function categoryOf(req: WriteRequest): string {
  const parsed = mewsSource.safeParse(req.resource.mapping);
  if (!parsed.success) throw new Error(`mews: resource ${req.resource.id} has no resourceCategoryId`);
  return parsed.data.resourceCategoryId;
}

/**
 * Reservations that carry this write's ChannelNumber (any state, wherever their dates are now:
 * the front desk may have moved them), oldest first. Uses the `ChannelNumbers` filter of
 * getAll 2023-06-06 (Connector API changelog, 2 April 2025); the exact comparison stays, so a
 * server that ignored the filter could not hand us someone else's reservation.
 */
async function findWritten(deps: WriteDeps, channelNumber: string, ctx: CallContext): Promise<string[]> {
  const found = await fetchReservations(deps, { ChannelNumbers: [channelNumber], States: ALL_STATES }, ctx);
  return found.reservations.filter((r) => r.ChannelNumber === channelNumber).map((r) => r.Id).reverse();
}

function notesFor(req: WriteRequest): string {
  const c = req.customer ?? {};
  const name = typeof c.name === 'string' ? c.name : [c.firstName, c.lastName].filter((x) => typeof x === 'string').join(' ');
  return `Availability Hub reservation ${req.reservationId}${name ? ` for ${name}` : ''}`;
}

/**
 * Creates `quantity` reservations (one room each, one group) or finds the ones an earlier attempt
 * with the same idempotency key created. The external id is their ids joined with `,`.
 */
export async function reserveMews(deps: WriteDeps, req: WriteRequest): Promise<{ externalId: string }> {
  const { settings } = deps;
  const ctx = { signal: req.signal, throttle: req.throttle };
  const nights = nightsOfRequest(req);
  const categoryId = categoryOf(req);
  const channelNumber = hubChannelNumber(req.reservationId, req.idempotencyKey);
  const existing = await findWritten(deps, channelNumber, ctx);
  if (existing.length > 0) return { externalId: existing.join(',') };
  if (!settings.rateId || !settings.customerId || !settings.ageCategoryId) {
    throw new Error('mews: writing reservations needs rateId, customerId and ageCategoryId in the adapter settings');
  }
  const offsets = await deps.offsets(ctx);
  const tz = req.site.timezone;
  const startUtc = new Date(localMidnight(nights[0]!, tz) + offsets.start).toISOString();
  const endUtc = new Date(localMidnight(addDays(nights[nights.length - 1]!, 1), tz) + offsets.end).toISOString();
  const quantity = Math.max(1, Math.floor(req.quantity || 1));
  const raw = await deps.call('reservations/add', {
    ServiceId: settings.serviceId,
    ...(settings.enterpriseId ? { EnterpriseId: settings.enterpriseId } : {}),
    SendConfirmationEmail: false,
    CheckOverbooking: true,
    Reservations: Array.from({ length: quantity }, (_, i) => ({
      Identifier: String(i + 1),
      ChannelNumber: channelNumber,
      State: 'Confirmed',
      StartUtc: startUtc,
      EndUtc: endUtc,
      CustomerId: settings.customerId,
      RequestedCategoryId: categoryId,
      RateId: settings.rateId,
      PersonCounts: [{ AgeCategoryId: settings.ageCategoryId, Count: 1 }],
      Notes: notesFor(req),
    })),
  }, ctx);
  const added = (raw as { Reservations?: Array<{ Reservation?: { Id?: unknown } }> }).Reservations ?? [];
  const ids = added.map((a) => a?.Reservation?.Id).filter((id): id is string => typeof id === 'string' && id !== '');
  if (ids.length !== quantity) throw new Error(`mews: reservations/add returned ${ids.length} reservations for ${quantity}`);
  return { externalId: ids.join(',') };
}

/** Cancels the reservations behind `externalId`; already canceled ones count as done. */
export async function cancelMews(deps: WriteDeps, req: WriteRequest & { externalId: string }): Promise<void> {
  const { settings } = deps;
  const ctx = { signal: req.signal, throttle: req.throttle };
  const ids = req.externalId.split(',').filter((id) => id !== '');
  if (ids.length === 0) return;
  const cancel = (list: string[]) => deps.call('reservations/cancel', {
    ...(settings.enterpriseId ? { EnterpriseId: settings.enterpriseId } : {}),
    ReservationIds: list,
    PostCancellationFee: false,
    SendEmail: false,
    Notes: `Canceled through Availability Hub (reservation ${req.reservationId})`,
  }, ctx);
  try {
    await cancel(ids);
  } catch (err) {
    // 403: a business rule refused, e.g. one of them is canceled already. Look, then finish the rest.
    if (!(err instanceof MewsRequestError) || err.status !== 403) throw err;
    const found = await fetchReservations(deps, { ReservationIds: ids, States: ALL_STATES }, ctx);
    const open = found.reservations.filter((r) => r.State !== 'Canceled').map((r) => r.Id);
    if (open.length === 0 && found.reservations.length === ids.length) return;
    if (open.length === ids.length || found.reservations.length !== ids.length) throw err;
    await cancel(open);
  }
}

/**
 * Changes the reservations behind `externalId` in place with `reservations/update`
 * (https://docs.mews.com/connector-api/operations/reservations#update-reservations): new
 * `StartUtc`/`EndUtc` (the service offsets from the new first and last night, as reserveMews
 * computes them) and `RequestedCategoryId`, each an update value `{ Value }`; they keep their
 * ids, group, guest and ChannelNumber. `CheckOverbooking` makes Mews refuse (403) a change that
 * does not fit, like an add. Setting the same values again changes nothing, so a retry is safe.
 * Returns null when the quantity changed: the external id lists one reservation per room, and
 * adding or cancelling rooms is a new booking's job (the core then books anew and cancels).
 */
export async function modifyMews(deps: WriteDeps, req: WriteRequest & { externalId: string }): Promise<{ externalId: string } | null> {
  const ids = req.externalId.split(',').filter((id) => id !== '');
  const quantity = Math.max(1, Math.floor(req.quantity || 1));
  if (ids.length === 0 || ids.length !== quantity) return null;
  const ctx = { signal: req.signal, throttle: req.throttle };
  const nights = nightsOfRequest(req);
  const categoryId = categoryOf(req);
  const offsets = await deps.offsets(ctx);
  const tz = req.site.timezone;
  const startUtc = new Date(localMidnight(nights[0]!, tz) + offsets.start).toISOString();
  const endUtc = new Date(localMidnight(addDays(nights[nights.length - 1]!, 1), tz) + offsets.end).toISOString();
  await deps.call('reservations/update', {
    ...(deps.settings.enterpriseId ? { EnterpriseId: deps.settings.enterpriseId } : {}),
    Reason: `Changed through Availability Hub (reservation ${req.reservationId})`,
    CheckOverbooking: true,
    ApplyCancellationFee: false,
    ReservationUpdates: ids.map((id) => ({
      ReservationId: id,
      StartUtc: { Value: startUtc },
      EndUtc: { Value: endUtc },
      RequestedCategoryId: { Value: categoryId },
    })),
  }, ctx);
  return { externalId: ids.join(',') };
}
