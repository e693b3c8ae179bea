import type { RestPmsSimulator } from '../../adapters/rest/simulator/index.js';
import { bearer, call, eventually } from '../helpers/hub.js';
import { freshPoll } from '../helpers/sources.js';
import type { HoldEntry, Journal } from './journal.js';

/**
 * Holds the hub to what its clients were told (journal.ts), after the faults are over:
 *  1. nothing acknowledged is lost: every acknowledged hold is still there in the state the
 *     client last put it in, every acknowledged reservation is confirmed (or cancelled, when its
 *     cancellation was acknowledged), never failed;
 *  2. every replay equals the original: each Idempotency-Key answered 201 keeps answering the same
 *     hold (also when asked again now), each confirm of a hold the same reservation and token;
 *  3. no night over capacity: the live holds and reservations of the journal fit every night, and
 *     the hub's availability answer is exactly capacity minus them (nothing invented, nothing
 *     forgotten), after a fresh poll of the source;
 *  4. exactly one booking per confirmed reservation at the source, none live for a cancelled one,
 *     none the journal does not know, and no night over the source's inventory.
 * Returns every violation found (empty: the run kept all its promises).
 */

export interface CheckTarget {
  base: string;
  adminToken: string;
  widgetKey: string;
  site: string;
  resource: string;
  roomType: string;
  capacity: number;
  pms: RestPmsSimulator;
  /** The nights the clients booked in: `[firstNight, firstNight + nights)`. */
  firstNight: string;
  nights: number;
}

const addDays = (date: string, days: number) => new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
const nightsOf = (b: { checkIn: string; checkOut: string }) => {
  const out: string[] = [];
  for (let d = b.checkIn; d < b.checkOut; d = addDays(d, 1)) out.push(d);
  return out;
};
/** The hub's reference at the source: `avhub-<reservation id>` with an optional `.<key hash>`. */
const reservationOfRef = (ref: string | null) => (ref?.startsWith('avhub-') ? ref.slice('avhub-'.length).split('.')[0]! : undefined);
const liveReservation = (h: HoldEntry) => h.reservation !== undefined && !h.cancelled;

export async function checkInvariants(journal: Journal, t: CheckTarget, opts: { patienceMs?: number } = {}): Promise<string[]> {
  /** How long write-backs may take to settle (and cancellations to reach the source). */
  const patience = opts.patienceMs ?? 60_000;
  const violations: string[] = [];
  const admin = bearer(t.adminToken);
  const reservations = journal.holds.filter((h) => h.reservation);

  // Write-backs finish (confirmed with the source's id) before the source is judged.
  const settled = await eventually(async () => {
    const views = await Promise.all(reservations.map(async (h) => ({ h, r: await call(t.base, 'GET', `/v1/reservations/${h.reservation!.id}`, { headers: { 'x-reservation-token': h.reservation!.token } }) })));
    const pending = views.filter(({ r }) => r.status === 200 && r.body.status === 'pending');
    if (pending.length > 0) throw new Error(`${pending.length} reservations still pending`);
    return views;
  }, patience, 500).catch((err: Error) => { violations.push(`write-backs did not settle: ${err.message}`); return []; });

  // 1. Nothing acknowledged lost: each reservation in the state its client was last told.
  for (const { h, r } of settled) {
    const want = h.cancelled ? 'cancelled' : 'confirmed';
    if (r.status !== 200) { violations.push(`reservation ${h.reservation!.id} (key ${h.key}) answers ${r.status} ${JSON.stringify(r.body)}`); continue; }
    if (r.body.status !== want) violations.push(`reservation ${h.reservation!.id} (key ${h.key}) is ${r.body.status}${r.body.error ? ` (${r.body.error})` : ''}, the client was told ${want}`);
    const item = r.body.items?.[0];
    if (item?.checkIn !== h.body.checkIn || item?.checkOut !== h.body.checkOut || item?.quantity !== h.body.quantity) {
      violations.push(`reservation ${h.reservation!.id} holds ${JSON.stringify(r.body.items)}, the client asked for ${JSON.stringify(h.body)}`);
    }
  }

  // 2. Replays equal: what each key and each confirm answered, and what they answer now.
  for (const h of journal.holds) {
    if (!h.held) {
      // Only a 201 is recorded under a key (a refusal is not a promise): nothing to replay.
      continue;
    }
    for (const a of h.answers.filter((x) => x.status !== 201 || x.id !== h.held!.id || x.expiresAt !== h.held!.expiresAt)) {
      violations.push(`key ${h.key}: answered ${JSON.stringify(a)} after ${JSON.stringify(h.held)}`);
    }
    const again = await call(t.base, 'POST', '/v1/holds', { headers: { 'x-api-key': t.widgetKey, 'idempotency-key': h.key }, body: h.body });
    if (again.status !== 201 || again.body.id !== h.held.id || again.body.expiresAt !== h.held.expiresAt || again.body.status !== h.fate
      || again.headers.get('idempotent-replayed') !== 'true') {
      violations.push(`key ${h.key} (hold ${h.held.id}, ${h.fate}): replayed now as ${again.status} ${JSON.stringify(again.body)}`);
    }
    const firstConfirm = h.confirms.find((c) => c.status === 202);
    for (const c of h.confirms.filter((x) => firstConfirm && (x.status !== 202 || x.reservationId !== firstConfirm.reservationId || x.token !== firstConfirm.token))) {
      violations.push(`hold ${h.held.id}: confirm answered ${JSON.stringify(c)} after ${JSON.stringify(firstConfirm)}`);
    }
    if (h.reservation) {
      const c = await call(t.base, 'POST', `/v1/holds/${h.held.id}/confirm`, { headers: { 'x-api-key': t.widgetKey } });
      const ok = h.cancelled
        ? c.status === 409 && c.body.type === 'reservation-cancelled'
        : c.status === 202 && c.body.reservationId === h.reservation.id && c.body.token === h.reservation.token;
      if (!ok) violations.push(`hold ${h.held.id} (${h.cancelled ? 'cancelled' : 'confirmed'}): confirmed again as ${c.status} ${JSON.stringify(c.body)}`);
    }
  }

  // 4. The source: one booking per reservation, live exactly while the reservation is.
  const byReservation = new Map(reservations.map((h) => [h.reservation!.id, h]));
  const sourceFaults = () => {
    const out: string[] = [];
    const bookings = t.pms.admin.bookings();
    const seen = new Map<string, typeof bookings>();
    for (const b of bookings) {
      const id = reservationOfRef(b.externalRef);
      if (!id) { out.push(`booking ${b.id} at the source has no hub reference (${b.externalRef})`); continue; }
      if (!byReservation.has(id)) { out.push(`booking ${b.id} at the source is for ${id}, which no client was told about`); continue; }
      seen.set(id, [...(seen.get(id) ?? []), b]);
    }
    for (const [id, h] of byReservation) {
      const mine = seen.get(id) ?? [];
      const live = mine.filter((b) => b.state === 'CONFIRMED');
      if (h.cancelled) {
        if (live.length > 0) out.push(`cancelled reservation ${id} still has live bookings ${live.map((b) => b.id).join(', ')} at the source`);
        if (mine.length > 1) out.push(`cancelled reservation ${id} was booked ${mine.length} times at the source`);
        continue;
      }
      if (mine.length !== 1 || live.length !== 1) { out.push(`reservation ${id} has ${mine.length} bookings (${live.length} live) at the source, not 1`); continue; }
      const b = live[0]!;
      if (b.arrival !== h.body.checkIn || b.departure !== h.body.checkOut || b.rooms !== h.body.quantity) {
        out.push(`reservation ${id} is booked at the source as ${b.arrival}..${b.departure} × ${b.rooms}, not as asked (${JSON.stringify(h.body)})`);
      }
    }
    for (let i = 0; i < t.nights; i++) {
      const night = addDays(t.firstNight, i);
      const rooms = bookings.filter((b) => b.roomType === t.roomType && b.state === 'CONFIRMED' && b.arrival <= night && night < b.departure).reduce((n, b) => n + b.rooms, 0);
      if (rooms > t.capacity) out.push(`${night}: ${rooms} rooms booked at the source, inventory ${t.capacity}`);
    }
    return out;
  };
  // Cancellations reach the source asynchronously (the outbox): give them time, then judge.
  const source = await eventually(async () => {
    const out = sourceFaults();
    if (out.length > 0) throw new Error(out.join('\n'));
    return out;
  }, patience / 2, 500).catch(() => sourceFaults());
  violations.push(...source);

  // 3. Capacity: the journal's live holds and reservations fit, and are exactly what the hub counts.
  const occupied = new Map<string, number>();
  for (const h of journal.holds) {
    if (h.fate === 'held' || liveReservation(h)) {
      for (const night of nightsOf(h.body)) occupied.set(night, (occupied.get(night) ?? 0) + h.body.quantity);
    }
  }
  for (const [night, n] of occupied) if (n > t.capacity) violations.push(`${night}: clients were told of ${n} rooms held or reserved, capacity ${t.capacity}`);
  await freshPoll(t.base, t.adminToken, t.site);
  const read = await call(t.base, 'GET', `/v1/availability?site=${t.site}&resource=${t.resource}&from=${t.firstNight}&to=${addDays(t.firstNight, t.nights)}`, { headers: admin });
  if (read.status !== 200) {
    violations.push(`availability read answered ${read.status} ${JSON.stringify(read.body)}`);
  } else {
    for (const { date, available } of read.body.sites[0].resources[0].nights as Array<{ date: string; available: number }>) {
      const want = t.capacity - (occupied.get(date) ?? 0);
      if (available !== want) violations.push(`${date}: the hub answers ${available} available, the journal says ${want} (capacity ${t.capacity} − ${occupied.get(date) ?? 0})`);
    }
  }
  return violations;
}
