import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  PullRequest, PullResult, SourceAdapter, SourceBooking, SourceSite, WriteRequest,
} from '../../src/core/adapter/port.js';
import {
  AdapterAuthError, AdapterRateLimitedError, AdapterUnavailableError, CursorRejectedError,
} from '../../src/core/adapter/errors.js';
import { writeChange } from '../../src/core/adapter/write-change.js';
import { datesCovering } from '../../src/domain/index.js';

/**
 * The contract every adapter meets (STYLE habit 6), run against its real server or simulator.
 * A harness knows how to change the source behind the adapter's back. A case whose hook a
 * harness lacks is reported as skipped, never passed silently. Where it runs (issue 15; also in
 * docs/adapter-contract.md):
 *
 * | case                                  | google | caldav | ical-feed | mews | apaleo | rest | none |
 * | ------------------------------------- | ------ | ------ | --------- | ---- | ------ | ---- | ---- |
 * | full pull                             | ✓      | ✓      | ✓         | ✓    | ✓      | ✓    | ✓ ¹  |
 * | incremental pull (unchanged: 1 call)  | ✓      | ✓      | ✓         | ✓    | ✓      | ✓    | –    |
 * | incremental: new, move, delete        | ✓      | ✓      | ✓         | ✓    | ✓      | ✓    | –    |
 * | rejected cursor → full resync         | ✓      | ✓      | ✓         | ✓    | ✓      | ✓    | –    |
 * | outage                                | ✓      | ✓      | ✓         | ✓    | ✓      | ✓    | –    |
 * | rate limit with Retry-After           | ✓      | ✓      | ✓         | ✓    | ✓      | ✓    | –    |
 * | auth failure                          | ✓      | ✓      | ✓         | ✓    | ✓      | ✓    | –    |
 * | reserve                               | ✓      | ✓      | n/a       | ✓    | ✓      | ✓    | ✓ ²  |
 * | reserve retried (same key)            | ✓      | ✓      | n/a       | ✓    | ✓      | ✓    | ✓ ²  |
 * | reserve after a lost answer (one)     | ✓      | ✓      | n/a       | ✓    | ✓      | ✓    | –    |
 * | cancel, cancel retried                | ✓      | ✓      | n/a       | ✓    | ✓      | ✓    | ✓ ²  |
 * | modify (and modify retried)           | ✓ ³    | ✓ ³    | n/a       | ✓ ⁴  | ✓ ³    | ✓ ⁴  | ✓ ²  |
 *
 * n/a: read-only (ical-feed refuses writes). –: `none` has no source, so nothing can change,
 * fail, limit or refuse behind the hub's back, and no answer can be lost.
 * ¹ the pull of `none` is full and empty: the hub is the system of record.
 * ² `none` shows nothing at a source; the case checks the adapter's answers (stable ids,
 *   cancels that succeed twice).
 * ³ no `modify` in the adapter: the core's `writeChange` writes a new booking and cancels the old.
 * ⁴ in place (`modify`: Mews `reservations/update`, REST `adapter.modify`); the harness says so
 *   (`modifiesInPlace`), so a modify that silently fell back would fail the case.
 */
/** A harness for `kind: none`: an adapter with no source behind it (the hub is the system of record). */
interface NoSourceHarness {
  site: SourceSite;
  adapter: SourceAdapter;
  noSource: true;
  close(): Promise<void>;
}

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
  /** The adapter changes a booking in place (`modify`) instead of a new booking plus a cancel. */
  modifiesInPlace?: boolean;
  close(): Promise<void>;
}

type AnyHarness = ContractHarness | NoSourceHarness;

/** A window around the fixed test days (2027-03-01 .. 2027-04-30). */
const CONTRACT_WINDOW = { start: Date.UTC(2027, 2, 1), end: Date.UTC(2027, 4, 1) };

function request(h: AnyHarness, cursor: string | null): PullRequest {
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
function spanFor(h: AnyHarness, start: number, end: number): SourceBooking['span'] {
  return h.site.resources[0]!.bookedBy === 'night'
    ? { by: 'night', nights: datesCovering(start, end, h.site.timezone) }
    : { by: 'time', start, end };
}

const spanOf = (b: SourceBooking | undefined) => b?.span;

export function adapterContract(name: string, makeHarness: () => Promise<AnyHarness>): void {
  describe(`adapter contract: ${name}`, () => {
    let any: AnyHarness;
    /** The harness with a source; a case that needs one skips on `none`. */
    let h: ContractHarness;
    const needsSource = (ctx: { skip(): void }) => { if ('noSource' in any) ctx.skip(); };
    const state = new Map<string, SourceBooking>();
    let cursor: string | null = null;
    const pull = async (from: string | null = cursor) => {
      const result = await h.adapter.pull(request(h, from));
      apply(state, result);
      cursor = result.cursor;
      return result;
    };

    beforeAll(async () => {
      any = await makeHarness();
      h = any as ContractHarness;
    }, 60_000);
    afterAll(async () => { await any?.close(); });

    it('full pull returns what the source holds', async () => {
      if ('noSource' in any) {
        const result = await any.adapter.pull(request(any, null));
        expect(result).toEqual({ mode: 'full', bookings: [], removed: [], counts: [], cursor: null, skipped: [] });
        return;
      }
      const id = await h.createEvent(Date.UTC(2027, 2, 10, 9), Date.UTC(2027, 2, 10, 11));
      const result = await pull(null);
      expect(result.mode).toBe('full');
      expect(spanOf(state.get(id))).toEqual(spanFor(h, Date.UTC(2027, 2, 10, 9), Date.UTC(2027, 2, 10, 11)));
      expect(state.get(id)?.resource).toBe(h.site.resources[0]!.id);
    });

    it('an unchanged source answers an incremental pull with nothing new, in one request', async (ctx) => {
      needsSource(ctx);
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

    it('incremental pull sees a new event, a move and a delete', async (ctx) => {
      needsSource(ctx);
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

    it('a rejected cursor is reported so the core can run a full resync', async (ctx) => {
      needsSource(ctx);
      const refused = await h.expireCursor(cursor);
      await expect(h.adapter.pull(request(h, typeof refused === 'string' ? refused : cursor))).rejects.toBeInstanceOf(CursorRejectedError);
      const result = await pull(null);
      expect(result.mode).toBe('full');
      expect(state.size).toBe(1);
    });

    it('an outage is an AdapterUnavailableError, and the adapter works again afterwards', async (ctx) => {
      needsSource(ctx);
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
      needsSource(ctx);
      if (!h.rateLimitNext) return ctx.skip();
      await h.rateLimitNext(3);
      const err = await h.adapter.pull(request(h, cursor)).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(AdapterRateLimitedError);
      expect((err as AdapterRateLimitedError).retryAfterMs).toBe(3_000);
      await h.comeBack(); // a source whose limit is a switch (a feed server) lifts it here
      await pull();
    });

    it('a refused credential is an AdapterAuthError', async (ctx) => {
      needsSource(ctx);
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
    // on a booking is how the core recognises its own reservations, DESIGN §6). `none` has no
    // source to read back: its cases check the adapter's answers only.
    const write = (key: string, reservationId: string, start: number, end: number): WriteRequest => ({
      site: any.site, resource: any.site.resources[0]!, idempotencyKey: key, reservationId,
      span: spanFor(any, start, end), quantity: 1, customer: { name: 'Contract Guest', email: 'guest@example.com' },
      signal: new AbortController().signal, throttle: async () => undefined,
    });
    const hubBookings = async (reservationId: string) => (await any.adapter.pull(request(any, null))).bookings
      .filter((b) => b.hubReference === reservationId && b.status !== 'cancelled' && b.busy);
    const writes = (ctx: { skip(): void }) => { if (!('noSource' in any) && !h.writes) ctx.skip(); };
    const readsBack = () => !('noSource' in any);

    it('reserve writes a booking the source then shows as the hub\'s', async (ctx) => {
      writes(ctx);
      const req = write('contract-key-1', 'contract-res-1', Date.UTC(2027, 3, 5, 10), Date.UTC(2027, 3, 5, 12));
      const { externalId } = await any.adapter.reserve(req);
      expect(externalId).not.toBe('');
      if (!readsBack()) return;
      const found = await hubBookings('contract-res-1');
      expect(found.map((b) => [b.externalId, b.resource, b.span])).toEqual([[externalId, h.site.resources[0]!.id, req.span]]);
    });

    it('reserve retried with the same idempotency key makes no second booking', async (ctx) => {
      writes(ctx);
      const req = write('contract-key-1', 'contract-res-1', Date.UTC(2027, 3, 5, 10), Date.UTC(2027, 3, 5, 12));
      if (!readsBack()) {
        expect((await any.adapter.reserve(req)).externalId).toBe((await any.adapter.reserve(req)).externalId);
        return;
      }
      const first = (await hubBookings('contract-res-1'))[0]!.externalId;
      expect((await h.adapter.reserve(req)).externalId).toBe(first);
      expect(await hubBookings('contract-res-1')).toHaveLength(1);
    });

    it('a lost answer: the retry finds the booking the first attempt made (exactly one)', async (ctx) => {
      needsSource(ctx);
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
      writes(ctx);
      const req = write('contract-key-1', 'contract-res-1', Date.UTC(2027, 3, 5, 10), Date.UTC(2027, 3, 5, 12));
      const { externalId } = await any.adapter.reserve(req);
      await any.adapter.cancel({ ...req, externalId });
      if (readsBack()) expect(await hubBookings('contract-res-1')).toEqual([]);
      await expect(any.adapter.cancel({ ...req, externalId })).resolves.toBeUndefined();
    });

    it('modify moves the hub\'s booking to new dates (exactly one booking there), and a retried modify changes nothing more', async (ctx) => {
      writes(ctx);
      // What the write-back worker does for a modified item: writeChange, then cancel the old
      // booking unless it was changed in place.
      const before = write('contract-key-3', 'contract-res-3', Date.UTC(2027, 3, 12, 10), Date.UTC(2027, 3, 12, 12));
      const after = write('contract-key-3-v1', 'contract-res-3', Date.UTC(2027, 3, 14, 10), Date.UTC(2027, 3, 15, 12));
      const { externalId: old } = await any.adapter.reserve(before);
      const change = async () => {
        const c = await writeChange(any.adapter, after, old);
        if (!c.inPlace) await any.adapter.cancel({ ...before, externalId: old });
        return c;
      };
      const first = await change();
      expect(first.inPlace).toBe('noSource' in any ? false : h.modifiesInPlace ?? false);
      if (first.inPlace) expect(first.externalId).toBe(old);
      const expectOne = async () => {
        if (!readsBack()) return;
        const found = await hubBookings('contract-res-3');
        expect(found.map((b) => [b.externalId, b.resource, b.span])).toEqual([[first.externalId, any.site.resources[0]!.id, after.span]]);
      };
      await expectOne();
      // The job retried after a lost answer: the same booking, still one.
      expect((await change()).externalId).toBe(first.externalId);
      await expectOne();
      await any.adapter.cancel({ ...after, externalId: first.externalId });
    });
  });
}
