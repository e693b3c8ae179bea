import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { restAdapter } from '../../adapters/rest/index.js';
import { startRestPmsSimulator } from '../../adapters/rest/simulator/index.js';
import type { SourceSite } from '../../src/core/adapter/port.js';
import { adapterContract, type ContractHarness } from './contract.js';
import { lossyWrites, startLossyProxy } from './lossy-proxy.js';
import { arrivalOf } from './pms-stays.js';

/**
 * The adapter contract for `kind: rest`, twice, against the home-grown PMS simulator through a
 * proxy that can lose the answer to a create:
 * - the README's first example (`fixtures/example-site.yaml`: a bearer header, one request per
 *   room type, nextPage tokens) plus a `modify` endpoint (PATCH /bookings/{id}); an unchanged poll
 *   costs 3 requests: availability in two requests of at most 31 nights (the simulated PMS's
 *   limit) for the 61-night window, plus one bookings page;
 * - the second (`fixtures/nested-site.yaml`: OAuth2 client credentials, nested arrays with `[]`
 *   and `^.`, a length of stay, offset paging, modify in place); also 3 requests (all room types
 *   in each availability answer; the token is cached).
 */

const fixture = (name: string) => parse(readFileSync(new URL(`../../adapters/rest/fixtures/${name}`, import.meta.url), 'utf8')) as {
  adapter: Record<string, unknown>;
};
const TOKEN = 'contract-pms-token';
const silent = { warn() {}, info() {} };

async function harness(dialect: 'example' | 'nested'): Promise<ContractHarness> {
  const sim = await startRestPmsSimulator({
    token: TOKEN, ...(dialect === 'nested' ? { auth: { kind: 'oauth2', clientId: 'avhub' } } : {}),
  });
  const proxy = await startLossyProxy(sim.url);
  const site: SourceSite = {
    id: 'lakeside', timezone: 'Europe/Berlin',
    resources: [{ id: 'double', kind: 'pool', bookedBy: 'night', capacity: 12, mapping: { id: 'DBL' } }],
  };
  const { kind: _kind, ...raw } = structuredClone(fixture(dialect === 'example' ? 'example-site.yaml' : 'nested-site.yaml').adapter);
  const settings = restAdapter.settings.parse(dialect === 'example'
    ? {
      ...raw, baseUrl: `${proxy.url}/api/`, auth: { header: 'Authorization', value: `Bearer ${TOKEN}` },
      modify: { method: 'PATCH', path: '/bookings/{id}', body: { arrival: '{checkIn}', departure: '{checkOut}', roomType: '{resource}', rooms: '{quantity}' } },
    }
    : {
      ...raw, baseUrl: `${proxy.url}/api/v2/`,
      auth: { oauth2: { tokenUrl: `${proxy.url}/oauth/token`, clientId: 'avhub', clientSecret: TOKEN } },
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
    // OAuth2: a new client secret at the PMS revokes every token; the adapter's one retry with a
    // fresh token is refused at the token endpoint.
    async refuseCredentials() { sim.admin.setToken('rotated-by-the-pms'); },
    async restoreCredentials() { sim.admin.setToken(TOKEN); },
    writes: lossyWrites(proxy, (method, path) => method === 'POST' && /\/bookings\/?$/.test(path)),
    modifiesInPlace: true,
    async close() {
      await adapter.close();
      await proxy.stop();
      await sim.stop();
    },
  };
}

adapterContract('rest (README example with modify, simulated PMS)', () => harness('example'));
adapterContract('rest (nested API: OAuth2, [] and ^., nights, offset paging)', () => harness('nested'));
