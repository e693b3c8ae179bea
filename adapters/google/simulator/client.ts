import type { SimEvent, SimEventInput, SimFailure, SimOAuthCredentials, SimServiceAccountKey } from './types.js';

/**
 * Drives a simulator running in another process through its `/__sim/` admin API (the demo, a
 * browser test). Mirrors {@link SimulatorAdmin}, asynchronously.
 */
export class GoogleSimulatorClient {
  private readonly base: string;

  /** `url` is the simulator's base URL (`http://127.0.0.1:PORT/`). */
  constructor(url: string) {
    this.base = new URL('__sim/', url.endsWith('/') ? url : `${url}/`).href;
  }

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await fetch(new URL(path, this.base), {
      method,
      ...(body !== undefined ? { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } } : {}),
    });
    const text = await res.text();
    const data: unknown = text === '' ? undefined : JSON.parse(text);
    if (!res.ok) {
      const message = (data as { error?: { message?: string } } | undefined)?.error?.message ?? res.statusText;
      throw new Error(`google simulator: ${method} ${path} → ${res.status} ${message}`);
    }
    return data as T;
  }

  private static path(calendarId: string, eventId?: string): string {
    return `calendars/${encodeURIComponent(calendarId)}/events${eventId === undefined ? '' : `/${encodeURIComponent(eventId)}`}`;
  }

  async createCalendar(id: string, opts: { timeZone: string; summary?: string }): Promise<void> {
    await this.call('POST', 'calendars', { id, ...opts });
  }
  insertEvent(calendarId: string, event: SimEventInput): Promise<SimEvent> {
    return this.call('POST', GoogleSimulatorClient.path(calendarId), event);
  }
  patchEvent(calendarId: string, eventId: string, patch: Record<string, unknown>): Promise<SimEvent> {
    return this.call('PATCH', GoogleSimulatorClient.path(calendarId, eventId), patch);
  }
  async deleteEvent(calendarId: string, eventId: string): Promise<void> {
    await this.call('DELETE', GoogleSimulatorClient.path(calendarId, eventId));
  }
  getEvent(calendarId: string, eventId: string): Promise<SimEvent> {
    return this.call('GET', GoogleSimulatorClient.path(calendarId, eventId));
  }
  async storedEvents(calendarId: string): Promise<SimEvent[]> {
    return (await this.call<{ items: SimEvent[] }>('GET', GoogleSimulatorClient.path(calendarId))).items;
  }
  async expireSyncTokens(): Promise<void> {
    await this.call('POST', 'expire-sync-tokens');
  }
  async expireAccessTokens(): Promise<void> {
    await this.call('POST', 'expire-access-tokens');
  }
  async failNext(n: number, failure: SimFailure): Promise<void> {
    await this.call('POST', 'fail-next', { n, ...failure });
  }
  async goDown(opts: { mode?: 'error' | 'refuse' } = {}): Promise<void> {
    await this.call('POST', 'down', opts);
  }
  async comeBack(): Promise<void> {
    await this.call('POST', 'up');
  }
  createOAuthClient(opts: { clientId?: string; clientSecret?: string; refreshToken?: string } = {}): Promise<SimOAuthCredentials> {
    return this.call('POST', 'oauth-clients', opts);
  }
  async revokeRefreshToken(refreshToken: string): Promise<void> {
    await this.call('POST', 'revoke', { refreshToken });
  }
  createServiceAccount(email?: string): Promise<SimServiceAccountKey> {
    return this.call('POST', 'service-accounts', email === undefined ? {} : { email });
  }
  async disableServiceAccount(email: string): Promise<void> {
    await this.call('POST', 'service-accounts/disable', { email });
  }
  async requestCount(pathPrefix?: string): Promise<number> {
    const q = pathPrefix === undefined ? '' : `?path=${encodeURIComponent(pathPrefix)}`;
    return (await this.call<{ count: number }>('GET', `requests${q}`)).count;
  }
}
