import { createApaleoAdapter } from '../../adapters/apaleo/index.js';
import { startApaleoSimulator } from '../../adapters/apaleo/simulator/index.js';
import type { SourceSite } from '../../src/core/adapter/port.js';
import { adapterContract, type ContractHarness } from './contract.js';
import { lossyWrites, startLossyProxy } from './lossy-proxy.js';
import { arrivalOf } from './pms-stays.js';

/**
 * The adapter contract against the apaleo simulator, through a proxy that can lose the answer to
 * `POST /booking/v1/bookings`. An unchanged poll costs 3 requests: apaleo has no change feed for
 * counts, so availability and the rate plan's rates (stop-sell) are read every poll, plus one
 * reservations page (the token is cached).
 */

const silent = { warn() {}, info() {} };
const CLIENT = { clientId: 'contract', clientSecret: 'contract-secret' };

async function harness(): Promise<ContractHarness> {
  const sim = await startApaleoSimulator({ ...CLIENT, seed: { propertyId: 'MUC', timeZone: 'Europe/Berlin' } });
  const proxy = await startLossyProxy(sim.url);
  const site: SourceSite = {
    id: 'mitte', timezone: 'Europe/Berlin',
    resources: [{ id: 'double', kind: 'pool', bookedBy: 'night', capacity: 12, mapping: { unitGroupId: 'MUC-DBL' } }],
  };
  const adapter = createApaleoAdapter({
    siteId: site.id, timezone: site.timezone, log: silent,
    settings: { baseUrl: proxy.url, tokenUrl: `${proxy.url}/connect/token`, ...CLIENT, propertyId: 'MUC', ratePlanId: 'MUC-FLEX-DBL' },
  });
  const stay = (start: number, end: number) => arrivalOf(start, end, site.timezone);
  return {
    site,
    adapter,
    async createEvent(start, end) {
      return sim.admin.createReservation({ unitGroupId: 'MUC-DBL', ...stay(start, end) }).id;
    },
    async moveEvent(id, start, end) {
      const s = stay(start, end);
      sim.admin.moveReservation(id, s.arrival, s.departure);
    },
    async deleteEvent(id) {
      sim.admin.cancelReservation(id);
    },
    // apaleo keeps no sync token: the cursor is the hub's own (a modification time), so the only
    // cursor to refuse is one the adapter did not write.
    async expireCursor() {
      return '{"v":0,"from":"a cursor the apaleo adapter did not write"}';
    },
    async goDown() { sim.admin.goDown(); },
    async comeBack() { sim.admin.comeBack(); },
    async requestCount() { return sim.requestCount(); },
    unchangedPollRequests: 3,
    async rateLimitNext(seconds) { sim.admin.failNext(1, 429, { retryAfterSeconds: seconds }); },
    // 401 on the call and again after one fresh token: the credential is refused.
    async refuseCredentials() { sim.admin.failNext(2, 401); },
    async restoreCredentials() {},
    writes: lossyWrites(proxy, (method, path) => method === 'POST' && path.startsWith('/booking/v1/bookings')),
    async close() {
      await adapter.close();
      await proxy.stop();
      await sim.stop();
    },
  };
}

adapterContract('apaleo (simulator)', harness);
