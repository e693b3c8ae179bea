import type { DAVResponse } from 'tsdav';
import type { Interval } from '../../src/domain/types.js';
import type { Transport } from './transport.js';

/**
 * The few WebDAV/CalDAV requests a poll makes, on tsdav's request builders. Each function makes
 * exactly one HTTP request (a truncated sync-collection answer is the caller's loop).
 */

export interface DavObject {
  /** Absolute URL of the calendar object. */
  url: string;
  etag?: string;
  /** The iCalendar text, when it was asked for. */
  data?: string;
  /** 200 for a member, 404 for one that is gone (multiget, sync-collection). */
  status: number;
}

const text = (v: unknown): string | undefined => {
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v === 'object') {
    const o = v as { _cdata?: unknown; _text?: unknown };
    return text(o._cdata ?? o._text);
  }
  // tsdav turns numeric-looking text into numbers; tokens and etags are strings.
  return String(v);
};

const basic = (ms: number) => `${new Date(ms).toISOString().slice(0, 19).replace(/[-:]/g, '')}Z`;

/** The object responses of a multistatus (the collection itself and the empty placeholder left out). */
function objectsOf(responses: DAVResponse[], collectionUrl: string): DavObject[] {
  const collection = new URL(collectionUrl).pathname.replace(/\/?$/, '/');
  const out: DavObject[] = [];
  for (const r of responses) {
    const href = text(r.href);
    if (href === undefined) continue;
    const url = new URL(href, collectionUrl);
    if (url.pathname.replace(/\/?$/, '/') === collection) continue;
    const props = r.props ?? {};
    const obj: DavObject = { url: url.href, status: r.status };
    const etag = text(props.getetag);
    const data = text(props.calendarData);
    if (etag !== undefined) obj.etag = etag;
    if (data !== undefined) obj.data = data;
    out.push(obj);
  }
  return out;
}

/** A request the server answered with an error status (other than those the transport maps). */
export class DavStatusError extends Error {
  constructor(message: string, readonly status: number, readonly body: string) {
    super(message);
  }
}

export function failIfTopLevelError(responses: DAVResponse[], what: string): void {
  const first = responses[0];
  if (responses.length === 1 && first && !first.ok && first.props === undefined) {
    const body = typeof first.raw === 'string' ? first.raw : JSON.stringify(first.raw ?? '');
    throw new DavStatusError(`${what} answered ${first.status} ${first.statusText}`.trim(), first.status, body);
  }
}

/**
 * RFC 4791 §7.8 calendar-query: the VEVENT objects overlapping `window` (§9.9 time-range), with
 * their etags and, when `withData`, their iCalendar text.
 */
async function queryWindow(fetch: Transport, calendarUrl: string, window: Interval, withData: boolean): Promise<DavObject[]> {
  const responses = await fetch.dav('calendarQuery', {
    url: calendarUrl,
    props: withData ? { 'd:getetag': {}, 'c:calendar-data': {} } : { 'd:getetag': {} },
    filters: {
      'comp-filter': {
        _attributes: { name: 'VCALENDAR' },
        'comp-filter': {
          _attributes: { name: 'VEVENT' },
          'time-range': { _attributes: { start: basic(window.start), end: basic(window.end) } },
        },
      },
    },
    depth: '1',
  });
  return objectsOf(responses, calendarUrl).filter((o) => o.status >= 200 && o.status < 300);
}

/** A calendar-query over the VEVENTs that have property `prop` (RFC 4791 §9.7.2), no time range. */
async function queryHaving(fetch: Transport, calendarUrl: string, prop: 'RRULE' | 'RDATE' | null, withData: boolean): Promise<DavObject[]> {
  const vevent: Record<string, unknown> = { _attributes: { name: 'VEVENT' } };
  if (prop !== null) vevent['prop-filter'] = { _attributes: { name: prop } };
  const responses = await fetch.dav('calendarQuery', {
    url: calendarUrl,
    props: withData ? { 'd:getetag': {}, 'c:calendar-data': {} } : { 'd:getetag': {} },
    filters: { 'comp-filter': { _attributes: { name: 'VCALENDAR' }, 'comp-filter': vevent } },
    depth: '1',
  });
  failIfTopLevelError(responses, `calendar-query on ${new URL(calendarUrl).pathname}`);
  return objectsOf(responses, calendarUrl).filter((o) => o.status >= 200 && o.status < 300);
}

/**
 * Every object that may have busy time in `window`: the time-range query, plus every recurring
 * series (RRULE or RDATE) whatever its time range. Some servers (Xandikos, jelmer/xandikos#8)
 * match a recurring event by its first instance only, so a series that began before the window
 * would be missing from the time-range answer alone. A server that refuses the property filters
 * is asked for all its events instead (never fewer than needed). Objects are unique by URL.
 */
export async function queryWindowAndSeries(fetch: Transport, calendarUrl: string, window: Interval, withData: boolean): Promise<DavObject[]> {
  const byUrl = new Map<string, DavObject>();
  for (const o of await queryWindow(fetch, calendarUrl, window, withData)) byUrl.set(o.url, o);
  let series: DavObject[];
  try {
    series = [
      ...await queryHaving(fetch, calendarUrl, 'RRULE', withData),
      ...await queryHaving(fetch, calendarUrl, 'RDATE', withData),
    ];
  } catch (err) {
    if (!(err instanceof DavStatusError)) throw err;
    series = await queryHaving(fetch, calendarUrl, null, withData);
  }
  for (const o of series) if (!byUrl.has(o.url)) byUrl.set(o.url, o);
  return [...byUrl.values()];
}

/**
 * RFC 4791 §7.9 calendar-multiget of the given objects: etag and text of each, 404 for one that
 * went away in the meantime (tsdav's own multiget helper throws on that, so the REPORT is built
 * here with its davRequest).
 */
export async function multiget(fetch: Transport, calendarUrl: string, objectUrls: string[]): Promise<DavObject[]> {
  if (objectUrls.length === 0) return [];
  const responses = await fetch.dav('davRequest', {
    url: calendarUrl,
    init: {
      method: 'REPORT',
      headers: { depth: '1' },
      namespace: 'c',
      body: {
        'calendar-multiget': {
          _attributes: { 'xmlns:d': 'DAV:', 'xmlns:c': 'urn:ietf:params:xml:ns:caldav' },
          'd:prop': { 'd:getetag': {}, 'c:calendar-data': {} },
          'd:href': objectUrls.map((u) => new URL(u).pathname),
        },
      },
    },
  });
  failIfTopLevelError(responses, `calendar-multiget on ${new URL(calendarUrl).pathname}`);
  return objectsOf(responses, calendarUrl);
}

/** The collection's getctag and DAV:sync-token (one PROPFIND, Depth 0). */
export async function collectionState(fetch: Transport, calendarUrl: string): Promise<{ ctag?: string; syncToken?: string }> {
  const responses = await fetch.dav('propfind', {
    url: calendarUrl,
    props: { 'cs:getctag': {}, 'd:sync-token': {} },
    depth: '0',
  });
  failIfTopLevelError(responses, `PROPFIND on ${new URL(calendarUrl).pathname}`);
  const props = responses[0]?.props ?? {};
  const out: { ctag?: string; syncToken?: string } = {};
  const ctag = text(props.getctag);
  const syncToken = text(props.syncToken);
  if (ctag !== undefined) out.ctag = ctag;
  if (syncToken !== undefined) out.syncToken = syncToken;
  return out;
}

export type SyncAnswer =
  | { kind: 'changes'; syncToken: string; changed: DavObject[]; removed: string[]; truncated: boolean }
  /** The server no longer knows the token (RFC 6578 §3.2 DAV:valid-sync-token precondition). */
  | { kind: 'invalid-token'; status: number }
  /** The server does not do sync-collection on this collection. */
  | { kind: 'unsupported'; status: number }
  /** The calendar itself is not there any more. */
  | { kind: 'gone'; status: number };

/**
 * RFC 6578 §3.2 sync-collection REPORT from `syncToken`, sync-level 1, asking only for etags.
 * Members with status 404 were removed; a 507 on the collection itself means the answer was
 * truncated (§3.6) and the caller asks again from the new token.
 */
export async function syncReport(fetch: Transport, calendarUrl: string, syncToken: string): Promise<SyncAnswer> {
  const responses = await fetch.dav('syncCollection', {
    url: calendarUrl,
    props: { 'd:getetag': {} },
    syncLevel: 1,
    syncToken,
    // §3.3: the report works on the collection's members through sync-level; Depth stays 0.
    headers: { depth: '0' },
  });
  const first = responses[0];
  if (responses.length === 1 && first && !first.ok && first.props === undefined) {
    const body = typeof first.raw === 'string' ? first.raw : JSON.stringify(first.raw ?? '');
    if (first.status === 404) return { kind: 'gone', status: 404 };
    if (/valid-sync-token/i.test(body) || [400, 409, 410].includes(first.status)) return { kind: 'invalid-token', status: first.status };
    if ([403, 405, 415, 422, 501].includes(first.status)) return { kind: 'unsupported', status: first.status };
    throw new DavStatusError(`sync-collection on ${new URL(calendarUrl).pathname} answered ${first.status} ${first.statusText}`.trim(), first.status, body);
  }
  const raw = (first?.raw ?? {}) as { multistatus?: { syncToken?: unknown } };
  const newToken = text(raw.multistatus?.syncToken);
  if (newToken === undefined) return { kind: 'unsupported', status: first?.status ?? 0 };
  const collection = new URL(calendarUrl).pathname.replace(/\/?$/, '/');
  const truncated = responses.some((r) => {
    const href = text(r.href);
    return href !== undefined && new URL(href, calendarUrl).pathname.replace(/\/?$/, '/') === collection && r.status === 507;
  });
  const members = objectsOf(responses, calendarUrl);
  return {
    kind: 'changes',
    syncToken: newToken,
    changed: members.filter((m) => m.status !== 404),
    removed: members.filter((m) => m.status === 404).map((m) => m.url),
    truncated,
  };
}
