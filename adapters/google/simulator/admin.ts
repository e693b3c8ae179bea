import { badRequest, notFound } from './errors.js';
import type { ApiAnswer } from './api.js';
import type { SimEvent, SimEventInput, SimFailure, SimOAuthCredentials, SimRequest, SimServiceAccountKey } from './types.js';

/**
 * What a test or the demo can do to the simulated Google behind the adapter's back. The same
 * operations are served over HTTP under `/__sim/` (see {@link adminRoute}) for other processes.
 */
export interface SimulatorAdmin {
  /** Requests served so far whose path starts with `pathPrefix` (all non-admin requests without it). */
  requestCount(pathPrefix?: string): number;
  /** The most recent requests (up to 5000), oldest first. */
  requests(): SimRequest[];
  createCalendar(id: string, opts: { timeZone: string; summary?: string }): void;
  /**
   * Creates an event as events.insert would (Google's validation applies). With `recurringEventId`
   * and `originalStartTime` it stores an exception to that series' instance instead.
   */
  insertEvent(calendarId: string, event: SimEventInput): SimEvent;
  /** events.patch semantics; an instance id (`<id>_<stamp>`) makes an exception. */
  patchEvent(calendarId: string, eventId: string, patch: Record<string, unknown>): SimEvent;
  /** events.delete semantics: the event stays as `cancelled`; an instance id cancels one instance. */
  deleteEvent(calendarId: string, eventId: string): void;
  getEvent(calendarId: string, eventId: string): SimEvent;
  /** Stored events (masters, exceptions, deleted ones) as the simulator holds them. */
  storedEvents(calendarId: string): SimEvent[];
  /** Every sync token issued so far answers 410 `fullSyncRequired`. */
  expireSyncTokens(): void;
  /** Every access token issued so far answers 401 (clients must refresh). */
  expireAccessTokens(): void;
  /** The next `n` Calendar API requests (not token requests) fail with this status and reason. */
  failNext(n: number, failure: SimFailure): void;
  /** Until comeBack: every non-admin request answers 503 (`error`) or has its connection reset (`refuse`). */
  goDown(opts?: { mode?: 'error' | 'refuse' }): void;
  comeBack(): void;
  createOAuthClient(opts?: { clientId?: string; clientSecret?: string; refreshToken?: string }): SimOAuthCredentials;
  revokeRefreshToken(refreshToken: string): void;
  createServiceAccount(email?: string): SimServiceAccountKey;
  disableServiceAccount(email: string): void;
}

const str = (v: unknown, name: string): string => {
  if (typeof v !== 'string' || v === '') throw badRequest(`${name} is required`, name, 'required');
  return v;
};
const obj = (v: unknown): Record<string, unknown> => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {});

/**
 * `/__sim/...` routes (segments after `__sim`):
 * - `POST calendars {id, timeZone, summary?}`; `GET calendars/{id}/events` (stored events);
 *   `POST calendars/{id}/events {event}`; `GET|PATCH|DELETE calendars/{id}/events/{eventId}`
 * - `POST expire-sync-tokens`, `POST expire-access-tokens`
 * - `POST fail-next {n, status, reason?, retryAfter?}`, `POST down {mode?}`, `POST up`
 * - `POST oauth-clients {clientId?, clientSecret?, refreshToken?}`, `POST revoke {refreshToken}`
 * - `POST service-accounts {email?}`, `POST service-accounts/disable {email}`
 * - `GET requests?path=/calendar/v3/` → `{count}`
 */
export function adminRoute(sim: SimulatorAdmin, method: string, segments: string[], params: URLSearchParams, body: unknown): ApiAnswer {
  const b = obj(body);
  const route = `${method} ${segments.map((s, i) => (segments[0] === 'calendars' && (i === 1 || i === 3) ? '*' : s)).join('/')}`;
  switch (route) {
    case 'POST calendars':
      sim.createCalendar(str(b.id, 'id'), { timeZone: str(b.timeZone, 'timeZone'), ...(typeof b.summary === 'string' ? { summary: b.summary } : {}) });
      return { status: 201, body: { id: b.id, timeZone: b.timeZone } };
    case 'GET calendars/*/events': return { status: 200, body: { items: sim.storedEvents(segments[1]!) } };
    case 'POST calendars/*/events': return { status: 201, body: sim.insertEvent(segments[1]!, b as unknown as SimEventInput) };
    case 'GET calendars/*/events/*': return { status: 200, body: sim.getEvent(segments[1]!, segments[3]!) };
    case 'PATCH calendars/*/events/*': return { status: 200, body: sim.patchEvent(segments[1]!, segments[3]!, b) };
    case 'DELETE calendars/*/events/*': sim.deleteEvent(segments[1]!, segments[3]!); return { status: 204 };
    case 'POST expire-sync-tokens': sim.expireSyncTokens(); return { status: 204 };
    case 'POST expire-access-tokens': sim.expireAccessTokens(); return { status: 204 };
    case 'POST fail-next': {
      const status = Number(b.status);
      if (![401, 403, 429, 500, 503].includes(status)) throw badRequest('status must be 401, 403, 429, 500 or 503', 'status');
      sim.failNext(Number(b.n ?? 1), {
        status: status as SimFailure['status'],
        ...(typeof b.reason === 'string' ? { reason: b.reason } : {}),
        ...(typeof b.retryAfter === 'number' ? { retryAfter: b.retryAfter } : {}),
      });
      return { status: 204 };
    }
    case 'POST down': sim.goDown({ mode: b.mode === 'refuse' ? 'refuse' : 'error' }); return { status: 204 };
    case 'POST up': sim.comeBack(); return { status: 204 };
    case 'POST oauth-clients': return {
      status: 201,
      body: sim.createOAuthClient({
        ...(typeof b.clientId === 'string' ? { clientId: b.clientId } : {}),
        ...(typeof b.clientSecret === 'string' ? { clientSecret: b.clientSecret } : {}),
        ...(typeof b.refreshToken === 'string' ? { refreshToken: b.refreshToken } : {}),
      }),
    };
    case 'POST revoke': sim.revokeRefreshToken(str(b.refreshToken, 'refreshToken')); return { status: 204 };
    case 'POST service-accounts': return { status: 201, body: sim.createServiceAccount(typeof b.email === 'string' ? b.email : undefined) };
    case 'POST service-accounts/disable': sim.disableServiceAccount(str(b.email, 'email')); return { status: 204 };
    case 'GET requests': return { status: 200, body: { count: sim.requestCount(params.get('path') ?? undefined) } };
    default:
      if (segments.length === 0) return { status: 200, body: { simulator: 'google-calendar-v3' } };
      throw notFound();
  }
}

