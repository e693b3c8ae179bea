import { icalFeedAdapter } from '../../adapters/ical-feed/index.js';
import type { SourceSite } from '../../src/core/adapter/port.js';
import { adapterContract } from './contract.js';
import type { ContractHarness } from './contract.js';
import { feedIcs, startFeedServer } from './ical-feed-server.js';

/**
 * The adapter contract against a local server that serves the resource's feed like a booking
 * tool's export (ETag, Last-Modified, 304). Events live in the harness and the feed is rewritten
 * on every change.
 *
 * A feed has no cursor a server could expire, so `expireCursor` does the one thing that makes an
 * ical-feed cursor invalid: the resource's feed moves to another URL (the site's configuration
 * changes), and the adapter rejects the cursor made for the old one before sending any request.
 */
adapterContract('ical-feed', async (): Promise<ContractHarness> => {
  const server = await startFeedServer();
  const events = new Map<string, { start: number; end: number }>();
  let path = '/feeds/hall.ics';
  let seq = 0;
  const publish = () => server.setFeed(path, feedIcs([...events].map(([uid, e]) => ({ uid, ...e }))));
  publish();
  const siteFor = (): SourceSite => ({
    id: 'contract', timezone: 'Europe/Berlin',
    resources: [{ id: 'hall', kind: 'unit', bookedBy: 'time', capacity: 1, mapping: { url: server.url(path) } }],
  });
  const adapter = icalFeedAdapter.create({
    siteId: 'contract', timezone: 'Europe/Berlin', settings: icalFeedAdapter.settings.parse({}), log: { warn() {}, info() {} },
  });
  const uidOf = (externalId: string) => externalId.replace(/^hall\//, '');
  return {
    get site() { return siteFor(); },
    adapter,
    async createEvent(start, end) {
      const uid = `evt-${++seq}@contract.example`;
      events.set(uid, { start, end });
      publish();
      return `hall/${uid}`;
    },
    async moveEvent(externalId, start, end) {
      events.set(uidOf(externalId), { start, end });
      publish();
    },
    async deleteEvent(externalId) {
      events.delete(uidOf(externalId));
      publish();
    },
    async expireCursor() {
      path = '/feeds/hall-moved.ics';
      publish();
    },
    async goDown() { server.fail({ status: 503 }); },
    async comeBack() { server.fail(null); },
    // A feed behind a rate limit or a (basic-auth or token) guard; lifted before the next pull.
    async rateLimitNext(seconds) { server.fail({ status: 429, headers: { 'Retry-After': String(seconds) } }); },
    async refuseCredentials() { server.fail({ status: 401 }); },
    async restoreCredentials() { server.fail(null); },
    async requestCount() { return server.requests.length; },
    async close() { await adapter.close(); await server.close(); },
  };
});
