import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { restAdapter } from '../../adapters/rest/index.js';
import { startRestPmsSimulator } from '../../adapters/rest/simulator/index.js';
import type { SourceSite } from '../../src/core/adapter/port.js';
import { adapterContract, type ContractHarness } from './contract.js';
import { lossyWrites, startLossyProxy } from './lossy-proxy.js';
import { arrivalOf } from './pms-stays.js';

/**
 * The adapter contract for `kind: rest` with the README's example mapping, against the home-grown
 * PMS simulator, through a proxy that can lose the answer to `POST /bookings`. An unchanged poll
 * costs 3 requests: availability in two requests of at most 31 nights (the simulated PMS's limit)
 * for the 61-night window, plus one bookings page.
 */

const EXAMPLE = parse(readFileSync(new URL('../../adapters/rest/fixtures/example-site.yaml', import.meta.url), 'utf8')) as {
  adapter: Record<string, unknown>;
};
const TOKEN = 'contract-pms-token';
const silent = { warn() {}, info() {} };

async function harness(): Promise<ContractHarness> {
  const sim = await startRestPmsSimulator({ token: TOKEN });
  const proxy = await startLossyProxy(sim.url);
  const site: SourceSite = {
    id: 'lakeside', timezone: 'Europe/Berlin',
    resources: [{ id: 'double', kind: 'pool', bookedBy: 'night', capacity: 12, mapping: { id: 'DBL' } }],
  };
  const { kind: _kind, ...raw } = structuredClone(EXAMPLE.adapter);
  const settings = restAdapter.settings.parse({
    ...raw, baseUrl: `${proxy.url}${new URL(sim.url).pathname}`, auth: { header: 'Authorization', value: `Bearer ${TOKEN}` },
  });
  const adapter = restAdapter.create({ siteId: site.id, timezone: site.timezone, settings, log: silent });
  const stay = (start: number, end: number) => arrivalOf(start, end, site.timezone);
  return {
    site,
    adapter,
    async createEvent(start, end) {
      return sim.admin.createBooking({ roomType: 'DBL', ...stay(start, end) }).id;
    },
    async moveEvent(id, start, end) {
      sim.admin.updateBooking(id, stay(start, end));
    },
    async deleteEvent(id) {
      sim.admin.cancelBooking(id);
    },
    // A home-grown PMS keeps no sync token: the cursor (an updatedSince) is the hub's own, so the
    // cursor to refuse is one the adapter did not write.
    async expireCursor() {
      return '{"v":99}';
    },
    async goDown() { sim.admin.goDown(); },
    async comeBack() { sim.admin.comeBack(); },
    async requestCount() { return sim.requestCount(); },
    unchangedPollRequests: 3,
    async rateLimitNext(seconds) { sim.admin.rateLimitNext(seconds); },
    async refuseCredentials() { sim.admin.setToken('rotated-by-the-pms'); },
    async restoreCredentials() { sim.admin.setToken(TOKEN); },
    writes: lossyWrites(proxy, (method, path) => method === 'POST' && /\/bookings\/?$/.test(path)),
    async close() {
      await adapter.close();
      await proxy.stop();
      await sim.stop();
    },
  };
}

adapterContract('rest (README example, simulated PMS)', harness);
