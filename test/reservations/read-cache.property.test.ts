import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { Catalog } from '../../src/core/catalog.js';
import { AvailabilityService, type AvailabilityQuery } from '../../src/reservations/availability.js';
import type { SourceClaim } from '../../src/core/claims.js';
import { HubKeys } from '../../src/store/keys.js';
import { AvailabilityStore } from '../../src/store/store.js';
import { SyncStore } from '../../src/store/sync-store.js';
import type { ClaimItem } from '../../src/store/types.js';
import { ADAPTERS } from '../../src/sync/registry.js';
import { openTestStore, type TestStore } from '../helpers/redis.js';

/**
 * The fast path (serialized answers kept per query, version and rule horizon; raw reads kept per
 * ledger version, unchanged ledgers skipped in Redis; opening hours kept per window) answers byte
 * for byte what the full computation (a fresh store and service, nothing kept, JSON.stringify)
 * answers, after every step of a random history of claims (some expiring at once), releases,
 * confirms, cancellations, polls of a source and health changes, while the clock moves forward
 * across minimum-notice boundaries around a DST change (Europe 2027-03-28, US 2027-03-14). A second
 * fast service with a tiny memory bound checks that evictions do not change answers either.
 */
const YAML = `
auth: { adminToken: read-cache-property-admin-token }
groups:
  rooms: { workflow: centralized }
  halls: { workflow: centralized }
  hidden: { workflow: centralized, whenLimited: hide }
sites:
  - id: berlin
    timezone: Europe/Berlin
    adapter: { kind: none }
    resources:
      - { id: double, kind: pool, capacity: 3, group: rooms, bookedBy: night, rules: { minNotice: 36h, maxAdvance: 400d } }
      - id: hall
        kind: unit
        group: halls
        rules: { openingHours: { mon-fri: "08:00-22:00", sat: "10:00-16:00" }, bufferAfter: 30m, minNotice: 24h }
  - id: inn
    timezone: Europe/Berlin
    adapter: { kind: none }
    heartbeatToken: read-cache-property-heartbeat-token
    resources:
      - { id: twin, kind: pool, capacity: 4, group: hidden, bookedBy: night, rules: { minNotice: 2h } }
  - id: ny
    timezone: America/New_York
    adapter: { kind: none }
    resources:
      - { id: king, kind: pool, capacity: 2, group: rooms, bookedBy: night }
`;

const H = 3_600_000;
const NIGHTS = ['2027-03-12', '2027-03-13', '2027-03-14', '2027-03-15', '2027-03-26', '2027-03-27', '2027-03-28', '2027-03-29'];
const QUERIES: AvailabilityQuery[] = [
  { sites: ['berlin', 'inn', 'ny'], from: '2027-03-10', to: '2027-04-02' },
  { sites: ['inn'], from: '2027-03-25', to: '2027-03-30' },
  { sites: ['berlin'], resource: 'hall', from: '2027-03-26', to: '2027-03-30' },
  { sites: ['berlin'], resource: 'hall', from: '2027-03-27T05:00:00Z', to: '2027-03-28T20:00:00Z' },
  { sites: ['ny'], from: '2027-03-13', to: '2027-03-16' },
];
// Instants around the boundaries, in order (the clock only moves forward): New York's DST night,
// the rooms' 36 h notice against Berlin midnights, the inn's 2 h notice against Berlin midnights,
// the hall's 24 h notice against the Berlin DST weekend.
const INSTANTS = [
  Date.parse('2027-03-01T00:00:00Z'), Date.parse('2027-03-14T06:30:00Z'),
  Date.parse('2027-03-25T10:59:59.999Z'), Date.parse('2027-03-25T11:00:00Z'),
  Date.parse('2027-03-25T20:59:59.999Z'), Date.parse('2027-03-25T21:00:00Z'),
  Date.parse('2027-03-26T05:00:00Z'), Date.parse('2027-03-27T07:59:59.999Z'), Date.parse('2027-03-27T08:00:00Z'),
  Date.parse('2027-03-27T21:59:59.999Z'), Date.parse('2027-03-27T22:00:00Z'),
];

type Step =
  | { kind: 'night'; site: 0 | 1 | 2; from: number; len: number; ttl: number }
  | { kind: 'time'; start: number; len: number; ttl: number }
  | { kind: 'release' | 'confirm' | 'cancel'; pick: number }
  | { kind: 'poll'; from: number; len: number; count: number; drop: boolean }
  | { kind: 'health'; ok: boolean }
  | { kind: 'tick'; to: number; nudge: number };

// ttl 1 ms: the hold expires before the next read, whose script sweeps it.
const ttl = fc.constantFrom(600_000, 600_000, 1);
const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ kind: fc.constant('night' as const), site: fc.constantFrom(0 as const, 1 as const, 2 as const), from: fc.nat(NIGHTS.length - 2), len: fc.integer({ min: 1, max: 3 }), ttl }),
  fc.record({ kind: fc.constant('time' as const), start: fc.integer({ min: 0, max: 80 }), len: fc.integer({ min: 1, max: 6 }), ttl }),
  fc.record({ kind: fc.constantFrom('release' as const, 'confirm' as const, 'cancel' as const), pick: fc.nat(30) }),
  fc.record({ kind: fc.constant('poll' as const), from: fc.nat(NIGHTS.length - 2), len: fc.integer({ min: 1, max: 3 }), count: fc.nat(4), drop: fc.boolean() }),
  fc.record({ kind: fc.constant('health' as const), ok: fc.boolean() }),
  fc.record({ kind: fc.constant('tick' as const), to: fc.nat(INSTANTS.length - 1), nudge: fc.constantFrom(0, 1, 1, 1_000) }),
);
const SITES = [['berlin', 'double'], ['ny', 'king'], ['inn', 'twin']] as const;

let t: TestStore;
let catalog: Catalog;
beforeAll(async () => {
  t = await openTestStore();
  const dir = mkdtempSync(join(tmpdir(), 'avhub-cache-'));
  writeFileSync(join(dir, 'hub.yaml'), YAML);
  catalog = new Catalog(loadConfig(join(dir, 'hub.yaml'), {}, ADAPTERS));
});
afterAll(async () => { await t.cleanup(); });

describe('availability read cache', () => {
  it('answers byte for byte like the full computation, across DST changes, notice boundaries and writes', async () => {
    let run = 0;
    await fc.assert(fc.asyncProperty(fc.array(step, { minLength: 3, maxLength: 25 }), fc.nat(INSTANTS.length - 1), async (steps, first) => {
      // Each run on a ledger of its own would hide the cache; share the store, fresh hub id per run.
      const hub = `cache-${run++}`;
      let at = INSTANTS[first]!;
      const clock = () => at;
      const fast = new AvailabilityService(catalog, new AvailabilityStore(t.redis, t.prefix, hub), clock);
      const small = new AvailabilityService(catalog, new AvailabilityStore(t.redis, t.prefix, hub), clock, 3_000);
      const full = () => new AvailabilityService(catalog, new AvailabilityStore(t.redis, t.prefix, hub), clock);
      const store = new AvailabilityStore(t.redis, t.prefix, hub);
      const sync = new SyncStore(t.redis, new HubKeys(t.prefix, hub));
      const holds: string[] = [];
      const reservations: string[] = [];
      const polled = new Map<string, SourceClaim>();
      const check = async () => {
        for (const q of QUERIES) {
          const expected = JSON.stringify(await full().read(q));
          expect((await fast.readJson(q)).toString()).toBe(expected);
          expect((await small.readJson(q)).toString()).toBe(expected);
        }
      };
      await check();
      for (const [i, s] of steps.entries()) {
        if (s.kind === 'night') {
          const [site, resource] = SITES[s.site];
          const entry = catalog.entry(site, resource)!;
          const nights = NIGHTS.slice(s.from, s.from + s.len);
          const item: ClaimItem = { ledger: entry.ledger, by: 'night', quantity: 1, capacity: entry.capacity, nights,
            bufferBefore: 0, bufferAfter: 0, site: entry.site.id, resource: entry.resource.id, writeback: false };
          if ((await store.claimHold({ holdId: `h${i}`, ttlMs: s.ttl, items: [item] })).kind === 'ok') holds.push(`h${i}`);
          if (s.ttl === 1) await new Promise((ok) => setTimeout(ok, 3));
        } else if (s.kind === 'time') {
          const entry = catalog.entry('berlin', 'hall')!;
          const start = Date.parse('2027-03-26T06:00:00Z') + s.start * H;
          const item: ClaimItem = { ledger: entry.ledger, by: 'time', quantity: 1, capacity: 1, start, end: start + s.len * H,
            bufferBefore: 0, bufferAfter: 30 * 60_000, site: 'berlin', resource: 'hall', writeback: false };
          if ((await store.claimHold({ holdId: `h${i}`, ttlMs: s.ttl, items: [item] })).kind === 'ok') holds.push(`h${i}`);
          if (s.ttl === 1) await new Promise((ok) => setTimeout(ok, 3));
        } else if (s.kind === 'poll') {
          // The inn's source: one booking more (or one fewer) and a free count for the first night.
          const ledger = catalog.entry('inn', 'twin')!.ledger;
          const removed: string[] = [];
          if (s.drop && polled.size > 0) {
            const id = [...polled.keys()][0]!;
            polled.delete(id);
            removed.push(id);
          }
          const claim: SourceClaim = { id: `x${i}`, ledger, by: 'night', quantity: 1, nights: NIGHTS.slice(s.from, s.from + s.len) };
          polled.set(claim.id, claim);
          const { generation } = await sync.state('inn');
          const applied = await sync.apply({ site: 'inn', mode: 'delta', expectedGeneration: generation, cursor: `c${i}`,
            upserts: [claim], removed, fullPull: false, counts: [{ ledger, date: NIGHTS[s.from]!, count: s.count }], pollStartedAt: at });
          expect(applied.kind).toBe('ok');
        } else if (s.kind === 'health') {
          await sync.recordHealth('inn', s.ok ? { kind: 'success', dataTime: at } : { kind: 'failure', code: 'UNAVAILABLE', message: 'down' },
            { failures: 1, recover: 1 });
        } else if (s.kind === 'tick') {
          at = Math.max(at, INSTANTS[s.to]!) + s.nudge;
        } else if (s.kind === 'release' && holds.length > 0) {
          await store.releaseHold(holds.splice(s.pick % holds.length, 1)[0]!);
        } else if (s.kind === 'confirm' && holds.length > 0) {
          const id = holds.splice(s.pick % holds.length, 1)[0]!;
          if ((await store.confirmHold(id, `r${i}`, 'tok')).kind === 'ok') reservations.push(`r${i}`);
        } else if (s.kind === 'cancel' && reservations.length > 0) {
          await store.cancelReservation(reservations.splice(s.pick % reservations.length, 1)[0]!, 'test');
        }
        await check();
      }
    }), { seed: 20_271_128, numRuns: 12 });
  }, 240_000);
});
