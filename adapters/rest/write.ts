import { createHash } from 'node:crypto';
import { addDays, daysBetween, localDateOf, localMidnight } from '../../src/domain/index.js';
import type { WriteRequest } from '../../src/core/adapter/port.js';
import { getPath, readField, selectItems } from './dot-path.js';
import type { RestClient } from './http.js';
import { mapStatus } from './map.js';
import { restSource, type RestSettings } from './settings.js';
import { fillPath, renderBody, type TemplateValues } from './template.js';
import { readId } from './values.js';

/**
 * Write-back: create a booking at the PMS carrying the hub's reference, after looking that
 * reference up so a retried write never books twice (DESIGN §6); cancel by the PMS's id.
 */

/**
 * The hub's reference on a booking it writes: `<prefix><reservationId>`, plus `.<hash of the
 * idempotency key>` when the key is not the reservation id, so a later write for the same
 * reservation (new dates) is a new booking while a retry of the same write finds the first one.
 * The pull reads the reservation id back from it (`hubReference`).
 */
export function hubReference(prefix: string, reservationId: string, idempotencyKey: string): string {
  if (idempotencyKey === reservationId) return `${prefix}${reservationId}`;
  const hash = createHash('sha256').update(idempotencyKey).digest('hex').slice(0, 12);
  return `${prefix}${reservationId}.${hash}`;
}

/** Everything a create body or path may use (README: placeholders). */
function writeValues(settings: RestSettings, req: WriteRequest): TemplateValues {
  const tz = req.site.timezone;
  const source = restSource.safeParse(req.resource.mapping);
  if (!source.success) throw new Error(`rest: resource "${req.resource.id}" has no source.id`);
  let times: { checkIn: string; checkOut: string; start: string; end: string; nights: number };
  if (req.span.by === 'night') {
    const first = req.span.nights[0];
    const last = req.span.nights[req.span.nights.length - 1];
    if (first === undefined || last === undefined) throw new Error('rest: a reservation without nights');
    const checkOut = addDays(last, 1);
    times = {
      checkIn: first, checkOut, nights: daysBetween(first, checkOut),
      start: new Date(localMidnight(first, tz)).toISOString(), end: new Date(localMidnight(checkOut, tz)).toISOString(),
    };
  } else {
    const start = new Date(req.span.start).toISOString();
    const end = new Date(req.span.end).toISOString();
    // A time booking's "nights": the local dates it touches, less one (0 within one day).
    const tzDates = [localDateOf(req.span.start, tz), localDateOf(req.span.end - 1, tz)];
    times = { checkIn: start, checkOut: end, start, end, nights: daysBetween(tzDates[0]!, tzDates[1]!) };
  }
  return {
    resource: source.data.id,
    reference: hubReference(settings.referencePrefix, req.reservationId, req.idempotencyKey),
    quantity: req.quantity,
    reservationId: req.reservationId,
    customer: req.customer ?? {},
    ...times,
  };
}

/** The PMS's id of the live booking carrying `values.reference`, or undefined. */
async function lookup(settings: RestSettings, cfg: NonNullable<RestSettings['lookup']>, client: RestClient,
  req: WriteRequest, values: TemplateValues): Promise<string | undefined> {
  await req.throttle();
  const path = fillPath(cfg.path, values);
  const res = await client({ method: 'GET', path, signal: req.signal, accept: [404] });
  if (res.status === 404) return undefined;
  const items = selectItems(res.body, cfg.items);
  // Not knowing is not "absent": creating now could book twice, so fail and let the retry decide.
  if (items === undefined) throw new Error(`rest: lookup GET ${path.split('?')[0]} has no array at "${cfg.items}"`);
  const statusMap = settings.bookings?.statusMap ?? {};
  for (const { value: item, parents } of items) {
    if (cfg.reference !== undefined && readField(item, parents, cfg.reference) !== values.reference) continue;
    if (cfg.status !== undefined && mapStatus(readField(item, parents, cfg.status), statusMap) === 'cancelled') continue;
    const id = readId(readField(item, parents, cfg.id));
    if (id !== undefined) return id;
  }
  return undefined;
}

export async function reserve(settings: RestSettings, client: RestClient, req: WriteRequest): Promise<{ externalId: string }> {
  const create = settings.create;
  const find = settings.lookup;
  if (!create || !find) {
    throw new Error('rest: this site\'s adapter has no create endpoint (adapter.create), so the hub cannot write reservations to it');
  }
  const values = writeValues(settings, req);
  const existing = await lookup(settings, find, client, req, values);
  if (existing !== undefined) return { externalId: existing };
  await req.throttle();
  const path = fillPath(create.path, values);
  const res = await client({ method: create.method, path, body: renderBody(create.body, values), signal: req.signal });
  const id = readId(getPath(res.body, create.id));
  if (id === undefined) {
    throw new Error(`rest: ${create.method} ${path.split('?')[0]} answered ${res.status} without an id at "${create.id}"; a retry finds the booking by its reference`);
  }
  return { externalId: id };
}

export async function cancel(settings: RestSettings, client: RestClient, req: WriteRequest & { externalId: string }): Promise<void> {
  const cfg = settings.cancel;
  if (!cfg) throw new Error('rest: this site\'s adapter has no cancel endpoint (adapter.cancel); cancel the booking at the PMS');
  // Only what a cancel may use: a cancel must not fail on a span or mapping it does not need.
  const source = restSource.safeParse(req.resource.mapping);
  const values = {
    id: req.externalId,
    reference: hubReference(settings.referencePrefix, req.reservationId, req.idempotencyKey),
    resource: source.success ? source.data.id : undefined,
  };
  await req.throttle();
  const call = { method: cfg.method, path: fillPath(cfg.path, values), signal: req.signal, accept: [404, 410] } as const;
  // 404/410: already gone at the PMS, which is what a cancel wants.
  await client(cfg.body === undefined ? call : { ...call, body: renderBody(cfg.body, values) });
}

/**
 * Changes the booking `externalId` in place (adapter.modify): new dates, room type or quantity,
 * same id and reference at the PMS. Setting the same values again is a no-op at any sane PMS, so
 * a retry after a lost answer is safe. Without `modify` configured the adapter has no modify and
 * the core writes a new booking and cancels the old one.
 */
export async function modify(settings: RestSettings, client: RestClient, req: WriteRequest & { externalId: string }): Promise<{ externalId: string }> {
  const cfg = settings.modify;
  if (!cfg) throw new Error('rest: this site\'s adapter has no modify endpoint (adapter.modify)');
  // The booking keeps the reference it was created with; this write's key would make another
  // one, so a modify may not use {reference} (settings).
  const values: Record<string, unknown> = { ...writeValues(settings, req), id: req.externalId };
  delete values.reference;
  await req.throttle();
  await client({ method: cfg.method, path: fillPath(cfg.path, values), body: renderBody(cfg.body, values), signal: req.signal });
  return { externalId: req.externalId };
}
