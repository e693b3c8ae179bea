import { badRequest, notFound, SimError } from './errors.js';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, type ListQuery, type SimStore } from './store.js';
import { parseRfc3339 } from './times.js';

/**
 * Calendar API v3 routes (https://developers.google.com/calendar/api/v3/reference/events):
 * calendars.get, events.list, events.get, events.insert, events.patch, events.update, events.delete.
 */

export interface ApiAnswer {
  status: number;
  body?: unknown;
}

/** Parameters that Google refuses next to a syncToken (events.list reference, `syncToken`). */
const NOT_WITH_SYNC_TOKEN = ['iCalUID', 'orderBy', 'privateExtendedProperty', 'q', 'sharedExtendedProperty', 'timeMin', 'timeMax', 'updatedMin'];

function bool(params: URLSearchParams, name: string): boolean | undefined {
  const v = params.get(name);
  if (v === null) return undefined;
  if (v === 'true') return true;
  if (v === 'false') return false;
  throw badRequest(`Invalid value for ${name}.`, name);
}

function instant(params: URLSearchParams, name: string): number | undefined {
  const v = params.get(name);
  if (v === null) return undefined;
  const ms = parseRfc3339(v);
  if (Number.isNaN(ms)) throw badRequest('Bad Request', name);
  return ms;
}

/** The events.list query, checked the way the reference describes. */
function parseListQuery(params: URLSearchParams): ListQuery {
  const syncToken = params.get('syncToken') ?? undefined;
  if (syncToken !== undefined) {
    for (const name of NOT_WITH_SYNC_TOKEN) {
      if (params.has(name)) throw badRequest(`The ${name} parameter cannot be used together with syncToken.`, name);
    }
    if (bool(params, 'showDeleted') === false) throw badRequest('showDeleted cannot be false together with syncToken.', 'showDeleted');
  }
  const singleEvents = bool(params, 'singleEvents') ?? false;
  const orderBy = params.get('orderBy') ?? undefined;
  if (orderBy !== undefined && orderBy !== 'startTime' && orderBy !== 'updated') throw badRequest('Invalid value for orderBy.', 'orderBy');
  if (orderBy === 'startTime' && !singleEvents) {
    throw badRequest('The requested ordering is not available for the particular query.', 'orderBy');
  }
  const timeMin = instant(params, 'timeMin');
  const timeMax = instant(params, 'timeMax');
  if (timeMin !== undefined && timeMax !== undefined && timeMax <= timeMin) {
    throw new SimError(400, 'timeRangeEmpty', 'The specified time range is empty.', 'calendar', { type: 'parameter', name: 'timeMax' });
  }
  const updatedMin = instant(params, 'updatedMin');
  const rawMax = params.get('maxResults');
  let maxResults = DEFAULT_PAGE_SIZE;
  if (rawMax !== null) {
    maxResults = Number(rawMax);
    if (!Number.isInteger(maxResults) || maxResults < 1) throw badRequest('Invalid value for maxResults.', 'maxResults');
    maxResults = Math.min(maxResults, MAX_PAGE_SIZE);
  }
  const fingerprint = [...params.entries()]
    .filter(([k]) => k !== 'pageToken' && k !== 'maxResults')
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
  return {
    singleEvents,
    showDeleted: bool(params, 'showDeleted') ?? false,
    ...(timeMin !== undefined ? { timeMin } : {}),
    ...(timeMax !== undefined ? { timeMax } : {}),
    ...(orderBy !== undefined ? { orderBy } : {}),
    maxResults,
    ...(params.get('pageToken') !== null ? { pageToken: params.get('pageToken')! } : {}),
    ...(syncToken !== undefined ? { syncToken } : {}),
    ...(params.get('iCalUID') !== null ? { iCalUID: params.get('iCalUID')! } : {}),
    ...(params.get('q') !== null ? { q: params.get('q')! } : {}),
    ...(updatedMin !== undefined ? { updatedMin } : {}),
    privateExtendedProperty: params.getAll('privateExtendedProperty'),
    sharedExtendedProperty: params.getAll('sharedExtendedProperty'),
    fingerprint,
  };
}

/**
 * Routes one Calendar API request (path below `/calendar/v3/`, already authorized). Throws
 * SimError for Google-style error answers.
 */
export function calendarApi(store: SimStore, method: string, segments: string[], params: URLSearchParams, body: unknown): ApiAnswer {
  // segments: ['calendars', calendarId, 'events', eventId?]
  if (segments[0] !== 'calendars' || segments[1] === undefined) throw notFound();
  const calendarId = segments[1];
  if (segments.length === 2 && method === 'GET') return { status: 200, body: store.calendarResource(calendarId) };
  if (segments[2] !== 'events' || segments.length > 4) throw notFound();
  const eventId = segments[3];
  if (eventId === undefined) {
    if (method === 'GET') return { status: 200, body: store.list(calendarId, parseListQuery(params)) };
    if (method === 'POST') return { status: 200, body: store.insert(calendarId, body) };
    throw new SimError(405, 'methodNotAllowed', 'Method not allowed.');
  }
  switch (method) {
    case 'GET': return { status: 200, body: store.get(calendarId, eventId) };
    case 'PATCH': return { status: 200, body: store.patch(calendarId, eventId, body) };
    case 'PUT': return { status: 200, body: store.update(calendarId, eventId, body) };
    case 'DELETE': store.delete(calendarId, eventId); return { status: 204 };
    default: throw new SimError(405, 'methodNotAllowed', 'Method not allowed.');
  }
}
