import { afterAll, describe, expect, it } from 'vitest';
import { runClients } from './clients.js';
import { checkInvariants } from './invariants.js';
import { Journal, runSeed, seededRandom } from './journal.js';
import { CHAOS_KEY, CHAOS_RESOURCE, CHAOS_SITE, rigTarget, startChaosRig, type ChaosRig } from './rig.js';

/**
 * Issue 14: the hub SIGKILLed under load loses nothing it acknowledged and writes nothing twice.
 * `avhub api` and `avhub worker` run as processes of their own (the scheduler, never killed, runs
 * in this one) on a private Redis (AOF, fsync always); the site's source is the REST PMS simulator
 * in a centralized group, so every reservation is written back. Six clients hold, confirm,
 * release and cancel stays in a few nights of six rooms, with Idempotency-Keys, while the worker
 * and then the API process are killed mid-run (once per round; `CHAOS_ROUNDS`, default 1) and
 * started again; clients retry what got no answer. Then invariants.ts holds the hub and the
 * source to the journal. The seed of the clients' choices is printed; `CHAOS_SEED=<seed>` runs
 * the same choices again (the timing differs).
 */

const ROUNDS = Number(process.env.CHAOS_ROUNDS ?? 1);
const CAPACITY = 6;
const NIGHTS = 8;
const DAY = 86_400_000;
const FIRST_NIGHT = new Date(Math.floor(Date.now() / DAY) * DAY + 20 * DAY).toISOString().slice(0, 10);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let rig: ChaosRig | undefined;
afterAll(async () => { await rig?.stop(); });

describe('hub processes SIGKILLed under load', () => {
  it('keep every acknowledged hold and reservation, answer every replay the same, and book each reservation once at the source', async () => {
    const seed = runSeed();
    console.info(`[hub-crash] seed ${seed} (CHAOS_SEED=${seed} repeats the clients' choices)`);
    rig = await startChaosRig({ redisPort: 9160, apiPort: 9170, pmsPort: 9173, roles: ['api', 'worker'], schedulerInProcess: true, capacity: CAPACITY });
    const journal = new Journal();
    let done = false;
    const giveUpAt = Date.now() + 150_000;
    const clients = runClients({
      base: rig.base, widgetKey: CHAOS_KEY, site: CHAOS_SITE, resource: CHAOS_RESOURCE, firstNight: FIRST_NIGHT, nights: NIGHTS,
      journal, random: seededRandom(seed), runId: `s${seed}`, done: () => done, giveUpAt: () => giveUpAt,
    }, 6);

    const timeline: string[] = [];
    const t0 = Date.now();
    const mark = (what: string) => timeline.push(`${((Date.now() - t0) / 1000).toFixed(1)}s ${what}`);
    for (let round = 0; round < ROUNDS; round++) {
      await sleep(2_500);
      // The worker first: the API keeps taking confirms whose write-backs wait in the outbox and in
      // jobs the dead worker had taken. Then the API, with requests in flight.
      await rig.kill('worker');
      mark('worker killed');
      const worker = rig.restart('worker');
      await sleep(1_500);
      await rig.kill('api');
      mark('api killed');
      await Promise.all([worker, rig.restart('api')]);
      mark('worker and api running again');
    }
    await sleep(2_000);
    done = true;
    await clients;
    mark('clients done');
    const violations = await checkInvariants(journal, rigTarget(rig, { firstNight: FIRST_NIGHT, nights: NIGHTS }));
    mark('invariants checked');
    const report = `[hub-crash] seed ${seed}: ${journal.summary()}; ${timeline.join(', ')}`;
    console.info(report);
    if (violations.length > 0) console.info(`${violations.length} violations:\n${violations.slice(0, 30).join('\n')}`);
    expect(violations, `${report}\n${rig.output()}`).toEqual([]);
    // The faults hit requests in flight (else this run proved nothing), and every 5xx the clients
    // saw while the hub came back was a 503 with a problem type.
    expect(journal.stats.retries.lost ?? 0, report).toBeGreaterThan(0);
    expect(Object.keys(journal.stats.retries).filter((r) => /^5\d\d/.test(r) && !/^503 [a-z-]+$/.test(r)), report).toEqual([]);
    expect(journal.holds.filter((h) => h.reservation).length, report).toBeGreaterThan(10);
  }, 170_000);
});
