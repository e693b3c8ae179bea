import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { ConflictService } from '../../src/conflicts/service.js';
import { Catalog } from '../../src/core/catalog.js';
import { toClaims } from '../../src/core/claims.js';
import type { PullResult, SourceBooking } from '../../src/core/adapter/port.js';
import { silentAlerts } from '../../src/core/alerts.js';
import { openConflictStores } from '../../src/store/conflicts/index.js';
import { AvailabilityStore } from '../../src/store/store.js';
import { SyncStore } from '../../src/store/sync-store.js';
import { AdapterPool } from '../../src/sync/adapter-pool.js';
import type { ConflictRecord } from '../../src/conflicts/types.js';
import { startTestHub, type TestHub } from '../helpers/hub.js';
import { ADMIN, date, restSite } from './helpers.js';

/*
 * The conflict service on its own, with its clock handed in: the order of bookings that carry no
 * creation time (first-come falls back to when the hub first saw them) is set by the test, not
 * by waiting for real time to pass between polls. The polls are applied as the poller does.
 */
const SITE = 'desk';
const NIGHTS = [date(20), date(21)];
const booking = (externalId: string): SourceBooking => ({
  externalId, resource: 'double', span: { by: 'night', nights: NIGHTS }, quantity: 1, status: 'confirmed', busy: true,
});

let hub: TestHub;
let clock = 0;
let conflicts: ConflictService;
let sync: SyncStore;
let catalog: Catalog;
let adapters: AdapterPool;

/** One full poll that found these bookings, applied and observed like the poller does. */
async function poll(bookings: SourceBooking[]): Promise<void> {
  const site = catalog.site(SITE)!;
  const result: PullResult = { mode: 'full', bookings, removed: [], counts: [], cursor: null, skipped: [] };
  const claims = toClaims(SITE, bookings, catalog, new Set());
  const state = await sync.state(SITE);
  const applied = await sync.apply({
    site: SITE, mode: 'full', expectedGeneration: state.generation, cursor: null, upserts: claims.upserts,
    removed: claims.removed, fullPull: true, counts: [], pollStartedAt: clock,
  });
  expect(applied.kind).toBe('ok');
  await conflicts.afterPoll({ site, result, claims, hubReferences: new Set(), adapters });
}

describe('conflicts with an injected clock', () => {
  beforeAll(async () => {
    // No roles: only the config, the connection and the key prefix of a hub are used here.
    hub = await startTestHub({
      roles: [],
      yaml: stringify({
        auth: { adminToken: ADMIN },
        groups: { desk: { workflow: 'hybrid', conflictPolicy: 'first-come' } },
        sites: [restSite(SITE, 'http://127.0.0.1:9/api/', 'desk')],
      }),
    });
    const store = new AvailabilityStore(hub.redis, hub.config.redis.keyPrefix, hub.config.hubId);
    catalog = new Catalog(hub.config);
    sync = new SyncStore(hub.redis, store.keys);
    adapters = new AdapterPool(sync, pino({ level: 'silent' }));
    clock = Date.now();
    conflicts = new ConflictService({
      stores: openConflictStores<ConflictRecord>(hub.redis, store.keys), store, catalog, config: hub.config,
      alerts: silentAlerts, logger: pino({ level: 'silent' }), now: () => clock,
    });
  });
  afterAll(async () => {
    await adapters?.close();
    await hub?.stop();
  });

  it('first-come without creation times: the booking the hub saw first stands, at the times the clock gave', async () => {
    const seenA = clock;
    await poll([booking('A')]);
    expect(await conflicts.list()).toEqual([]);

    clock += 60_000;
    const seenB = clock;
    await poll([booking('B'), booking('A')]);
    const [open] = await conflicts.list('open');
    expect(open).toMatchObject({
      status: 'open', policy: 'first-come', excess: 1, when: { nights: NIGHTS }, openedAt: new Date(seenB).toISOString(),
      outcome: { decidedBy: 'policy', stands: [`site:${SITE}:A`], losers: [{ ref: `site:${SITE}:B`, action: 'cancel-at-site' }] },
    });
    const firstSeen = Object.fromEntries(open!.bookings.map((b) => [b.externalId, b.firstSeenAt]));
    expect(firstSeen).toEqual({ A: new Date(seenA).toISOString(), B: new Date(seenB).toISOString() });
    expect(open!.audit.map((a) => [a.action, a.at])).toEqual([
      ['opened', new Date(seenB).toISOString()], ['policy', new Date(seenB).toISOString()], ['proposed', new Date(seenB).toISOString()],
    ]);

    // B is cancelled at the desk; the next poll, a minute later, closes the conflict then.
    clock += 60_000;
    await poll([booking('A')]);
    const done = await conflicts.get(open!.id);
    expect(done).toMatchObject({ status: 'resolved', resolution: 'cleared', resolvedAt: new Date(clock).toISOString() });
    expect(done!.audit.at(-1)!.detail).toContain(`booking B is gone`);
  });
});
