/**
 * The slice of Google Calendar v3's Event resource the simulator stores and serves
 * (https://developers.google.com/calendar/api/v3/reference/events). Field names and meanings are
 * Google's; nothing here leaves `adapters/google/`.
 */

/** Google's EventDateTime: a timed instant (`dateTime`, RFC 3339) or an all-day `date`. */
export interface SimDateTime {
  dateTime?: string;
  date?: string;
  /** IANA zone; required by Google for recurring timed events and offset-less `dateTime`s. */
  timeZone?: string;
}

type SimEventStatus = 'confirmed' | 'tentative' | 'cancelled';

export interface SimExtendedProperties {
  private?: Record<string, string>;
  shared?: Record<string, string>;
}

/** A stored event, a recurring master, an exception or a generated instance, as served. */
export interface SimEvent {
  kind: 'calendar#event';
  etag: string;
  id: string;
  status: SimEventStatus;
  created: string;
  updated: string;
  summary?: string;
  description?: string;
  /** The event's page in Google Calendar (as Google forms it: eid = base64 of "eventId calendarId"). */
  htmlLink?: string;
  start: SimDateTime;
  end: SimDateTime;
  transparency?: 'opaque' | 'transparent';
  /** RRULE, EXRULE, RDATE and EXDATE lines (masters only). */
  recurrence?: string[];
  /** Instances and exceptions: the master's id. */
  recurringEventId?: string;
  /** Instances and exceptions: where the recurrence rule put this instance. */
  originalStartTime?: SimDateTime;
  iCalUID: string;
  sequence: number;
  extendedProperties?: SimExtendedProperties;
}

/**
 * How Google serves a deleted event in a sync (or `showDeleted`) answer: just enough to remove it.
 * Instances keep `recurringEventId` and `originalStartTime`.
 */
export interface SimCancelledEvent {
  kind: 'calendar#event';
  etag: string;
  id: string;
  status: 'cancelled';
  recurringEventId?: string;
  originalStartTime?: SimDateTime;
}

export type SimWireEvent = SimEvent | SimCancelledEvent;

/** What a caller sends to create an event; Google (and the simulator) fills in the rest. */
export interface SimEventInput {
  id?: string;
  status?: SimEventStatus;
  summary?: string;
  description?: string;
  start: SimDateTime;
  end: SimDateTime;
  transparency?: 'opaque' | 'transparent';
  recurrence?: string[];
  recurringEventId?: string;
  originalStartTime?: SimDateTime;
  extendedProperties?: SimExtendedProperties;
  /** Admin API only: backdate creation (fixtures, first-come ordering tests). */
  created?: string;
}

/** Google's `Events` collection page. */
export interface SimEventsPage {
  kind: 'calendar#events';
  etag: string;
  summary: string;
  updated: string;
  timeZone: string;
  accessRole: 'owner';
  defaultReminders: [];
  nextPageToken?: string;
  nextSyncToken?: string;
  items: SimWireEvent[];
}

/** A Google service-account key file, as the simulator issues it. */
export interface SimServiceAccountKey {
  type: 'service_account';
  project_id: string;
  private_key_id: string;
  private_key: string;
  client_email: string;
  client_id: string;
  auth_uri: string;
  token_uri: string;
}

/** OAuth client credentials plus a refresh token the simulator's token endpoint accepts. */
export interface SimOAuthCredentials {
  clientId: string;
  clientSecret: string;
  refreshToken: string;
  tokenUrl: string;
}

/** How `failNext` makes the next Calendar API requests fail. */
export interface SimFailure {
  status: 401 | 403 | 429 | 500 | 503;
  /** Google's error reason; defaults by status (`rateLimitExceeded` for 403/429, `backendError` for 5xx). */
  reason?: string;
  /** Seconds, sent as `Retry-After`. */
  retryAfter?: number;
}

/** One request the simulator answered (admin `/__sim/` requests are not recorded). */
export interface SimRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  status: number;
}
