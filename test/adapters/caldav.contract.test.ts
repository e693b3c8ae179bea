import { caldavAdapter } from '../../adapters/caldav/index.js';
import { startRadicale, withRadicale } from '../helpers/radicale.js';
import { silentLog, simpleEvent, site } from './caldav-fixtures.js';
import { adapterContract, type ContractHarness } from './contract.js';

const CAL = '/north/main-hall/';

async function harness(): Promise<ContractHarness> {
  const radicale = await startRadicale();
  await radicale.makeCalendar(CAL, 'Main Hall');
  const s = site([{ id: 'main-hall', calendar: CAL }]);
  const adapter = caldavAdapter.create({
    siteId: s.id, timezone: s.timezone, log: silentLog,
    settings: caldavAdapter.settings.parse({ url: radicale.url, username: radicale.username, password: radicale.password }),
  });
  let n = 0;
  // External id = calendar path + object name + '#' + UID (adapters/caldav/ids.ts).
  const parts = (externalId: string) => {
    const m = /^\/north\/main-hall\/([^#]+)#(.+)$/.exec(externalId);
    if (!m) throw new Error(`not an id of this harness: ${externalId}`);
    return { name: m[1]!, uid: m[2]! };
  };
  return {
    site: s,
    adapter,
    async createEvent(start, end) {
      n += 1;
      const name = `contract-${n}.ics`;
      const uid = `contract-${n}@site.example`;
      await radicale.putEvent(CAL, name, simpleEvent(uid, start, end));
      return `${CAL}${name}#${uid}`;
    },
    async moveEvent(externalId, start, end) {
      const { name, uid } = parts(externalId);
      await radicale.putEvent(CAL, name, simpleEvent(uid, start, end, ['SEQUENCE:1']));
    },
    async deleteEvent(externalId) {
      await radicale.deleteEvent(CAL, parts(externalId).name);
    },
    // Radicale forgets the tokens it issued (as when they age out): the stored one is refused for real.
    expireCursor: () => radicale.forgetSyncTokens(CAL),
    goDown: async () => radicale.goDown('503'),
    comeBack: async () => radicale.comeBack(),
    requestCount: async () => radicale.requestCount(),
    async close() {
      await adapter.close();
      await radicale.stop();
    },
  };
}

withRadicale('adapter contract: caldav (Radicale)', () => adapterContract('caldav (Radicale)', harness));
