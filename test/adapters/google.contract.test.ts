import { googleAdapter } from '../../adapters/google/index.js';
import { startGoogleSimulator } from '../../adapters/google/simulator/index.js';
import type { SourceSite } from '../../src/core/adapter/port.js';
import { adapterContract, type ContractHarness } from './contract.js';
import { lossyWrites, startLossyProxy } from './lossy-proxy.js';

/**
 * The adapter contract against the Google Calendar simulator, once with an OAuth refresh token and
 * once with a service-account key (JWT-bearer grant).
 *
 * requestCount counts Calendar API requests only (`/calendar/v3/...`). The access token is fetched
 * from `/token` before the first API call and then cached for its lifetime (an hour), so token
 * requests would not change the "one request per unchanged poll" count anyway; they are also not
 * Calendar API quota, which is what the count stands for.
 */

const silent = { warn() {}, info() {} };
const iso = (ms: number) => new Date(ms).toISOString();

function harness(credentialKind: 'oauth' | 'service-account', outage: 'error' | 'refuse') {
  return async (): Promise<ContractHarness> => {
    const sim = await startGoogleSimulator();
    // Calendar API calls go through a proxy that can lose the answer to an events.insert.
    const proxy = await startLossyProxy(sim.url);
    const calendarId = `hall-${credentialKind}@group.calendar.google.com`;
    sim.createCalendar(calendarId, { timeZone: 'Europe/Berlin' });
    const credentials = credentialKind === 'oauth'
      ? sim.createOAuthClient()
      : { serviceAccountJson: JSON.stringify(sim.createServiceAccount()) };
    const settings = googleAdapter.settings.parse({ baseUrl: proxy.url, credentials });
    const site: SourceSite = {
      id: 'north-hall',
      timezone: 'Europe/Berlin',
      resources: [{ id: 'main-hall', kind: 'unit', bookedBy: 'time', capacity: 1, mapping: { calendarId } }],
    };
    const adapter = googleAdapter.create({ siteId: site.id, timezone: site.timezone, settings, log: silent });
    const eventId = (externalId: string) => externalId.slice(calendarId.length + 1);
    return {
      site,
      adapter,
      async createEvent(start, end) {
        const event = sim.insertEvent(calendarId, { summary: 'Booked at the site', start: { dateTime: iso(start) }, end: { dateTime: iso(end) } });
        return `${calendarId}/${event.id}`;
      },
      async moveEvent(externalId, start, end) {
        sim.patchEvent(calendarId, eventId(externalId), { start: { dateTime: iso(start) }, end: { dateTime: iso(end) } });
      },
      async deleteEvent(externalId) {
        sim.deleteEvent(calendarId, eventId(externalId));
      },
      async expireCursor() {
        sim.expireSyncTokens();
      },
      async goDown() {
        sim.goDown({ mode: outage });
      },
      async comeBack() {
        sim.comeBack();
      },
      async requestCount() {
        return sim.requestCount('/calendar/v3/');
      },
      async rateLimitNext(seconds) {
        sim.failNext(1, { status: 429, retryAfter: seconds });
      },
      // A 401 survives the adapter's one token refresh: the credential is refused.
      async refuseCredentials() {
        sim.failNext(2, { status: 401 });
      },
      async restoreCredentials() {},
      writes: lossyWrites(proxy, (method, path) => method === 'POST' && /\/calendars\/[^/]+\/events(\?|$)/.test(path)),
      async close() {
        await adapter.close();
        await proxy.stop();
        await sim.stop();
      },
    };
  };
}

adapterContract('google (simulator)', harness('oauth', 'error'));
adapterContract('google (simulator, service account, connection resets)', harness('service-account', 'refuse'));
