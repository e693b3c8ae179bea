import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  PullRequest, PullResult, SourceAdapter, SourceBooking, SourceSite, WriteRequest,
} from '../../src/core/adapter/port.js';
import {
  AdapterAuthError, AdapterRateLimitedError, AdapterUnavailableError, CursorRejectedError,
} from '../../src/core/adapter/errors.js';
import { datesCovering } from '../../src/domain/index.js';

/**
 * The contract every adapter meets (STYLE habit 6), run against its real server or simulator.
 * A harness knows how to change the source behind the adapter's back. A case whose hook a
 * harness lacks is reported as skipped, never passed silently. Where it runs (issue 15):
 *
 * | case                           | google | caldav | ical-feed | mews | apaleo | rest |
 * | ------------------------------ | ------ | ------ | --------- | ---- | ------ | ---- |
 * | pull, incremental, move/delete | ✓      | ✓      | ✓         | ✓    | ✓      | ✓    |
 * | rejected cursor, outage        | ✓      | ✓      | ✓         | ✓    | ✓      | ✓    |
 * | rate limit (Retry-After), auth | ✓      | ✓      | ✓         | ✓    | ✓      | ✓    |
 * | reserve, retry, lost answer    | ✓      | ✓      | n/a       | ✓    | ✓      | ✓    |
 * | cancel, cancel retried         | ✓      | ✓      | n/a       | ✓    | ✓      | ✓    |
 *
 * (n/a: read-only. `none` has no source to test. The port has no modify: the
 * core modifies by reserve + cancel.)
 */
export interface ContractHarness {
  /**
   * A site whose `resources[0]` the cases book, on a fresh source. Booked by time (calendars) or
   * by night (PMSs, `resources[0].bookedBy: 'night'`): then an interval given to the harness
   * stands for the local dates it touches in the site's zone (check-in at the first, check-out
   * the day after the last), and the cases expect those nights.
   */
  site: SourceSite;
  adapter: SourceAdapter;
  /** Creates a busy booking on `resources[0]` at the source; returns the adapter's external id for it. */
  createEvent(start: number, end: number): Promise<string>;
  /** Moves a booking created by createEvent. */
  moveEvent(externalId: string, start: number, end: number): Promise<void>;
  /** Deletes (a PMS: cancels at the front desk) a booking created by createEvent. */
  deleteEvent(externalId: string): Promise<void>;
  /**
   * Makes the source refuse the adapter's current cursor (an expired sync token). A source whose
   * cursor lives only in the hub (a PMS's last-modified) returns the cursor the adapter must
   * refuse instead (one it did not write, or one too old for the source's filters).
   */
  expireCursor(cursor: string | null): Promise<string | void>;
  /** The source stops answering (or answers 5xx) until `comeBack`. */
  goDown(): Promise<void>;
  comeBack(): Promise<void>;
  /** Requests the source has served so far (to prove an unchanged source costs one request). */
  requestCount(): Promise<number>;
  /** Requests an unchanged incremental poll costs; default 1 (a PMS re-reads its counts every poll). */
  unchangedPollRequests?: number;
  /** The next API call answers 429 with `Retry-After: seconds` (until `comeBack`, at the latest). */
  rateLimitNext?(seconds: number): Promise<void>;
  /** The source refuses the adapter's credential until `restoreCredentials`. */
  refuseCredentials?(): Promise<void>;
  restoreCredentials?(): Promise<void>;
  /** Present for adapters that write (reserve / cancel). */
  writes?: {
    /** The source makes the next booking it is asked to create, but its answer never arrives. */
    loseNextCreateAnswer(): void;
    /** Answers lost so far. */
    lostAnswers(): number;
  };
  close(): Promise<void>;
}

/** A window around the fixed test days (2027-03-01 .. 2027-04-30). */
const CONTRACT_WINDOW = { start: Date.UTC(2027, 2, 1), end: Date.UTC(2027, 4, 1) };

function request(h: ContractHarness, cursor: string | null): PullRequest {
  return { site: h.site, window: CONTRACT_WINDOW, cursor, signal: new AbortController().signal, throttle: async () => undefined };
}

/** Applies a pull to a map of live busy bookings, the way the core does. */
function apply(state: Map<string, SourceBooking>, result: PullResult): void {
  if (result.mode === 'full') state.clear();
  for (const id of result.removed) state.delete(id);
  for (const b of result.bookings) {
    if (b.status === 'cancelled' || !b.busy) state.delete(b.externalId);
    else state.set(b.externalId, b);
  }
}

/** The span a booking of `resources[0]` over [start, end) has, by time or by night. */
function spanFor(h: ContractHarness, start: number, end: number): SourceBooking['span'] {
  return h.site.resources[0]!.bookedBy === 'night'
    ? { by: 'night', nights: datesCovering(start, end, h.site.timezone) }
    : { by: 'time', start, end };
}

const spanOf = (b: SourceBooking | undefined) => b?.span;

export function adapterContract(name: string, makeHarness: () => Promise<ContractHarness>): void {
  describe(`adapter contract: ${name}`, () => {
    let h: ContractHarness;
    const state = new Map<string, SourceBooking>();
    let cursor: string | null = null;
    const pull = async (from: string | null = cursor) => {
      const result = await h.adapter.pull(request(h, from));
      apply(state, result);
      cursor = result.cursor;
      return result;
    };

    beforeAll(async () => { h = await makeHarness(); }, 60_000);
    afterAll(async () => { await h?.close(); });

    it('full pull returns what the source holds', async () => {
      const id = await h.createEvent(Date.UTC(2027, 2, 10, 9), Date.UTC(2027, 2, 10, 11));
      const result = await pull(null);
      expect(result.mode).toBe('full');
      expect(spanOf(state.get(id))).toEqual(spanFor(h, Date.UTC(2027, 2, 10, 9), Date.UTC(2027, 2, 10, 11)));
      expect(state.get(id)?.resource).toBe(h.site.resources[0]!.id);
    });

    it('an unchanged source answers an incremental pull with nothing new, in one request', async () => {
      const before = await h.requestCount();
      const known = new Map(state);
      const result = await pull();
      // Nothing new: at most bookings already known, unchanged (an overlapping delta window, as
      // Mews's, may repeat them; the core's upsert makes that a no-op).
      const live = result.bookings.filter((b) => b.status !== 'cancelled');
      expect(live.filter((b) => JSON.stringify(b) !== JSON.stringify(known.get(b.externalId)))).toEqual([]);
      expect(result.removed).toEqual([]);
      expect(await h.requestCount() - before).toBe(h.unchangedPollRequests ?? 1);
    });

    it('incremental pull sees a new event, a move and a delete', async () => {
      const added = await h.createEvent(Date.UTC(2027, 2, 12, 14), Date.UTC(2027, 2, 12, 15));
      await pull();
      expect(spanOf(state.get(added))).toEqual(spanFor(h, Date.UTC(2027, 2, 12, 14), Date.UTC(2027, 2, 12, 15)));
      await h.moveEvent(added, Date.UTC(2027, 2, 13, 14), Date.UTC(2027, 2, 13, 16));
      await pull();
      expect(spanOf(state.get(added))).toEqual(spanFor(h, Date.UTC(2027, 2, 13, 14), Date.UTC(2027, 2, 13, 16)));
      await h.deleteEvent(added);
      await pull();
      expect(state.has(added)).toBe(false);
      expect(state.size).toBe(1);
    });

    it('a rejected cursor is reported so the core can run a full resync', async () => {
      const refused = await h.expireCursor(cursor);
      await expect(h.adapter.pull(request(h, typeof refused === 'string' ? refused : cursor))).rejects.toBeInstanceOf(CursorRejectedError);
      const result = await pull(null);
      expect(result.mode).toBe('full');
      expect(state.size).toBe(1);
    });

    it('an outage is an AdapterUnavailableError, and the adapter works again afterwards', async () => {
      await h.goDown();
      try {
        await expect(h.adapter.pull(request(h, cursor))).rejects.toBeInstanceOf(AdapterUnavailableError);
      } finally {
        await h.comeBack();
      }
      await pull();
      expect(state.size).toBe(1);
    });

    it('a rate limit is an AdapterRateLimitedError carrying the Retry-After wait', async (ctx) => {
      if (!h.rateLimitNext) return ctx.skip();
      await h.rateLimitNext(3);
      const err = await h.adapter.pull(request(h, cursor)).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(AdapterRateLimitedError);
      expect((err as AdapterRateLimitedError).retryAfterMs).toBe(3_000);
      await h.comeBack(); // a source whose limit is a switch (a feed server) lifts it here
      await pull();
    });

    it('a refused credential is an AdapterAuthError', async (ctx) => {
      if (!h.refuseCredentials || !h.restoreCredentials) return ctx.skip();
      await h.refuseCredentials();
      try {
        await expect(h.adapter.pull(request(h, cursor))).rejects.toBeInstanceOf(AdapterAuthError);
      } finally {
        await h.restoreCredentials();
      }
      await pull();
      expect(state.size).toBe(1);
    });

    // Writes: each case reads the source back with a full pull of its own (the hub's reference
    // on a booking is how the core recognises its own reservations, DESIGN §6).
    const write = (key: string, reservationId: string, start: number, end: number): WriteRequest => ({
      site: h.site, resource: h.site.resources[0]!, idempotencyKey: key, reservationId,
      span: spanFor(h, start, end), quantity: 1, customer: { name: 'Contract Guest', email: 'guest@example.com' },
      signal: new AbortController().signal, throttle: async () => undefined,
    });
    const hubBookings = async (reservationId: string) => (await h.adapter.pull(request(h, null))).bookings
      .filter((b) => b.hubReference === reservationId && b.status !== 'cancelled' && b.busy);

    it('reserve writes a booking the source then shows as the hub\'s', async (ctx) => {
      if (!h.writes) return ctx.skip();
      const req = write('contract-key-1', 'contract-res-1', Date.UTC(2027, 3, 5, 10), Date.UTC(2027, 3, 5, 12));
      const { externalId } = await h.adapter.reserve(req);
      const found = await hubBookings('contract-res-1');
      expect(found.map((b) => [b.externalId, b.resource, b.span])).toEqual([[externalId, h.site.resources[0]!.id, req.span]]);
    });

    it('reserve retried with the same idempotency key makes no second booking', async (ctx) => {
      if (!h.writes) return ctx.skip();
      const req = write('contract-key-1', 'contract-res-1', Date.UTC(2027, 3, 5, 10), Date.UTC(2027, 3, 5, 12));
      const first = (await hubBookings('contract-res-1'))[0]!.externalId;
      expect((await h.adapter.reserve(req)).externalId).toBe(first);
      expect(await hubBookings('contract-res-1')).toHaveLength(1);
    });

    it('a lost answer: the retry finds the booking the first attempt made (exactly one)', async (ctx) => {
      if (!h.writes) return ctx.skip();
      const req = write('contract-key-2', 'contract-res-2', Date.UTC(2027, 3, 8, 10), Date.UTC(2027, 3, 8, 12));
      const lostBefore = h.writes.lostAnswers();
      h.writes.loseNextCreateAnswer();
      await h.adapter.reserve(req).catch(() => undefined); // the answer never arrives
      expect(h.writes.lostAnswers()).toBe(lostBefore + 1);
      const { externalId } = await h.adapter.reserve(req); // the write-back job's retry
      const found = await hubBookings('contract-res-2');
      expect(found.map((b) => b.externalId)).toEqual([externalId]);
    });

    it('cancel removes the booking, and a retried cancel is a success', async (ctx) => {
      if (!h.writes) return ctx.skip();
      const req = write('contract-key-1', 'contract-res-1', Date.UTC(2027, 3, 5, 10), Date.UTC(2027, 3, 5, 12));
      const { externalId } = await h.adapter.reserve(req);
      await h.adapter.cancel({ ...req, externalId });
      expect(await hubBookings('contract-res-1')).toEqual([]);
      await expect(h.adapter.cancel({ ...req, externalId })).resolves.toBeUndefined();
    });
  });
}

