import { localDateOf, nightsOf } from '../../../src/domain/index.js';
import type { LocalDate } from '../../../src/domain/types.js';

/**
 * The simulated property's data, in Mews terms (Connector API "Reservation (ver 2023-06-06)",
 * "Service", "Resource category"). Instants are epoch milliseconds, whole seconds like Mews shows.
 */

export type ServiceOrderState = 'Inquired' | 'Requested' | 'Optional' | 'Confirmed' | 'Started' | 'Processed' | 'Canceled';
export const SERVICE_ORDER_STATES: readonly ServiceOrderState[] = [
  'Inquired', 'Requested', 'Optional', 'Confirmed', 'Started', 'Processed', 'Canceled',
];
/** States that hold a room in the simulator's availability (waitlist and inquiries do not). */
export const OCCUPYING_STATES: ReadonlySet<ServiceOrderState> = new Set(['Optional', 'Confirmed', 'Started', 'Processed']);

interface SimCategory { id: string; name: string; rooms: number }

export interface SimEnterprise {
  id: string;
  timezone: string;
  serviceId: string;
  rateId: string;
  ageCategoryId: string;
  /** A customer profile that may own reservations made through the API. */
  customerId: string;
  categories: SimCategory[];
  /** Service offsets from the time unit start / end, as ISO 8601 durations (Get all services). */
  startOffset: string;
  endOffset: string;
}

export interface SimReservation {
  Id: string;
  ServiceId: string;
  GroupId: string;
  Number: string;
  ChannelNumber: string | null;
  State: ServiceOrderState;
  Origin: 'Connector' | 'Commander';
  CreatedUtc: number;
  UpdatedUtc: number;
  CancelledUtc: number | null;
  ScheduledStartUtc: number;
  ScheduledEndUtc: number;
  RequestedResourceCategoryId: string;
  RateId: string;
  AccountId: string;
  Notes: string | null;
  PersonCounts: Array<{ AgeCategoryId: string; Count: number }>;
}

/** Whole seconds, as Mews timestamps read. */
export function wholeSeconds(ms: number): number {
  return Math.floor(ms / 1000) * 1000;
}

/** ISO 8601 UTC without fractions when there are none (`2027-03-10T14:00:00Z`). */
export function isoUtc(ms: number): string {
  return new Date(ms).toISOString().replace('.000Z', 'Z');
}

/** The time units (local dates in the property's zone) a reservation occupies; at least one. */
export function occupiedDates(r: Pick<SimReservation, 'ScheduledStartUtc' | 'ScheduledEndUtc'>, tz: string): LocalDate[] {
  const first = localDateOf(r.ScheduledStartUtc, tz);
  const nights = nightsOf(first, localDateOf(r.ScheduledEndUtc, tz));
  return nights.length > 0 ? nights : [first];
}

/** The reservation as `reservations/getAll/2023-06-06` returns it. */
export function toReservation20230606(r: SimReservation, profileId: string): Record<string, unknown> {
  return {
    Id: r.Id,
    ServiceId: r.ServiceId,
    AccountId: r.AccountId,
    AccountType: 'Customer',
    CreatorProfileId: profileId,
    UpdaterProfileId: profileId,
    BookerId: null,
    Number: r.Number,
    State: r.State,
    Origin: r.Origin,
    CommanderOrigin: r.Origin === 'Commander' ? 'InPerson' : null,
    OriginDetails: null,
    CreatedUtc: isoUtc(r.CreatedUtc),
    UpdatedUtc: isoUtc(r.UpdatedUtc),
    CancelledUtc: r.CancelledUtc === null ? null : isoUtc(r.CancelledUtc),
    VoucherId: null,
    BusinessSegmentId: null,
    Options: { OwnerCheckedIn: false, AllCompanionsCheckedIn: false, AnyCompanionCheckedIn: false, ConnectorCheckIn: false },
    RateId: r.RateId,
    CreditCardId: null,
    GroupId: r.GroupId,
    RequestedResourceCategoryId: r.RequestedResourceCategoryId,
    AssignedResourceId: null,
    AvailabilityBlockId: null,
    PartnerCompanyId: null,
    TravelAgencyId: null,
    AssignedResourceLocked: false,
    ChannelNumber: r.ChannelNumber,
    ChannelManagerNumber: null,
    CancellationReason: r.State === 'Canceled' ? 'Other' : null,
    ReleasedUtc: null,
    ScheduledStartUtc: isoUtc(r.ScheduledStartUtc),
    ActualStartUtc: null,
    ScheduledEndUtc: isoUtc(r.ScheduledEndUtc),
    ActualEndUtc: null,
    Purpose: null,
    QrCodeData: null,
    PersonCounts: r.PersonCounts,
    StartUtc: isoUtc(r.ScheduledStartUtc),
    EndUtc: isoUtc(r.ScheduledEndUtc),
  };
}

/** The reservation as `reservations/add` returns it (the older "ver 2017-04-12" shape). */
export function toReservation20170412(r: SimReservation): Record<string, unknown> {
  return {
    Id: r.Id,
    ServiceId: r.ServiceId,
    GroupId: r.GroupId,
    Number: r.Number,
    ChannelManager: '',
    ChannelManagerGroupNumber: null,
    ChannelManagerNumber: null,
    ChannelNumber: r.ChannelNumber,
    State: r.State,
    Origin: r.Origin,
    CreatedUtc: isoUtc(r.CreatedUtc),
    UpdatedUtc: isoUtc(r.UpdatedUtc),
    CancelledUtc: r.CancelledUtc === null ? null : isoUtc(r.CancelledUtc),
    StartUtc: isoUtc(r.ScheduledStartUtc),
    EndUtc: isoUtc(r.ScheduledEndUtc),
    ReleasedUtc: null,
    RequestedCategoryId: r.RequestedResourceCategoryId,
    AssignedResourceId: null,
    AssignedResourceLocked: false,
    BusinessSegmentId: null,
    CompanyId: null,
    TravelAgencyId: null,
    AvailabilityBlockId: null,
    RateId: r.RateId,
    VoucherId: null,
    CustomerId: r.AccountId,
    PersonCounts: r.PersonCounts,
  };
}
