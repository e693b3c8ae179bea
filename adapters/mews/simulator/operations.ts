import { DateTime } from 'luxon';
import { addDays, daysBetween, localDateOf, localMidnight } from '../../../src/domain/index.js';
import {
  SERVICE_ORDER_STATES, isoUtc, toReservation20170412, toReservation20230606,
  type ServiceOrderState, type SimReservation,
} from './model.js';
import { SimError, type MewsProperty } from './property.js';

/**
 * The Connector API operations the simulator serves, following the Mews documentation
 * (https://mews-systems.gitbook.io/connector-api/operations/...): request validation, the answer
 * on success, and `SimError` (400 client error, 403 business rule) otherwise.
 */

type Body = Record<string, unknown>;
export type Operation = (p: MewsProperty, body: Body) => unknown;

/** Get service availability: at most 367 time units of a "Day" service per call. */
const MAX_TIME_UNITS = 367;
/** States `reservations/add` accepts (ver 2017-04-12 names) and what they are in ver 2023-06-06. */
const ADD_STATES: ReadonlyMap<string, ServiceOrderState> = new Map([['Optional', 'Optional'], ['Enquired', 'Inquired'], ['Confirmed', 'Confirmed']]);
/** Page size bounds of `Limitation.Count`. */
const MAX_COUNT = 1000;

function str(body: Body, key: string): string | undefined {
  const v = body[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string' || v === '') throw new SimError(400, `${key} must be a non-empty string.`);
  return v;
}

function required(body: Body, key: string): string {
  const v = str(body, key);
  if (v === undefined) throw new SimError(400, `${key} is required.`);
  return v;
}

function instant(value: unknown, key: string): number {
  const ms = typeof value === 'string' ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(ms)) throw new SimError(400, `${key} must be a date and time in ISO 8601 format.`);
  return ms;
}

function strings(body: Body, key: string, max = 1000): string[] | undefined {
  const v = body[key];
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) throw new SimError(400, `${key} must be an array of strings.`);
  if (v.length > max) throw new SimError(400, `${key} may have at most ${max} items.`);
  return v as string[];
}

/** A `Time interval` filter; `max length 3 months` as the docs say of every such filter. */
function interval(body: Body, key: string): { start: number; end: number } | undefined {
  const v = body[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'object') throw new SimError(400, `${key} must be a time interval.`);
  const o = v as Body;
  const start = instant(o.StartUtc, `${key}.StartUtc`);
  const end = instant(o.EndUtc, `${key}.EndUtc`);
  if (end < start) throw new SimError(400, `${key}.EndUtc must not be before ${key}.StartUtc.`);
  if (end > DateTime.fromMillis(start, { zone: 'utc' }).plus({ months: 3 }).toMillis()) {
    throw new SimError(400, `${key} must not be longer than 3 months.`);
  }
  return { start, end };
}

function checkService(p: MewsProperty, body: Body, key = 'ServiceId'): void {
  if (required(body, key) !== p.enterprise.serviceId) throw new SimError(400, `Invalid ${key}.`);
}

/** The local date whose time unit starts at `ms`, or a 400 when `ms` is not such a boundary. */
function timeUnitStart(p: MewsProperty, value: unknown, key: string): string {
  const ms = instant(value, key);
  const tz = p.enterprise.timezone;
  const date = localDateOf(ms, tz);
  if (localMidnight(date, tz) !== ms) {
    throw new SimError(400, `${key} must correspond to the start boundary of a time unit (00:00 in the enterprise time zone ${tz}, converted to UTC).`);
  }
  return date;
}

/** Get all services: `Limitation` is required (operations/services.md, "Get all services"). */
const getServices: Operation = (p, body) => {
  limitation(body);
  return {
  Services: [{
    Id: p.enterprise.serviceId,
    EnterpriseId: p.enterprise.id,
    IsActive: true,
    Name: 'Accommodation',
    Names: { 'en-US': 'Accommodation' },
    Ordering: 0,
    Data: {
      Discriminator: 'Bookable',
      Value: {
        StartOffset: p.enterprise.startOffset,
        EndOffset: p.enterprise.endOffset,
        OccupancyStartOffset: p.enterprise.startOffset,
        OccupancyEndOffset: p.enterprise.endOffset,
        TimeUnitPeriod: 'Day',
      },
    },
    ExternalIdentifier: null,
  }],
  Cursor: null,
  };
};

const getAvailability: Operation = (p, body) => {
  checkService(p, body);
  const first = timeUnitStart(p, body.FirstTimeUnitStartUtc, 'FirstTimeUnitStartUtc');
  const last = timeUnitStart(p, body.LastTimeUnitStartUtc, 'LastTimeUnitStartUtc');
  const units = daysBetween(first, last) + 1;
  if (units < 1) throw new SimError(400, 'LastTimeUnitStartUtc must not be before FirstTimeUnitStartUtc.');
  if (units > MAX_TIME_UNITS) throw new SimError(400, `The time interval may span at most ${MAX_TIME_UNITS} time units.`);
  const dates = Array.from({ length: units }, (_, i) => addDays(first, i));
  return {
    CategoryAvailabilities: p.enterprise.categories.map((c) => ({
      CategoryId: c.id,
      Availabilities: dates.map((d) => p.availability(c.id, d)),
      Adjustments: dates.map((d) => p.adjustment(c.id, d)),
    })),
    TimeUnitStartsUtc: dates.map((d) => isoUtc(localMidnight(d, p.enterprise.timezone))),
  };
};

function limitation(body: Body): { count: number; cursor: string | undefined } {
  const l = body.Limitation;
  if (l === undefined || l === null || typeof l !== 'object') throw new SimError(400, 'Limitation is required.');
  const { Count, Cursor } = l as Body;
  if (typeof Count !== 'number' || !Number.isInteger(Count) || Count < 1 || Count > MAX_COUNT) {
    throw new SimError(400, `Limitation.Count must be a whole number from 1 to ${MAX_COUNT}.`);
  }
  if (Cursor !== undefined && Cursor !== null && typeof Cursor !== 'string') throw new SimError(400, 'Limitation.Cursor must be a string.');
  return { count: Count, cursor: Cursor ?? undefined };
}

const within = (ms: number, i: { start: number; end: number }) => ms >= i.start && ms <= i.end;

/**
 * Get all reservations (ver 2023-06-06), with cursor pagination: newest first, `Limitation.Cursor`
 * names the item one newer than the page wanted, the answer's `Cursor` the oldest item returned.
 */
const getReservations: Operation = (p, body) => {
  const page = limitation(body);
  const ids = strings(body, 'ReservationIds');
  const services = strings(body, 'ServiceIds');
  const numbers = strings(body, 'Numbers');
  // `ChannelNumbers` (optional, max 100 items): added to getAll 2023-06-06 on 2 April 2025
  // (changelog/README.md); matches the reservation's ChannelNumber exactly.
  const channelNumbers = strings(body, 'ChannelNumbers', 100);
  const created = interval(body, 'CreatedUtc');
  const updated = interval(body, 'UpdatedUtc');
  const colliding = interval(body, 'CollidingUtc');
  const scheduledStart = interval(body, 'ScheduledStartUtc');
  const scheduledEnd = interval(body, 'ScheduledEndUtc');
  const states = strings(body, 'States');
  for (const s of states ?? []) {
    if (!SERVICE_ORDER_STATES.includes(s as ServiceOrderState)) throw new SimError(400, `Invalid state ${s}.`);
  }
  const enterprises = strings(body, 'EnterpriseIds');
  if (enterprises && !enterprises.includes(p.enterprise.id)) return { Reservations: [], Cursor: null };
  const match = (r: SimReservation) => (!ids || ids.includes(r.Id))
    && (!services || services.includes(r.ServiceId))
    && (!numbers || numbers.includes(r.Number))
    && (!channelNumbers || (r.ChannelNumber !== null && channelNumbers.includes(r.ChannelNumber)))
    && (!created || within(r.CreatedUtc, created))
    && (!updated || within(r.UpdatedUtc, updated))
    && (!colliding || (r.ScheduledStartUtc < colliding.end && r.ScheduledEndUtc > colliding.start))
    && (!scheduledStart || within(r.ScheduledStartUtc, scheduledStart))
    && (!scheduledEnd || within(r.ScheduledEndUtc, scheduledEnd))
    && (!states || states.includes(r.State));
  const newestFirst = p.all().reverse();
  let from = 0;
  if (page.cursor !== undefined) {
    const at = newestFirst.findIndex((r) => r.Id === page.cursor);
    if (at === -1) throw new SimError(400, 'Invalid Limitation.Cursor.');
    from = at + 1;
  }
  const items = newestFirst.slice(from).filter(match).slice(0, page.count);
  return {
    Reservations: items.map((r) => toReservation20230606(r, p.profileId)),
    Cursor: items.length > 0 ? items[items.length - 1]!.Id : null,
  };
};

/** Add reservations: one group per call; `CheckOverbooking` (default true) refuses with 403. */
const addReservations: Operation = (p, body) => {
  checkService(p, body);
  const list = body.Reservations;
  if (!Array.isArray(list) || list.length === 0 || list.length > 1000) {
    throw new SimError(400, 'Reservations must be an array of 1 to 1000 items.');
  }
  const checkOverbooking = body.CheckOverbooking !== false;
  const tz = p.enterprise.timezone;
  const planned = list.map((item: unknown, i) => {
    if (typeof item !== 'object' || item === null) throw new SimError(400, `Reservations[${i}] must be an object.`);
    const o = item as Body;
    const start = instant(o.StartUtc, `Reservations[${i}].StartUtc`);
    const end = instant(o.EndUtc, `Reservations[${i}].EndUtc`);
    const categoryId = required(o, 'RequestedCategoryId');
    if (!p.category(categoryId)) throw new SimError(400, `Invalid RequestedCategoryId ${categoryId}.`);
    if (required(o, 'RateId') !== p.enterprise.rateId) throw new SimError(400, 'Invalid RateId.');
    if (required(o, 'CustomerId') !== p.enterprise.customerId) throw new SimError(400, 'Invalid CustomerId.');
    const counts = o.PersonCounts;
    if (!Array.isArray(counts) || counts.length === 0) throw new SimError(400, 'PersonCounts must have at least one age category.');
    let adults = 0;
    for (const c of counts as Body[]) {
      if (c?.AgeCategoryId !== p.enterprise.ageCategoryId) throw new SimError(400, 'Invalid AgeCategoryId.');
      if (typeof c.Count !== 'number' || !Number.isInteger(c.Count) || c.Count < 1) throw new SimError(400, 'PersonCounts Count must be positive.');
      adults += c.Count;
    }
    // Add reservations takes a "Service order state (ver 2017-04-12)": "either `Optional`,
    // `Enquired` or `Confirmed`"; getAll 2023-06-06 reports Enquired as `Inquired`.
    const requested = str(o, 'State') ?? 'Confirmed';
    if (!ADD_STATES.has(requested)) throw new SimError(400, `State ${requested} is not allowed for new reservations (Optional, Enquired or Confirmed).`);
    const state = ADD_STATES.get(requested)!;
    if (!(end > start)) throw new SimError(400, 'EndUtc must be after StartUtc.');
    return {
      identifier: str(o, 'Identifier') ?? null, categoryId, start, end, state, adults,
      channelNumber: str(o, 'ChannelNumber') ?? null, notes: str(o, 'Notes') ?? null,
    };
  });
  if (checkOverbooking) {
    const wanted = new Map<string, number>();
    for (const r of planned) {
      if (r.state === 'Inquired') continue;
      for (const d of datesOf(r.start, r.end, tz)) {
        const key = `${r.categoryId}|${d}`;
        const n = (wanted.get(key) ?? 0) + 1;
        wanted.set(key, n);
        if (p.availability(r.categoryId, d) < n) {
          throw new SimError(403, `Insufficient availability of the requested resource category on ${d}.`);
        }
      }
    }
  }
  const groupId = str(body, 'GroupId');
  let group = groupId;
  const added = planned.map((r) => {
    const res = p.add({
      categoryId: r.categoryId, start: r.start, end: r.end, state: r.state, channelNumber: r.channelNumber,
      notes: r.notes, origin: 'Connector', adults: r.adults, ...(group ? { groupId: group } : {}),
    });
    group = res.GroupId;
    return { Identifier: r.identifier, Reservation: toReservation20170412(res) };
  });
  return { Reservations: added };
};

function datesOf(start: number, end: number, tz: string): string[] {
  const first = localDateOf(start, tz);
  const last = localDateOf(end, tz);
  const n = Math.max(1, daysBetween(first, last));
  return Array.from({ length: n }, (_, i) => addDays(first, i));
}

/** Cancel reservation: all or nothing; `Notes` is required. */
const cancelReservations: Operation = (p, body) => {
  const ids = strings(body, 'ReservationIds');
  if (!ids || ids.length === 0) throw new SimError(400, 'ReservationIds is required.');
  required(body, 'Notes');
  for (const id of ids) {
    const r = p.get(id);
    if (!r) throw new SimError(400, `Invalid ReservationIds: ${id}.`);
    if (r.State === 'Canceled' || r.State === 'Started' || r.State === 'Processed') {
      throw new SimError(403, `Reservation ${r.Number} in state ${r.State} cannot be canceled.`);
    }
  }
  for (const id of ids) p.cancel(id);
  return { ReservationIds: ids };
};

/**
 * Get all restrictions (operations/restrictions.md, "Get all restrictions",
 * https://docs.mews.com/connector-api/operations/restrictions#get-all-restrictions): `ServiceIds`
 * and `Limitation` required; `CollidingUtc`, `UpdatedUtc` at most 3 months; `ResourceCategoryIds`;
 * `RateIds` "returns all restrictions that affect given rates (i.e. ones without any Conditions,
 * ones assigned directly to specified rates, ones assigned to Rate group of specified rates, or
 * ones inherited from base rates)" (this enterprise's one rate is in no rate group and has no
 * base rate). "Required if no other filter is provided": CollidingUtc unless another filter is.
 */
const getRestrictions: Operation = (p, body) => {
  const page = limitation(body);
  const services = strings(body, 'ServiceIds');
  if (!services || services.length === 0) throw new SimError(400, 'ServiceIds is required.');
  const colliding = interval(body, 'CollidingUtc');
  const updated = interval(body, 'UpdatedUtc');
  const categories = strings(body, 'ResourceCategoryIds');
  const rates = strings(body, 'RateIds');
  const ids = strings(body, 'RestrictionIds');
  if (!colliding && !updated && !categories && !rates && !ids) throw new SimError(400, 'CollidingUtc is required if no other filter is provided.');
  const enterprises = strings(body, 'EnterpriseIds');
  if (enterprises && !enterprises.includes(p.enterprise.id)) return { Restrictions: [], Cursor: null };
  const at = (v: unknown, open: number) => (typeof v === 'string' ? Date.parse(v) : open);
  const match = (r: (typeof p.restrictions)[number]) => {
    const c = r.Conditions;
    if (!services.includes(String(r.ServiceId)) || (ids && !ids.includes(r.Id))) return false;
    if (categories && !(typeof c.ResourceCategoryId === 'string' && categories.includes(c.ResourceCategoryId))) return false;
    if (rates && !(!c.ExactRateId && !c.BaseRateId && !c.RateGroupId) && !rates.includes(String(c.ExactRateId)) && !rates.includes(String(c.BaseRateId))) return false;
    // Inclusive intervals (concepts/restrictions.md): active from StartUtc to EndUtc.
    if (colliding && !(at(c.StartUtc, Number.NEGATIVE_INFINITY) <= colliding.end && at(c.EndUtc, Number.POSITIVE_INFINITY) >= colliding.start)) return false;
    return !updated || within(r.UpdatedUtc, updated);
  };
  const all = p.restrictions.filter(match);
  let from = 0;
  if (page.cursor !== undefined) {
    from = all.findIndex((r) => r.Id === page.cursor) + 1;
    if (from === 0) throw new SimError(400, 'Invalid Limitation.Cursor.');
  }
  const items = all.slice(from, from + page.count);
  return {
    Restrictions: items.map(({ UpdatedUtc: _u, ...r }) => r),
    Cursor: items.length > 0 ? items[items.length - 1]!.Id : null,
  };
};

/** An update value (`{ "Value": … }`, or null / absent for "not updated"), operations/_objects.md. */
function updateValue(o: Body, key: string): unknown {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'object' || !('Value' in (v as Body))) throw new SimError(400, `${key} must be an update value { "Value": ... } or null.`);
  return (v as Body).Value;
}

/**
 * Update reservations (operations/reservations.md, "Update reservations",
 * https://docs.mews.com/connector-api/operations/reservations#update-reservations):
 * `ReservationUpdates` (max 1000), each with `ReservationId` and update values `StartUtc`,
 * `EndUtc`, `RequestedCategoryId` (others accepted, not modelled); all or nothing.
 * `CheckOverbooking` (default true) refuses with 403 what does not fit; a canceled or
 * processed reservation cannot be changed (403). Answers the updated reservations (ver 2017-04-12).
 */
const updateReservations: Operation = (p, body) => {
  const list = body.ReservationUpdates;
  if (!Array.isArray(list) || list.length === 0 || list.length > 1000) throw new SimError(400, 'ReservationUpdates must be an array of 1 to 1000 items.');
  const tz = p.enterprise.timezone;
  const planned = list.map((item: unknown, i) => {
    if (typeof item !== 'object' || item === null) throw new SimError(400, `ReservationUpdates[${i}] must be an object.`);
    const o = item as Body;
    const r = p.get(required(o, 'ReservationId'));
    if (!r) throw new SimError(400, `Invalid ReservationId ${String(o.ReservationId)}.`);
    if (r.State === 'Canceled' || r.State === 'Processed') throw new SimError(403, `Reservation ${r.Number} in state ${r.State} cannot be updated.`);
    const start = updateValue(o, 'StartUtc');
    const end = updateValue(o, 'EndUtc');
    const category = updateValue(o, 'RequestedCategoryId');
    const next = {
      start: start === undefined ? r.ScheduledStartUtc : instant(start, `ReservationUpdates[${i}].StartUtc`),
      end: end === undefined ? r.ScheduledEndUtc : instant(end, `ReservationUpdates[${i}].EndUtc`),
      categoryId: category === undefined ? r.RequestedResourceCategoryId : String(category),
    };
    if (!p.category(next.categoryId)) throw new SimError(400, `Invalid RequestedCategoryId ${next.categoryId}.`);
    if (!(next.end > next.start)) throw new SimError(400, 'EndUtc must be after StartUtc.');
    return { r, next };
  });
  if (body.CheckOverbooking !== false) {
    for (const { r, next } of planned) {
      const own = new Set(r.RequestedResourceCategoryId === next.categoryId && r.State !== 'Inquired' ? datesOf(r.ScheduledStartUtc, r.ScheduledEndUtc, tz) : []);
      for (const d of datesOf(next.start, next.end, tz)) {
        // The reservation's own nights in the same category are already counted as taken.
        if (p.availability(next.categoryId, d) + (own.has(d) ? 1 : 0) < 1) {
          throw new SimError(403, `Insufficient availability of the requested resource category on ${d}.`);
        }
      }
    }
  }
  return { Reservations: planned.map(({ r, next }) => toReservation20170412(p.reschedule(r.Id, next))) };
};

/** Paths after `/api/connector/v1/`. */
export const OPERATIONS: Readonly<Record<string, Operation>> = {
  'services/getAll': getServices,
  'services/getAvailability': getAvailability,
  'reservations/getAll/2023-06-06': getReservations,
  'reservations/add': addReservations,
  'reservations/cancel': cancelReservations,
  'reservations/update': updateReservations,
  'restrictions/getAll': getRestrictions,
};
