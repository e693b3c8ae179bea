import { mewsAdapter } from '../../adapters/mews/index.js';
import { startMewsSimulator } from '../../adapters/mews/simulator/index.js';
import type { SourceSite } from '../../src/core/adapter/port.js';
import { adapterContract, type ContractHarness } from './contract.js';
import { lossyWrites, startLossyProxy } from './lossy-proxy.js';
import { stayOf } from './pms-stays.js';

/**
 * The adapter contract against the Mews Connector API simulator, through a proxy that can lose the
 * answer to `reservations/add`. An unchanged poll costs 2 requests: Mews has no change feed for
 * availability, so `services/getAvailability` is read every poll, plus one `reservations/getAll`.
 */

const silent = { warn() {}, info() {} };
const TOKENS = { clientToken: 'contract-client', accessToken: 'contract-access' };

async function harness(): Promise<ContractHarness> {
  const sim = await startMewsSimulator({ ...TOKENS, seed: 15, timezone: 'Europe/Berlin' });
  const proxy = await startLossyProxy(sim.url);
  const e = sim.admin.enterprise;
  const categoryId = sim.admin.categoryId('Double');
  const site: SourceSite = {
    id: 'berlin', timezone: 'Europe/Berlin',
    resources: [{ id: 'double', kind: 'pool', bookedBy: 'night', capacity: 12, mapping: { resourceCategoryId: categoryId } }],
  };
  const adapter = mewsAdapter.create({
    siteId: site.id, timezone: site.timezone, log: silent,
    settings: mewsAdapter.settings.parse({
      baseUrl: proxy.url, ...TOKENS, serviceId: e.serviceId, rateId: e.rateId, customerId: e.customerId, ageCategoryId: e.ageCategoryId,
    }),
  });
  return {
    site,
    adapter,
    async createEvent(start, end) {
      return sim.admin.createReservation({ categoryId, ...stayOf(start, end, site.timezone) }).Id;
    },
    async moveEvent(id, start, end) {
      sim.admin.updateReservation(id, stayOf(start, end, site.timezone));
    },
    async deleteEvent(id) {
      sim.admin.cancelReservation(id);
    },
    // The cursor is the hub's own (an UpdatedUtc start): one older than the 3 months an UpdatedUtc
    // filter may span is what the adapter must refuse.
    async expireCursor() {
      return JSON.stringify({ v: 1, updatedSince: new Date(Date.now() - 100 * 86_400_000).toISOString() });
    },
    async goDown() { sim.admin.goDown(); },
    async comeBack() { sim.admin.comeBack(); },
    async requestCount() { return sim.requestCount(); },
    unchangedPollRequests: 3, // availability, restrictions (stop-sell), reservations
    modifiesInPlace: true, // reservations/update
    async rateLimitNext(seconds) { sim.admin.failNext(1, 429, { retryAfterSeconds: seconds }); },
    // Mews answers 401 to a token it does not accept (no refresh: the tokens are static).
    async refuseCredentials() { sim.admin.failNext(1, 401); },
    async restoreCredentials() {},
    writes: lossyWrites(proxy, (method, path) => method === 'POST' && path.endsWith('/reservations/add')),
    async close() {
      await adapter.close();
      await proxy.stop();
      await sim.stop();
    },
  };
}

adapterContract('mews (simulator)', harness);
