import { DateTime } from 'luxon';
import { addDays, nightsOf } from '../../../src/domain/index.js';

/**
 * The simulator's in-memory apaleo property: unit groups with unit counts, rate plans (each sells
 * one unit group), reservations and closed (stop-sell) rate days. Availability is derived: units
 * of a group minus its active reservations per night, as apaleo's Availability API reports it.
 */
export type ReservationStatus = 'Confirmed' | 'InHouse' | 'CheckedOut' | 'Canceled' | 'NoShow';

export interface SimReservation {
  id: string;
  bookingId: string;
  propertyId: string;
  unitGroupId: string;
  ratePlanId: string;
  /** Local dates; the API shows them as check-in/check-out times with the property's offset. */
  arrivalDate: string;
  departureDate: string;
  status: ReservationStatus;
  channelCode: string;
  externalCode?: string;
  adults: number;
  created: number;
  modified: number;
  guestLastName?: string;
}

export interface ApaleoSeed {
  propertyId?: string;
  timeZone?: string;
  /** Local check-in and check-out times of the over-night time slice. */
  checkInTime?: string;
  checkOutTime?: string;
  unitGroups?: Array<{ id: string; name?: string; count: number }>;
  /**
   * Defaults to one `<unitGroupId>-FLEX`-style plan per unit group. `minGuaranteeType`: a
   * reservation on the plan must name a `guaranteeType` (the simulator does not rank the types).
   */
  ratePlans?: Array<{ id: string; unitGroupId: string; minGuaranteeType?: string }>;
  /** Lifetime of issued access tokens, seconds. */
  tokenTtlSeconds?: number;
}

const ACTIVE: ReadonlySet<ReservationStatus> = new Set(['Confirmed', 'InHouse', 'CheckedOut']);

export class SimState {
  readonly propertyId: string;
  readonly timeZone: string;
  readonly checkInTime: string;
  readonly checkOutTime: string;
  readonly unitGroups = new Map<string, { id: string; name: string; count: number }>();
  readonly ratePlans = new Map<string, { id: string; unitGroupId: string; minGuaranteeType?: string }>();
  readonly reservations = new Map<string, SimReservation>();
  readonly closed = new Set<string>();
  private bookingSeq = 0;
  /** Whole seconds, like apaleo's timestamps; `clockOffsetMs` lets a test move time. */
  clockOffsetMs = 0;

  constructor(seed: ApaleoSeed = {}) {
    this.propertyId = seed.propertyId ?? 'MUC';
    this.timeZone = seed.timeZone ?? 'Europe/Berlin';
    this.checkInTime = seed.checkInTime ?? '17:00';
    this.checkOutTime = seed.checkOutTime ?? '11:00';
    const groups = seed.unitGroups ?? [{ id: `${this.propertyId}-DBL`, name: 'Double', count: 12 }, { id: `${this.propertyId}-SGL`, name: 'Single', count: 5 }];
    for (const g of groups) this.unitGroups.set(g.id, { id: g.id, name: g.name ?? g.id, count: g.count });
    const plans = seed.ratePlans ?? groups.map((g) => ({ id: `${this.propertyId}-FLEX-${g.id.replace(/^.*-/, '')}`, unitGroupId: g.id }));
    for (const p of plans) this.ratePlans.set(p.id, p);
  }

  now(): number {
    return Math.floor((Date.now() + this.clockOffsetMs) / 1000) * 1000;
  }

  /** A local date and wall time in the property's zone as ISO with its offset (DST-aware). */
  localIso(date: string, time: string): string {
    return DateTime.fromISO(`${date}T${time}`, { zone: this.timeZone }).toISO({ suppressMilliseconds: true, includeOffset: true })!;
  }

  sold(unitGroupId: string, date: string, except?: string): number {
    let n = 0;
    for (const r of this.reservations.values()) {
      if (r.id === except || r.unitGroupId !== unitGroupId || !ACTIVE.has(r.status)) continue;
      if (r.arrivalDate <= date && date < r.departureDate) n++;
    }
    return n;
  }

  available(unitGroupId: string, date: string): number {
    return (this.unitGroups.get(unitGroupId)?.count ?? 0) - this.sold(unitGroupId, date);
  }

  isClosed(ratePlanId: string, date: string): boolean {
    return this.closed.has(`${ratePlanId}|${date}`);
  }

  newBookingId(): string {
    this.bookingSeq++;
    // apaleo booking ids are short upper-case codes; reservation ids add `-<n>`.
    return `B${String(this.bookingSeq).padStart(5, '0')}`;
  }

  /**
   * Creates one booking of reservations, checking availability and stop-sell like apaleo's
   * `POST /booking/v1/bookings` (which refuses with 422). Returns the problems or the booking.
   */
  createBooking(items: Array<Omit<SimReservation, 'id' | 'bookingId' | 'created' | 'modified' | 'status' | 'propertyId'>>, force = false):
    { ok: true; bookingId: string; reservations: SimReservation[] } | { ok: false; messages: string[] } {
    const messages: string[] = [];
    const demand = new Map<string, number>();
    for (const item of items) {
      const plan = this.ratePlans.get(item.ratePlanId);
      if (!plan) { messages.push(`Rate plan ${item.ratePlanId} does not exist`); continue; }
      if (plan.unitGroupId !== item.unitGroupId) { messages.push(`Rate plan ${item.ratePlanId} does not sell unit group ${item.unitGroupId}`); continue; }
      const nights = nightsOf(item.arrivalDate, item.departureDate);
      if (nights.length === 0) messages.push('Departure must be after arrival');
      for (const d of nights) {
        const key = `${item.unitGroupId}|${d}`;
        demand.set(key, (demand.get(key) ?? 0) + 1);
        if (!force && this.isClosed(item.ratePlanId, d)) messages.push(`Rate plan ${item.ratePlanId} is closed on ${d}`);
      }
    }
    if (!force) {
      for (const [key, n] of demand) {
        const [group, date] = key.split('|') as [string, string];
        if (this.available(group, date) < n) messages.push(`No availability for unit group ${group} on ${date}`);
      }
    }
    if (messages.length > 0) return { ok: false, messages: [...new Set(messages)] };
    const bookingId = this.newBookingId();
    const now = this.now();
    const reservations = items.map((item, i) => {
      const r: SimReservation = { ...item, id: `${bookingId}-${i + 1}`, bookingId, propertyId: this.propertyId, status: 'Confirmed', created: now, modified: now };
      this.reservations.set(r.id, r);
      return r;
    });
    return { ok: true, bookingId, reservations };
  }

  /** The Booking API's view of a reservation. */
  reservationModel(r: SimReservation): Record<string, unknown> {
    const group = this.unitGroups.get(r.unitGroupId);
    const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
    return {
      id: r.id, bookingId: r.bookingId, status: r.status,
      property: { id: r.propertyId },
      ratePlan: { id: r.ratePlanId },
      unitGroup: { id: r.unitGroupId, code: r.unitGroupId.replace(/^.*-/, ''), name: group?.name ?? r.unitGroupId, type: 'BedRoom' },
      arrival: this.localIso(r.arrivalDate, this.checkInTime),
      departure: this.localIso(r.departureDate, this.checkOutTime),
      created: iso(r.created), modified: iso(r.modified),
      adults: r.adults, channelCode: r.channelCode,
      ...(r.externalCode !== undefined ? { externalCode: r.externalCode } : {}),
      ...(r.guestLastName ? { primaryGuest: { lastName: r.guestLastName } } : {}),
    };
  }

  /** The Availability API's over-night time slice of `date`. */
  sliceModel(date: string, unitGroupIds: readonly string[] | null): Record<string, unknown> {
    const groups = [...this.unitGroups.values()].filter((g) => !unitGroupIds || unitGroupIds.includes(g.id));
    return {
      from: this.localIso(date, this.checkInTime),
      to: this.localIso(addDays(date, 1), this.checkOutTime),
      unitGroups: groups.map((g) => {
        const sold = this.sold(g.id, date);
        return {
          unitGroup: { id: g.id, code: g.id.replace(/^.*-/, ''), name: g.name, type: 'BedRoom' },
          physicalCount: g.count, houseCount: g.count, soldCount: sold,
          occupancy: g.count ? Math.round((sold / g.count) * 10000) / 100 : 0,
          availableCount: g.count - sold, sellableCount: Math.max(0, g.count - sold), allowedOverbooking: 0,
        };
      }),
    };
  }
}
