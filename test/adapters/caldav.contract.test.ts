import { caldavAdapter } from '../../adapters/caldav/index.js';
import { startRadicale, withRadicale } from '../helpers/radicale.js';
import { contractEvents, silentLog, site } from './caldav-fixtures.js';
import { adapterContract, type ContractHarness } from './contract.js';
import { lossyWrites, startLossyProxy } from './lossy-proxy.js';

const CAL = '/north/main-hall/';

async function harness(): Promise<ContractHarness> {
  const radicale = await startRadicale();
  await radicale.makeCalendar(CAL, 'Main Hall');
  const s = site([{ id: 'main-hall', calendar: CAL }]);
  // The adapter talks through a proxy that can lose the answer to the PUT of a new event.
  const proxy = await startLossyProxy(radicale.url);
  const base = new URL(radicale.url);
  const adapter = caldavAdapter.create({
    siteId: s.id, timezone: s.timezone, log: silentLog,
    settings: caldavAdapter.settings.parse({ url: `${proxy.url}${base.pathname}${base.search}`, username: radicale.username, password: radicale.password }),
  });
  return {
    site: s,
    adapter,
    ...contractEvents(CAL, (cal, name, ics) => radicale.putEvent(cal, name, ics), (cal, name) => radicale.deleteEvent(cal, name)),
    // Radicale forgets the tokens it issued (as when they age out): the stored one is refused for real.
    expireCursor: () => radicale.forgetSyncTokens(CAL),
    goDown: async () => radicale.goDown('503'),
    comeBack: async () => radicale.comeBack(),
    requestCount: async () => radicale.requestCount(),
    rateLimitNext: async (seconds) => proxy.answerNext(429, { 'Retry-After': String(seconds) }),
    refuseCredentials: async () => proxy.answerNext(401, { 'WWW-Authenticate': 'Basic realm="Radicale"' }),
    restoreCredentials: async () => undefined,
    writes: lossyWrites(proxy, (method) => method === 'PUT'),
    async close() {
      await adapter.close();
      await proxy.stop();
      await radicale.stop();
    },
  };
}

withRadicale('adapter contract: caldav (Radicale)', () => adapterContract('caldav (Radicale)', harness));
