import type { WriteRequest } from '../../src/core/adapter/port.js';
import type { ApaleoClient, CallContext } from './client.js';
import { ApaleoRequestError } from './errors.js';
import { externalCodeFor } from './mapper.js';
import type { ApaleoReservation } from './mapper.js';
import { apaleoSource } from './settings.js';
import type { ApaleoSettings } from './settings.js';

export interface WriteDeps {
  client: ApaleoClient;
  settings: ApaleoSettings;
  log: { warn(obj: object, msg: string): void; info(obj: object, msg: string): void };
}

const ctxOf = (req: WriteRequest): CallContext => ({ throttle: () => req.throttle(), signal: req.signal });

/** The externalCodes of one write: one reservation per unit, numbered when there are several. */
function codesFor(req: WriteRequest): string[] {
  const base = externalCodeFor(req.reservationId, req.idempotencyKey);
  const n = Math.max(1, Math.floor(req.quantity || 1));
  return n === 1 ? [base] : Array.from({ length: n }, (_, i) => `${base}-${i + 1}`);
}

/** Reservations of this property whose externalCode is exactly one of `codes` (apaleo's filter is a prefix match). */
async function findByCodes(deps: WriteDeps, codes: readonly string[], ctx: CallContext): Promise<ApaleoReservation[]> {
  const prefix = commonPrefix(codes);
  const wanted = new Set(codes);
  const found: ApaleoReservation[] = [];
  for (let page = 1; ; page++) {
    const res = await deps.client.get<{ reservations?: ApaleoReservation[]; count?: number }>('/booking/v1/reservations', {
      propertyIds: deps.settings.propertyId, externalCode: prefix, pageNumber: page, pageSize: 200,
    }, ctx);
    const batch = res.data?.reservations ?? [];
    found.push(...batch.filter((r) => r.externalCode !== undefined && wanted.has(r.externalCode)));
    if (batch.length < 200) return found;
  }
}

function commonPrefix(codes: readonly string[]): string {
  return codes.length === 1 ? codes[0]! : codes[0]!.replace(/-\d+$/, '');
}

function customerName(customer: WriteRequest['customer']): { firstName?: string; lastName: string; email?: string } {
  const c = customer ?? {};
  const name = typeof c.name === 'string' && c.name.trim() ? c.name.trim() : 'Availability Hub guest';
  const space = name.lastIndexOf(' ');
  const person: { firstName?: string; lastName: string; email?: string } = space > 0
    ? { firstName: name.slice(0, space), lastName: name.slice(space + 1) }
    : { lastName: name };
  if (typeof c.email === 'string' && c.email.includes('@')) person.email = c.email;
  return person;
}

/**
 * Creates the reservation(s) at apaleo, or finds those an earlier attempt created (DESIGN §6:
 * look the hub's reference up before creating). The externalCode carries the reference; the
 * `Idempotency-Key` header guards the same POST retried within apaleo's 24 hours as well.
 * @returns the reservation id (several units: their ids, comma-separated).
 */
export async function reserveApaleo(deps: WriteDeps, req: WriteRequest): Promise<{ externalId: string }> {
  const ctx = ctxOf(req);
  if (req.span.by !== 'night') throw new ApaleoRequestError('apaleo books nights: the resource must be booked by night', 0);
  const nights = req.span.nights;
  if (nights.length === 0) throw new ApaleoRequestError('apaleo: a reservation needs at least one night', 0);
  const source = apaleoSource.parse(req.resource.mapping);
  const ratePlanId = source.ratePlanId ?? deps.settings.ratePlanId;
  if (!ratePlanId) throw new ApaleoRequestError(`apaleo: no ratePlanId for resource "${req.resource.id}" (set it on the site or the resource's source)`, 0);

  const codes = codesFor(req);
  const existing = await findByCodes(deps, codes, ctx);
  if (existing.length > 0) {
    deps.log.info({ reservationId: req.reservationId, found: existing.map((r) => r.id) }, 'apaleo: write-back already done');
    return { externalId: existing.map((r) => r.id).join(',') };
  }

  const checkOut = nextDay(nights[nights.length - 1]!);
  const guest = customerName(req.customer);
  const body = {
    booker: guest,
    comment: `Availability Hub reservation ${req.reservationId}`,
    reservations: codes.map((externalCode) => ({
      arrival: nights[0], departure: checkOut, adults: 1,
      channelCode: deps.settings.channelCode ?? 'Direct',
      ...(deps.settings.guaranteeType ? { guaranteeType: deps.settings.guaranteeType } : {}),
      externalCode, primaryGuest: guest,
      timeSlices: nights.map(() => ({ ratePlanId })),
    })),
  };
  const res = await deps.client.post<{ id: string; reservationIds?: Array<{ id: string }> }>(
    '/booking/v1/bookings', body, { 'Idempotency-Key': codes[0]! }, ctx);
  const ids = res.data?.reservationIds?.map((r) => r.id) ?? [];
  if (ids.length === 0) {
    // Created but the answer was odd: the lookup is the truth.
    const again = await findByCodes(deps, codes, ctx);
    if (again.length === 0) throw new ApaleoRequestError('apaleo created a booking without reservation ids', res.status);
    return { externalId: again.map((r) => r.id).join(',') };
  }
  return { externalId: ids.join(',') };
}

function nextDay(date: string): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}

/**
 * Cancels the reservation(s) with apaleo's cancel action. Already cancelled is success; a
 * reservation apaleo does not know holds no capacity there, so it is logged and accepted.
 */
export async function cancelApaleo(deps: WriteDeps, req: WriteRequest & { externalId: string }): Promise<void> {
  const ctx = ctxOf(req);
  const ids = new Set(req.externalId.split(',').map((s) => s.trim()).filter(Boolean));
  for (const r of await findByCodes(deps, codesFor(req), ctx)) ids.add(r.id);
  for (const id of ids) {
    try {
      await deps.client.put(`/booking/v1/reservation-actions/${encodeURIComponent(id)}/cancel`, ctx);
    } catch (err) {
      if (!(err instanceof ApaleoRequestError)) throw err;
      if (err.status === 404) {
        deps.log.warn({ reservationId: req.reservationId, externalId: id }, 'apaleo: reservation to cancel not found');
        continue;
      }
      // Refused (e.g. 422): fine if it is already cancelled.
      const current = await deps.client.get<ApaleoReservation>(`/booking/v1/reservations/${encodeURIComponent(id)}`, {}, ctx);
      if (current.data?.status === 'Canceled') continue;
      throw err;
    }
  }
}
