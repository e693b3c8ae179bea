import { Queue } from 'bullmq';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { startRestPmsSimulator, type RestPmsSimulator } from '../../adapters/rest/simulator/index.js';
import { bearer, call, eventually, startTestHub, type TestHub } from '../helpers/hub.js';
import { pollNow, freshPoll, REST_TOKEN, restSite } from '../helpers/sources.js';
import { WRITEBACK_QUEUE } from '../../src/reservations/writeback-queue.js';
import { HubKeys } from '../../src/store/keys.js';
import { bullConnection } from '../../src/store/queues.js';

/**
 * "A property test drives random holds, confirms, write-backs and polls against a simulator and
 * checks that the hub never shows more or less than the truth once the source has caught up."
 *
 * Every run starts its own REST PMS simulator (one room type, 2-4 rooms) and its own hub (api,
 * worker, scheduler; its own key prefix; every site polled each second in the background), then
 * plays a random history over a 5-night range: holds confirmed through the API (written back by
 * the worker while the history goes on), holds left open or released, cancellations through the
 * hub, bookings and cancellations at the PMS's front desk, polls on demand, and pauses that let
 * the write-backs finish. The configured capacity (1-6) sometimes caps the PMS count, sometimes not.
 *
 * Checked after every step and while waiting (mid-flight), per night:
 *   hub ≤ min(capacity, PMS free + hub-cancelled bookings the PMS still lists + front-desk bookings
 *         made since the last poll we asked for) − open holds − pending reservations not at the PMS yet
 * i.e. the hub never offers a room that is not there (no over-sell), whatever is in flight; and
 * every reservation is at the PMS at most once, ever.
 * Checked at checkpoints (all write-backs settled, then a poll that started after the last change):
 *   hub = min(capacity, PMS free) − open holds            (exactly the truth, never less)
 * and each confirmed reservation is exactly one live booking at the PMS, each cancelled or failed
 * one none. A write-back may fail (sold out) only where the front desk booked one of its nights
 * after the last poll the hub had seen before the confirm.
 */

const ADMIN = 'pool-property-admin-token';
const DAY = 86_400_000;
const NIGHTS = 5;
const FIRST = 10; // days from today
const date = (offsetDays: number) => new Date(Math.floor(Date.now() / DAY) * DAY + offsetDays * DAY).toISOString().slice(0, 10);
const RANGE = Array.from({ length: NIGHTS }, (_, i) => date(FIRST + i));
const RANGE_END = date(FIRST + NIGHTS);

interface Span { from: number; len: number; q: number }
type Action =
  | ({ kind: 'book' } & Span)
  | ({ kind: 'hold' } & Span)
  | { kind: 'release'; pick: number }
  | { kind: 'cancel'; pick: number }
  | ({ kind: 'front-desk' } & Span)
  | { kind: 'front-cancel'; pick: number }
  | { kind: 'poll' }
  | { kind: 'settle' }
  | { kind: 'check' };

const spanArb = fc.record({ from: fc.integer({ min: 0, max: NIGHTS - 1 }), len: fc.integer({ min: 1, max: 3 }), q: fc.integer({ min: 1, max: 2 }) })
  .map((s) => ({ ...s, len: Math.min(s.len, NIGHTS - s.from) }));
const actionArb: fc.Arbitrary<Action> = fc.oneof(
  { arbitrary: spanArb.map((s) => ({ kind: 'book' as const, ...s })), weight: 7 },
  { arbitrary: spanArb.map((s) => ({ kind: 'hold' as const, ...s })), weight: 1 },
  { arbitrary: fc.nat(20).map((pick) => ({ kind: 'release' as const, pick })), weight: 1 },
  { arbitrary: fc.nat(20).map((pick) => ({ kind: 'cancel' as const, pick })), weight: 2 },
  { arbitrary: spanArb.map((s) => ({ kind: 'front-desk' as const, ...s })), weight: 2 },
  { arbitrary: fc.nat(20).map((pick) => ({ kind: 'front-cancel' as const, pick })), weight: 1 },
  { arbitrary: fc.constant({ kind: 'poll' as const }), weight: 2 },
  { arbitrary: fc.constant({ kind: 'settle' as const }), weight: 1 },
  { arbitrary: fc.constant({ kind: 'check' as const }), weight: 1 },
);

const nightsOfSpan = (s: Span) => RANGE.slice(s.from, s.from + s.len);

interface HubReservation {
  id: string; nights: string[]; q: number; cancelled: boolean;
  /** Front-desk bookings up to this step had been polled when it was confirmed. */
  knownStep: number;
}
interface OpenHold { id: string; nights: string[]; q: number; open: boolean }
interface FrontDesk { id: string; nights: string[]; q: number; step: number; live: boolean }

/** One random history against a fresh PMS and hub. */
class Run {
  readonly reservations: HubReservation[] = [];
  readonly holds: OpenHold[] = [];
  readonly frontDesk: FrontDesk[] = [];
  step = 0;
  /** Front-desk changes up to this step were made before a poll we asked for started. */
  polledStep = 0;
  checks = 0;
  refused = 0;
  private readonly keys: HubKeys;
  private readonly connection;
  private readonly queue: Queue;

  constructor(readonly hub: TestHub, readonly pms: RestPmsSimulator, readonly capacity: number) {
    this.keys = new HubKeys(hub.config.redis.keyPrefix, hub.config.hubId);
    this.connection = bullConnection(hub.config.redis.url);
    this.queue = new Queue(WRITEBACK_QUEUE, { connection: this.connection, prefix: this.keys.queuePrefix() });
  }

  async close(): Promise<void> {
    await this.queue.close();
    this.connection.disconnect();
  }

  /**
   * No write-back in flight: the outbox is drained and the write-back queue has nothing waiting,
   * delayed or running. (A create job that read "pending" just before a cancel still writes and
   * then withdraws its booking, so the PMS alone cannot tell when it is over.)
   */
  private async writebacksIdle(): Promise<void> {
    expect(await this.hub.redis.xlen(this.keys.outbox()), 'outbox entries not yet queued').toBe(0);
    const counts = await this.queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized', 'waiting-children');
    expect(counts, 'write-back jobs in flight').toEqual({ waiting: 0, active: 0, delayed: 0, prioritized: 0, 'waiting-children': 0 });
  }

  private async hubNights(): Promise<number[]> {
    const r = await call(this.hub.base, 'GET', `/v1/availability?site=lakeside&resource=double&from=${RANGE[0]}&to=${RANGE_END}`, { headers: bearer(ADMIN) });
    expect(r.status).toBe(200);
    return r.body.sites[0].resources[0].nights.map((n: { available: number }) => n.available);
  }

  private async status(id: string): Promise<string> {
    const r = await call(this.hub.base, 'GET', `/v1/reservations/${id}`, { headers: bearer(ADMIN) });
    expect(r.status).toBe(200);
    return r.body.status as string;
  }

  /** Bookings at the PMS carrying a reservation's reference. */
  private atPms(id: string) {
    return this.pms.admin.bookings().filter((b) => b.externalRef === `avhub-${id}` || (b.externalRef ?? '').startsWith(`avhub-${id}.`));
  }

  private live = (state: string) => state === 'CONFIRMED' || state === 'OPTION';

  private sum<T extends { nights: string[]; q: number }>(list: T[], night: string) {
    return list.filter((x) => x.nights.includes(night)).reduce((n, x) => n + x.q, 0);
  }

  /** The no-over-sell bound (see the file comment); valid at any moment, whatever is in flight. */
  async midFlight(where: string): Promise<void> {
    this.checks += 1;
    const hub = await this.hubNights();
    // Statuses read after the hub's figures: a reservation still pending now was pending (and
    // claimed) then, since a status never goes back to pending here.
    const statuses = new Map<string, string>();
    for (const r of this.reservations) if (!r.cancelled) statuses.set(r.id, await this.status(r.id));
    // One synchronous snapshot of the PMS: background write-backs move a unit between "not at
    // the PMS yet" and "in the PMS count" (or "cancelled by the hub, still listed" and "free")
    // without changing the bound, so a snapshot after the hub's read is a valid reference.
    const liveRef = new Map<string, number>();
    for (const r of this.reservations) {
      const mine = this.atPms(r.id);
      expect(mine.length, `${where}: ${r.id} is at the PMS ${mine.length} times`).toBeLessThanOrEqual(1);
      liveRef.set(r.id, mine.filter((b) => this.live(b.state)).length);
    }
    const free = RANGE.map((d) => this.pms.admin.free('DBL', d));

    const bound = RANGE.map((night, j) => {
      const cancelledStillListed = this.sum(this.reservations.filter((r) => r.cancelled && liveRef.get(r.id)! > 0), night);
      const unseenFrontDesk = this.sum(this.frontDesk.filter((f) => f.live && f.step > this.polledStep), night);
      const held = this.sum(this.holds.filter((h) => h.open), night);
      const notWrittenYet = this.sum(this.reservations.filter((r) => !r.cancelled && statuses.get(r.id) === 'pending' && liveRef.get(r.id) === 0), night);
      return Math.min(this.capacity, free[j]! + cancelledStillListed + unseenFrontDesk) - held - notWrittenYet;
    });
    for (let j = 0; j < NIGHTS; j++) {
      expect(hub[j], `${where}: over-sell on ${RANGE[j]} (hub ${hub.join(',')} > bound ${bound.join(',')}; PMS free ${free.join(',')})`)
        .toBeLessThanOrEqual(Math.max(0, bound[j]!));
    }
  }

  /** Waits until no write-back is in flight: every reservation final, and the PMS agrees with it. */
  async settle(): Promise<void> {
    await eventually(async () => {
      await this.midFlight('settling');
      await this.writebacksIdle();
      for (const r of this.reservations) {
        const status = await this.status(r.id);
        expect(['confirmed', 'failed', 'cancelled'], `${r.id} is still ${status}`).toContain(status);
        const live = this.atPms(r.id).filter((b) => this.live(b.state)).length;
        expect(live, `${r.id} (${status}) has ${live} live bookings at the PMS`).toBe(status === 'confirmed' ? 1 : 0);
      }
    }, 20_000, 50);
  }

  /** The hub's raw ledgers and records and the PMS's bookings, for a failure message. */
  async dump(): Promise<string> {
    const r = this.hub.redis;
    const keys = (await r.keys(`${this.hub.prefix}:*`)).filter((k) => /:(n|sn|rep|unrep|src):/.test(k) || /:resv:/.test(k)).sort();
    const out: string[] = [];
    for (const k of keys) {
      const type = await r.type(k);
      const v = type === 'hash' ? await r.hgetall(k) : type === 'zset' ? await r.zrange(k, '0', '-1', 'WITHSCORES') : type;
      out.push(`${k.slice(this.hub.prefix.length)} = ${JSON.stringify(v)}`);
    }
    out.push(`pms = ${JSON.stringify(this.pms.admin.bookings().map((b) => [b.id, b.arrival, b.departure, b.rooms, b.state, b.externalRef]))}`);
    return out.join('\n');
  }

  /** Settled, polled after the last change: the hub shows exactly the truth. */
  async checkpoint(where: string): Promise<void> {
    await this.settle();
    await freshPoll(this.hub.base, ADMIN, 'lakeside');
    this.polledStep = this.step;
    const hub = await this.hubNights();
    const truth = RANGE.map((d) => Math.max(0, Math.min(this.capacity, this.pms.admin.free('DBL', d)) - this.sum(this.holds.filter((h) => h.open), d)));
    if (JSON.stringify(hub) !== JSON.stringify(truth)) {
      expect(hub, `${where}: hub ≠ truth (PMS free ${RANGE.map((d) => this.pms.admin.free('DBL', d)).join(',')}, capacity ${this.capacity})\n${await this.dump()}`).toEqual(truth);
    }
    // A write-back may fail (sold out at the PMS) only where the front desk booked one of its
    // nights after the last poll the hub had seen before the confirm: never on the hub's own account.
    for (const r of this.reservations) {
      const raced = this.frontDesk.some((f) => f.step > r.knownStep && f.nights.some((n) => r.nights.includes(n)));
      if (!raced) expect(await this.status(r.id), `${r.id} failed though no front-desk booking raced it\n${await this.dump()}`).not.toBe('failed');
    }
  }

  async apply(a: Action): Promise<void> {
    this.step += 1;
    switch (a.kind) {
      case 'book':
      case 'hold': {
        const nights = nightsOfSpan(a);
        const hold = await call(this.hub.base, 'POST', '/v1/holds', {
          headers: bearer(ADMIN),
          body: { site: 'lakeside', resource: 'double', checkIn: nights[0], checkOut: date(FIRST + a.from + a.len), quantity: a.q },
        });
        // 409: not available; 400: more than the configured capacity in one hold.
        expect(a.q > this.capacity ? [400] : [201, 409], JSON.stringify(hold.body)).toContain(hold.status);
        if (hold.status !== 201) { this.refused += 1; return; }
        if (a.kind === 'hold') {
          this.holds.push({ id: hold.body.id, nights, q: a.q, open: true });
          return;
        }
        const confirm = await call(this.hub.base, 'POST', `/v1/holds/${hold.body.id}/confirm`, { headers: bearer(ADMIN) });
        expect(confirm.status).toBe(202);
        this.reservations.push({ id: confirm.body.reservationId, nights, q: a.q, cancelled: false, knownStep: this.polledStep });
        return;
      }
      case 'release': {
        const open = this.holds.filter((h) => h.open);
        const h = open[a.pick % Math.max(1, open.length)];
        if (!h) return;
        const r = await call(this.hub.base, 'DELETE', `/v1/holds/${h.id}`, { headers: bearer(ADMIN) });
        expect(r.status).toBe(204);
        h.open = false;
        return;
      }
      case 'cancel': {
        const live = this.reservations.filter((r) => !r.cancelled);
        const r = live[a.pick % Math.max(1, live.length)];
        if (!r) return;
        const res = await call(this.hub.base, 'DELETE', `/v1/reservations/${r.id}`, { headers: bearer(ADMIN) });
        if (res.status === 200) {
          expect(res.body.status).toBe('cancelled');
          r.cancelled = true;
        } else {
          // Only a reservation that failed meanwhile cannot be cancelled.
          expect(await this.status(r.id)).toBe('failed');
        }
        return;
      }
      case 'front-desk': {
        const nights = nightsOfSpan(a);
        const b = this.pms.admin.createBooking({ roomType: 'DBL', arrival: nights[0]!, departure: date(FIRST + a.from + a.len), rooms: a.q });
        this.frontDesk.push({ id: b.id, nights, q: a.q, step: this.step, live: true });
        return;
      }
      case 'front-cancel': {
        const live = this.frontDesk.filter((f) => f.live);
        const f = live[a.pick % Math.max(1, live.length)];
        if (!f) return;
        this.pms.admin.cancelBooking(f.id);
        f.live = false;
        return;
      }
      case 'poll': {
        const step = this.step;
        await pollNow(this.hub.base, ADMIN, 'lakeside');
        this.polledStep = step;
        return;
      }
      case 'settle':
        await this.settle();
        return;
      case 'check':
        await this.checkpoint(`checkpoint at step ${this.step}`);
    }
  }
}

function hubYaml(pmsUrl: string, capacity: number): string {
  return stringify({
    auth: { adminToken: ADMIN },
    defaults: { writeback: { attempts: 6, backoff: '100ms' }, syncWindow: { past: '1d', future: '20d' } },
    groups: { rooms: { workflow: 'centralized' } },
    sites: [restSite(pmsUrl, { resources: [{ id: 'double', kind: 'pool', bookedBy: 'night', capacity, group: 'rooms', source: { id: 'DBL' } }] })],
  });
}

const stats = { runs: 0, steps: 0, checks: 0, reservations: 0, failed: 0, refusedHolds: 0, ms: 0 };

describe('pool arithmetic against a PMS: random histories (fast-check)', () => {
  it('never more than the truth at any moment, exactly the truth once the PMS has caught up', async () => {
    const started = Date.now();
    await fc.assert(fc.asyncProperty(
      fc.integer({ min: 2, max: 4 }), fc.integer({ min: 1, max: 6 }), fc.array(actionArb, { minLength: 4, maxLength: 12 }),
      async (rooms, capacity, actions) => {
        const pms = await startRestPmsSimulator({ token: REST_TOKEN, seed: { roomTypes: { DBL: rooms } } });
        let hub: TestHub | undefined;
        let run: Run | undefined;
        try {
          hub = await startTestHub({ yaml: hubYaml(pms.url, capacity), roles: ['api', 'worker', 'scheduler'] });
          run = new Run(hub, pms, capacity);
          await run.checkpoint('start');
          for (const a of actions) {
            await run.apply(a);
            await run.midFlight(`after step ${run.step} (${a.kind})`);
          }
          await run.checkpoint('end');
          stats.runs += 1;
          stats.steps += actions.length;
          stats.checks += run.checks;
          stats.reservations += run.reservations.length;
          stats.refusedHolds += run.refused;
          for (const r of run.reservations) {
            const s = (await call(hub.base, 'GET', `/v1/reservations/${r.id}`, { headers: bearer(ADMIN) })).body.status;
            if (s === 'failed') stats.failed += 1;
          }
        } finally {
          await run?.close();
          await hub?.stop();
          await pms.stop();
        }
      },
    ), { numRuns: 20, plugins: [fc.interruptAfterTimeLimit(150_000)] });
    stats.ms = Date.now() - started;
    console.info(`[pool-arithmetic] ${stats.runs} runs, ${stats.steps} steps, ${stats.checks} mid-flight checks, `
      + `${stats.reservations} reservations (${stats.failed} failed at the PMS), ${stats.refusedHolds} holds refused, ${(stats.ms / 1000).toFixed(1)} s`);
  }, 200_000);
});
