import { afterAll, describe, expect, it } from 'vitest';
import { bearer, call, eventually } from '../helpers/hub.js';
import { runClients } from './clients.js';
import { checkInvariants } from './invariants.js';
import { Journal, runSeed, seededRandom } from './journal.js';
import { CHAOS_ADMIN, CHAOS_KEY, CHAOS_RESOURCE, CHAOS_SITE, rigTarget, startChaosRig, type ChaosRig } from './rig.js';

/**
 * Issue 14: Redis SIGKILLed under load and started again from its AOF loses nothing the hub
 * acknowledged. One `avhub start` process (every role) runs against a private redis-server with
 * `appendonly yes` and `appendfsync always` (the production setting README asks for: with it, a
 * write is on disk before Redis answers, so before the hub answers its client). Six clients book
 * as in hub-crash.test.ts while Redis is killed three times (`CHAOS_REDIS_ROUNDS`) and started
 * again on the same directory; the hub process is never restarted. While Redis is away the API
 * answers 503 store-unavailable and the clients retry with the same keys. `redis.waitReplicas`
 * plays no part: it guards failover to a replica (docs/scaling.md), and there is none here.
 */

const ROUNDS = Number(process.env.CHAOS_REDIS_ROUNDS ?? 3);
const CAPACITY = 6;
const NIGHTS = 8;
const DAY = 86_400_000;
const FIRST_NIGHT = new Date(Math.floor(Date.now() / DAY) * DAY + 20 * DAY).toISOString().slice(0, 10);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let rig: ChaosRig | undefined;
afterAll(async () => { await rig?.stop(); });

describe('Redis SIGKILLed under load, restarted from its AOF', () => {
  it('keeps every acknowledged hold and reservation, answers every replay the same, and books each reservation once at the source', async () => {
    const seed = runSeed();
    console.info(`[redis-crash] seed ${seed} (CHAOS_SEED=${seed} repeats the clients' choices)`);
    rig = await startChaosRig({ redisPort: 9161, apiPort: 9171, pmsPort: 9174, roles: ['start'], capacity: CAPACITY });
    const journal = new Journal();
    let done = false;
    const giveUpAt = Date.now() + 120_000;
    const clients = runClients({
      base: rig.base, widgetKey: CHAOS_KEY, site: CHAOS_SITE, resource: CHAOS_RESOURCE, firstNight: FIRST_NIGHT, nights: NIGHTS,
      journal, random: seededRandom(seed), runId: `s${seed}`, done: () => done, giveUpAt: () => giveUpAt,
    }, 6);

    const timeline: string[] = [];
    const t0 = Date.now();
    const mark = (what: string) => timeline.push(`${((Date.now() - t0) / 1000).toFixed(1)}s ${what}`);
    for (let round = 0; round < ROUNDS; round++) {
      const before = journal.stats.confirms;
      await sleep(2_000);
      await rig.killRedis();
      mark(`Redis killed (${journal.stats.confirms - before} confirms in the 2 s before)`);
      await sleep(1_000);
      await rig.restartRedis();
      mark('Redis running again');
    }
    await sleep(3_000);
    done = true;
    await clients;
    mark('clients done');
    const violations = await checkInvariants(journal, rigTarget(rig, { firstNight: FIRST_NIGHT, nights: NIGHTS }));
    mark('invariants checked');
    const report = `[redis-crash] seed ${seed}: ${journal.summary()}; ${timeline.join(', ')}`;
    console.info(report);
    if (violations.length > 0) console.info(`${violations.length} violations:\n${violations.slice(0, 30).join('\n')}`);
    expect(violations, `${report}\n${rig.output()}`).toEqual([]);
    // Redis went away under requests in flight (else this run proved nothing), and the hub said so
    // as a 503 store-unavailable, never as another 5xx.
    expect(journal.stats.retries['503 store-unavailable'] ?? 0, report).toBeGreaterThan(0);
    expect(Object.keys(journal.stats.retries).filter((r) => /^5\d\d/.test(r) && !/^503 [a-z-]+$/.test(r)), report).toEqual([]);
    expect(journal.holds.filter((h) => h.reservation).length, report).toBeGreaterThan(10);

    // The control: the same checker on a Redis that lost its AOF finds the loss, so a pass above
    // means something.
    await rig.killRedis();
    await rig.restartRedis({ empty: true });
    await eventually(async () => expect((await call(rig!.base, 'GET', '/v1/sites', { headers: bearer(CHAOS_ADMIN) })).status).toBe(200), 20_000, 200);
    const lost = await checkInvariants(journal, rigTarget(rig, { firstNight: FIRST_NIGHT, nights: NIGHTS }), { patienceMs: 2_000 });
    expect(lost.filter((v) => /^reservation \S+ \(key \S+\) answers 40[34]/.test(v)).length, lost.slice(0, 5).join('\n'))
      .toBe(journal.holds.filter((h) => h.reservation).length);
  }, 120_000);
});
