import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { Catalog } from '../../src/core/catalog.js';
import { AvailabilityService, type AvailabilityQuery } from '../../src/reservations/availability.js';
import { AvailabilityStore } from '../../src/store/store.js';
import type { ClaimItem } from '../../src/store/types.js';
import { ADAPTERS } from '../../src/sync/registry.js';
import { openTestStore, type TestStore } from '../helpers/redis.js';

/**
 * The fast path (a store that keeps raw reads per ledger version and skips unchanged ledgers in
 * Redis, opening hours kept per window) answers exactly what the full computation (a fresh store
 * and service, nothing kept) answers, after every step of a random history of claims, releases,
 * confirms and cancellations, at instants around a DST change (Europe 2027-03-28, US 2027-03-14)
 * and around minimum-notice boundaries.
 */
const YAML = `
auth: { adminToken: read-cache-property-admin-token }
groups:
  rooms: { workflow: centralized }
  halls: { workflow: centralized }
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
  - id: ny
    timezone: America/New_York
    adapter: { kind: none }
    resources:
      - { id: king, kind: pool, capacity: 2, group: rooms, bookedBy: night }
`;

const H = 3_600_000;
const NIGHTS = ['2027-03-12', '2027-03-13', '2027-03-14', '2027-03-15', '2027-03-26', '2027-03-27', '2027-03-28', '2027-03-29'];
const QUERIES: AvailabilityQuery[] = [
  { sites: ['berlin', 'ny'], from: '2027-03-10', to: '2027-04-02' },
  { sites: ['berlin'], resource: 'hall', from: '2027-03-26', to: '2027-03-30' },
  { sites: ['berlin'], resource: 'hall', from: '2027-03-27T05:00:00Z', to: '2027-03-28T20:00:00Z' },
  { sites: ['ny'], from: '2027-03-13', to: '2027-03-16' },
];
// Instants around the boundaries: the hall's 24 h notice against the Berlin DST weekend, the
// rooms' 36 h notice against Berlin midnights, New York's DST night.
const INSTANTS = [
  Date.parse('2027-03-26T05:00:00Z'), Date.parse('2027-03-27T07:59:59.999Z'), Date.parse('2027-03-27T08:00:00Z'),
  Date.parse('2027-03-25T10:59:59.999Z'), Date.parse('2027-03-25T11:00:00Z'), Date.parse('2027-03-14T06:30:00Z'),
  Date.parse('2027-03-01T00:00:00Z'),
];

type Step =
  | { kind: 'night'; site: 0 | 1; from: number; len: number }
  | { kind: 'time'; start: number; len: number }
  | { kind: 'release' | 'confirm' | 'cancel'; pick: number };

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ kind: fc.constant('night' as const), site: fc.constantFrom(0 as const, 1 as const), from: fc.nat(NIGHTS.length - 2), len: fc.integer({ min: 1, max: 3 }) }),
  fc.record({ kind: fc.constant('time' as const), start: fc.integer({ min: 0, max: 80 }), len: fc.integer({ min: 1, max: 6 }) }),
  fc.record({ kind: fc.constantFrom('release' as const, 'confirm' as const, 'cancel' as const), pick: fc.nat(30) }),
);

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
  it('answers exactly like the full computation, across DST changes and notice boundaries', async () => {
    let run = 0;
    await fc.assert(fc.asyncProperty(fc.array(step, { minLength: 3, maxLength: 25 }), fc.constantFrom(...INSTANTS), async (steps, at) => {
      // Each run on a ledger of its own would hide the cache; share the store, fresh hub id per run.
      const hub = `cache-${run++}`;
      const fast = new AvailabilityService(catalog, new AvailabilityStore(t.redis, t.prefix, hub), () => at);
      const full = () => new AvailabilityService(catalog, new AvailabilityStore(t.redis, t.prefix, hub), () => at);
      const store = new AvailabilityStore(t.redis, t.prefix, hub);
      const holds: string[] = [];
      const reservations: string[] = [];
      const check = async () => {
        for (const q of QUERIES) expect(await fast.read(q)).toEqual(await full().read(q));
      };
      await check();
      for (const [i, s] of steps.entries()) {
        if (s.kind === 'night') {
          const entry = catalog.entry(s.site === 0 ? 'berlin' : 'ny', s.site === 0 ? 'double' : 'king')!;
          const nights = NIGHTS.slice(s.from, s.from + s.len);
          const item: ClaimItem = { ledger: entry.ledger, by: 'night', quantity: 1, capacity: entry.capacity, nights,
            bufferBefore: 0, bufferAfter: 0, site: entry.site.id, resource: entry.resource.id, writeback: false };
          if ((await store.claimHold({ holdId: `h${i}`, ttlMs: 600_000, items: [item] })).kind === 'ok') holds.push(`h${i}`);
        } else if (s.kind === 'time') {
          const entry = catalog.entry('berlin', 'hall')!;
          const start = Date.parse('2027-03-26T06:00:00Z') + s.start * H;
          const item: ClaimItem = { ledger: entry.ledger, by: 'time', quantity: 1, capacity: 1, start, end: start + s.len * H,
            bufferBefore: 0, bufferAfter: 30 * 60_000, site: 'berlin', resource: 'hall', writeback: false };
          if ((await store.claimHold({ holdId: `h${i}`, ttlMs: 600_000, items: [item] })).kind === 'ok') holds.push(`h${i}`);
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
