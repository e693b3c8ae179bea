import { addDays, localMidnight } from '../../../src/domain/index.js';
import type { LocalDate } from '../../../src/domain/types.js';
import { idFactory } from './ids.js';
import {
  OCCUPYING_STATES, occupiedDates, wholeSeconds,
  type ServiceOrderState, type SimEnterprise, type SimReservation,
} from './model.js';

/** The hotel behind the simulator: one bookable service by day, its room types and reservations. */

/** An error the simulator answers with: Mews's status code and `{ Message }` body. */
export class SimError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

export interface PropertyOptions {
  timezone: string;
  /** A category's `id` is generated from the seed unless given. */
  categories: ReadonlyArray<{ name: string; rooms: number; id?: string }>;
  seed: number;
  now: () => number;
  /** Fixed ids (a demo configuration names them); each absent one is generated from the seed. */
  ids?: Partial<Record<'enterpriseId' | 'serviceId' | 'rateId' | 'ageCategoryId' | 'customerId', string>>;
}

/** What a new reservation needs, in the hotel's terms (local dates in the property's zone). */
export interface NewStay {
  categoryId: string;
  checkIn: LocalDate;
  checkOut: LocalDate;
  state?: ServiceOrderState;
  channelNumber?: string | null;
  notes?: string | null;
}

const HOUR = 3_600_000;
/** Default check-in 15:00 and check-out 12:00, as the docs' example service (P0M0DT15H0M0S). */
const START_OFFSET_MS = 15 * HOUR;
const END_OFFSET_MS = 12 * HOUR;

export class MewsProperty {
  readonly enterprise: SimEnterprise;
  readonly profileId: string;
  private readonly reservations = new Map<string, SimReservation>();
  private readonly adjustments = new Map<string, number>();
  /** Restrictions as restrictions/getAll answers them (operations/restrictions.md, "Restriction"). */
  readonly restrictions: Array<Record<string, unknown> & { Id: string; Conditions: Record<string, unknown>; UpdatedUtc: number }> = [];
  private readonly newId: () => string;
  private number = 0;

  constructor(private readonly opts: PropertyOptions) {
    this.newId = idFactory(opts.seed);
    const ids = opts.ids ?? {};
    this.enterprise = {
      id: ids.enterpriseId ?? this.newId(),
      timezone: opts.timezone,
      serviceId: ids.serviceId ?? this.newId(),
      rateId: ids.rateId ?? this.newId(),
      ageCategoryId: ids.ageCategoryId ?? this.newId(),
      customerId: ids.customerId ?? this.newId(),
      categories: opts.categories.map((c) => ({ id: c.id ?? this.newId(), name: c.name, rooms: c.rooms })),
      startOffset: 'P0M0DT15H0M0S',
      endOffset: 'P0M0DT12H0M0S',
    };
    this.profileId = this.newId();
  }

  now(): number {
    return wholeSeconds(this.opts.now());
  }

  category(id: string) {
    return this.enterprise.categories.find((c) => c.id === id);
  }

  /** Every reservation, oldest first (creation order). */
  all(): SimReservation[] {
    return [...this.reservations.values()];
  }

  get(id: string): SimReservation | undefined {
    return this.reservations.get(id);
  }

  /** Rooms of a category taken on a local date by reservations in an occupying state. */
  occupied(categoryId: string, date: LocalDate): number {
    let n = 0;
    for (const r of this.reservations.values()) {
      if (r.RequestedResourceCategoryId !== categoryId || !OCCUPYING_STATES.has(r.State)) continue;
      if (occupiedDates(r, this.enterprise.timezone).includes(date)) n += 1;
    }
    return n;
  }

  adjustment(categoryId: string, date: LocalDate): number {
    return this.adjustments.get(`${categoryId}|${date}`) ?? 0;
  }

  /** Relative availability adjustment (like `services/updateAvailability`), for tests. */
  adjust(categoryId: string, date: LocalDate, delta: number): void {
    this.adjustments.set(`${categoryId}|${date}`, this.adjustment(categoryId, date) + delta);
  }

  /** Absolute availability: rooms − occupied + adjustment (may go negative when overbooked). */
  availability(categoryId: string, date: LocalDate): number {
    const c = this.category(categoryId);
    if (!c) throw new SimError(400, `Invalid resource category ${categoryId}.`);
    return c.rooms - this.occupied(categoryId, date) + this.adjustment(categoryId, date);
  }

  /** Default UTC start and end of a stay: the service offsets from the time unit boundaries. */
  stayInterval(checkIn: LocalDate, checkOut: LocalDate): { start: number; end: number } {
    const tz = this.enterprise.timezone;
    return { start: localMidnight(checkIn, tz) + START_OFFSET_MS, end: localMidnight(checkOut, tz) + END_OFFSET_MS };
  }

  add(stay: { categoryId: string; start: number; end: number; state?: ServiceOrderState; channelNumber?: string | null;
    notes?: string | null; origin: SimReservation['Origin']; groupId?: string; customerId?: string; adults?: number }): SimReservation {
    if (!this.category(stay.categoryId)) throw new SimError(400, `Invalid RequestedCategoryId ${stay.categoryId}.`);
    if (!(stay.end > stay.start)) throw new SimError(400, 'EndUtc must be after StartUtc.');
    const at = this.now();
    this.number += 1;
    const r: SimReservation = {
      Id: this.newId(),
      ServiceId: this.enterprise.serviceId,
      GroupId: stay.groupId ?? this.newId(),
      Number: String(this.number),
      ChannelNumber: stay.channelNumber ?? null,
      State: stay.state ?? 'Confirmed',
      Origin: stay.origin,
      CreatedUtc: at,
      UpdatedUtc: at,
      CancelledUtc: stay.state === 'Canceled' ? at : null,
      ScheduledStartUtc: wholeSeconds(stay.start),
      ScheduledEndUtc: wholeSeconds(stay.end),
      RequestedResourceCategoryId: stay.categoryId,
      RateId: this.enterprise.rateId,
      AccountId: stay.customerId ?? this.enterprise.customerId,
      Notes: stay.notes ?? null,
      PersonCounts: [{ AgeCategoryId: this.enterprise.ageCategoryId, Count: stay.adults ?? 1 }],
    };
    this.reservations.set(r.Id, r);
    return { ...r };
  }

  /** A reservation made at the front desk (Mews Operations), as a site's staff would. */
  addAtFrontDesk(stay: NewStay): SimReservation {
    const { start, end } = this.stayInterval(stay.checkIn, stay.checkOut);
    return this.add({
      categoryId: stay.categoryId, start, end, origin: 'Commander',
      ...(stay.state ? { state: stay.state } : {}),
      ...(stay.channelNumber !== undefined ? { channelNumber: stay.channelNumber } : {}),
      ...(stay.notes !== undefined ? { notes: stay.notes } : {}),
    });
  }

  cancel(id: string): void {
    const r = this.reservations.get(id);
    if (!r) throw new SimError(400, `Invalid ReservationIds: ${id}.`);
    if (r.State === 'Canceled') throw new SimError(403, `Reservation ${r.Number} is already canceled.`);
    if (r.State === 'Started' || r.State === 'Processed') {
      throw new SimError(403, `Reservation ${r.Number} in state ${r.State} cannot be canceled.`);
    }
    const at = this.now();
    r.State = 'Canceled';
    r.CancelledUtc = at;
    r.UpdatedUtc = at;
  }

  /** A restriction set in Mews Operations (Origin `User`), e.g. a stop-sell: Type Stay, no exceptions. */
  addRestriction(conditions: Record<string, unknown>, exceptions: Record<string, unknown> = {}): string {
    const id = this.newId();
    this.restrictions.push({
      Id: id, ServiceId: this.enterprise.serviceId, ExternalIdentifier: null, Origin: 'User', UpdatedUtc: this.now(),
      Conditions: { Type: 'Stay', ExactRateId: null, BaseRateId: null, RateGroupId: null, ResourceCategoryId: null,
        ResourceCategoryType: null, StartUtc: null, EndUtc: null, Days: null, ...conditions },
      Exceptions: { MinAdvance: null, MaxAdvance: null, MinLength: null, MaxLength: null, MinPrice: null, MaxPrice: null, ...exceptions },
    });
    return id;
  }

  /** Changes start, end and category through the API (reservations/update), keeping id and group. */
  reschedule(id: string, change: { start: number; end: number; categoryId: string }): SimReservation {
    const r = this.reservations.get(id);
    if (!r) throw new SimError(400, `Invalid ReservationId: ${id}.`);
    if (!(change.end > change.start)) throw new SimError(400, 'EndUtc must be after StartUtc.');
    r.ScheduledStartUtc = wholeSeconds(change.start);
    r.ScheduledEndUtc = wholeSeconds(change.end);
    r.RequestedResourceCategoryId = change.categoryId;
    r.UpdatedUtc = this.now();
    return { ...r };
  }

  /** Moves a reservation to other dates or another room type (front desk). */
  update(id: string, change: { checkIn?: LocalDate; checkOut?: LocalDate; categoryId?: string; state?: ServiceOrderState }): void {
    const r = this.reservations.get(id);
    if (!r) throw new SimError(400, `Invalid ReservationId: ${id}.`);
    const tz = this.enterprise.timezone;
    const dates = occupiedDates(r, tz);
    const checkIn = change.checkIn ?? dates[0]!;
    const checkOut = change.checkOut ?? addDays(dates[dates.length - 1]!, 1);
    const { start, end } = this.stayInterval(checkIn, checkOut);
    if (change.categoryId !== undefined && !this.category(change.categoryId)) {
      throw new SimError(400, `Invalid RequestedCategoryId ${change.categoryId}.`);
    }
    r.ScheduledStartUtc = start;
    r.ScheduledEndUtc = end;
    if (change.categoryId !== undefined) r.RequestedResourceCategoryId = change.categoryId;
    if (change.state !== undefined) r.State = change.state;
    r.UpdatedUtc = this.now();
  }
}
