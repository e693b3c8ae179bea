import { createAccount, type DAVAccount, type DAVResponse } from 'tsdav';
import { isTimeZone } from '../../src/domain/index.js';
import { AdapterError } from '../../src/core/adapter/errors.js';
import { failIfTopLevelError } from './dav.js';
import { calendarPathOf, canonicalPath } from './ids.js';
import type { CaldavSettings } from './settings.js';
import type { Transport } from './transport.js';

/** A calendar collection as discovery found it. */
export interface FoundCalendar {
  url: string;
  /** Canonical URL path, ending in `/`. */
  path: string;
  displayName: string;
  /** The IANA zone of the calendar's CALDAV:calendar-timezone, when it names one. */
  timezone: string | null;
  syncToken?: string;
  ctag?: string;
}

const str = (v: unknown): string | undefined => {
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v === 'object') return str((v as { _cdata?: unknown; _text?: unknown })._cdata ?? (v as { _text?: unknown })._text);
  return String(v);
};

/** The TZID of the VTIMEZONE in a CALDAV:calendar-timezone property, if it is an IANA zone. */
export function zoneOfCalendarTimezone(vtimezone: string | undefined): string | null {
  const tzid = vtimezone ? /^TZID[^:]*:(.+)$/m.exec(vtimezone.replace(/\r?\n[ \t]/g, ''))?.[1]?.trim() : undefined;
  return tzid && isTimeZone(tzid) ? tzid : null;
}

/** The component names of a CALDAV:supported-calendar-component-set (none: any component). */
function componentsOf(set: unknown): string[] {
  const comp = (set as { comp?: unknown } | undefined)?.comp;
  const list = Array.isArray(comp) ? comp : comp === undefined ? [] : [comp];
  return list.map((c) => String((c as { _attributes?: { name?: unknown } })?._attributes?.name ?? '').toUpperCase());
}

function found(r: DAVResponse, homeUrl: string): FoundCalendar | null {
  const props: Record<string, unknown> = r.props ?? {};
  const href = str(r.href);
  if (href === undefined || !Object.keys(props.resourcetype ?? {}).includes('calendar')) return null;
  const components = componentsOf(props.supportedCalendarComponentSet);
  if (components.length > 0 && !components.includes('VEVENT')) return null;
  const url = new URL(href, homeUrl).href;
  const out: FoundCalendar = {
    url,
    path: calendarPathOf(url),
    displayName: str(props.displayname) ?? '',
    timezone: zoneOfCalendarTimezone(str(props.calendarTimezone)),
  };
  const syncToken = str(props.syncToken);
  const ctag = str(props.getctag);
  if (syncToken !== undefined) out.syncToken = syncToken;
  if (ctag !== undefined) out.ctag = ctag;
  return out;
}

/**
 * The calendars of the configured account, with their sync-token and ctag as of now (read before
 * the objects, so a change made meanwhile is seen again by the next delta pull, never lost).
 * Without `calendarHome`: RFC 6764 well-known lookup, current-user-principal, calendar-home-set
 * (tsdav's createAccount); then one PROPFIND Depth 1 on the home. tsdav's fetchCalendars is not
 * used: it asks every calendar of the home for its supported-report-set, all at once (one request
 * per calendar against the quota, and a 1 s stall on Radicale beyond its 8 connections), for a
 * report list that servers do not fill reliably anyway (Xandikos leaves it empty).
 */
export async function discoverCalendars(settings: CaldavSettings, fetch: Transport): Promise<FoundCalendar[]> {
  try {
    let account: DAVAccount;
    if (settings.calendarHome !== undefined) {
      account = {
        accountType: 'caldav', serverUrl: settings.url, rootUrl: new URL('/', settings.url).href,
        homeUrl: new URL(settings.calendarHome, settings.url).href,
      };
    } else {
      account = await createAccount({ account: { accountType: 'caldav', serverUrl: settings.url }, fetch });
    }
    const homeUrl = account.homeUrl!;
    // The home's listing grows with its calendars: parsed off the event loop.
    const responses = await fetch.dav('propfind', {
      url: homeUrl,
      depth: '1',
      props: {
        'd:displayname': {}, 'd:resourcetype': {}, 'cs:getctag': {}, 'd:sync-token': {},
        'c:calendar-timezone': {}, 'c:supported-calendar-component-set': {},
      },
    });
    failIfTopLevelError(responses, `PROPFIND on the calendar home ${new URL(homeUrl).pathname}`);
    return responses.map((r) => found(r, homeUrl)).filter((c): c is FoundCalendar => c !== null);
  } catch (err) {
    if (err instanceof AdapterError || !(err instanceof Error) || err.name === 'AbortError' || err.name === 'TimeoutError') throw err;
    throw new Error(`CalDAV discovery at ${settings.url} failed: ${err.message}`, { cause: err });
  }
}

const describe = (calendars: FoundCalendar[]) => calendars.length === 0
  ? 'the account has no calendars'
  : `available: ${calendars.map((c) => `${c.path} ("${c.displayName}")`).join(', ')}`;

/**
 * The calendar a resource's `source.calendar` names: a URL (its path is used), a path or a unique
 * path suffix (`/north/main-hall/`, `main-hall/`), else a display name (exact, then ignoring case).
 * @throws Error naming the resource and the calendars there are, when none or several match
 */
export function matchCalendar(resourceId: string, ref: string, calendars: FoundCalendar[]): FoundCalendar {
  const wanted = ref.trim();
  if (/^https?:\/\//i.test(wanted) || wanted.includes('/')) {
    const raw = /^https?:\/\//i.test(wanted) ? new URL(wanted).pathname : wanted;
    const path = canonicalPath(raw.endsWith('/') ? raw : `${raw}/`);
    const suffix = path.startsWith('/') ? path : `/${path}`;
    const hits = calendars.filter((c) => c.path === path || c.path.endsWith(suffix));
    if (hits.length === 1) return hits[0]!;
    if (hits.length > 1) throw new Error(`resource "${resourceId}": calendar "${ref}" matches several calendars (${hits.map((c) => c.path).join(', ')}); give the full path`);
  } else {
    const exact = calendars.filter((c) => c.displayName === wanted);
    const loose = exact.length > 0 ? exact : calendars.filter((c) => c.displayName.toLowerCase() === wanted.toLowerCase());
    if (loose.length === 1) return loose[0]!;
    if (loose.length > 1) throw new Error(`resource "${resourceId}": several calendars are named "${ref}" (${loose.map((c) => c.path).join(', ')}); use the path instead`);
  }
  throw new Error(`resource "${resourceId}": no calendar matches "${ref}"; ${describe(calendars)}`);
}
