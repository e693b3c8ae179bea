import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PullRequest, PullResult, SourceAdapter, SourceBooking, SourceSite } from '../../src/core/adapter/port.js';
import { AdapterUnavailableError, CursorRejectedError } from '../../src/core/adapter/errors.js';

/**
 * The contract every adapter meets (STYLE habit 6), run against its real server or simulator.
 * A harness knows how to change the source behind the adapter's back.
 */
export interface ContractHarness {
  /** A site with at least one resource booked by time (`resources[0]`), on a fresh source. */
  site: SourceSite;
  adapter: SourceAdapter;
  /** Creates a busy event on `resources[0]` at the source; returns the adapter's external id for it. */
  createEvent(start: number, end: number): Promise<string>;
  /** Moves an event created by createEvent. */
  moveEvent(externalId: string, start: number, end: number): Promise<void>;
  deleteEvent(externalId: string): Promise<void>;
  /** Makes the source refuse the adapter's current cursor (an expired sync token). */
  expireCursor(): Promise<void>;
  /** The source stops answering (or answers 5xx) until `comeBack`. */
  goDown(): Promise<void>;
  comeBack(): Promise<void>;
  /** Requests the source has served so far (to prove an unchanged source costs one request). */
  requestCount(): Promise<number>;
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

const spanOf = (b: SourceBooking | undefined) => (b && b.span.by === 'time' ? [b.span.start, b.span.end] : undefined);

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
      expect(spanOf(state.get(id))).toEqual([Date.UTC(2027, 2, 10, 9), Date.UTC(2027, 2, 10, 11)]);
      expect(state.get(id)?.resource).toBe(h.site.resources[0]!.id);
    });

    it('an unchanged source answers an incremental pull with nothing new, in one request', async () => {
      const before = await h.requestCount();
      const result = await pull();
      expect(result.bookings.filter((b) => b.status !== 'cancelled')).toEqual([]);
      expect(result.removed).toEqual([]);
      expect(await h.requestCount() - before).toBe(1);
    });

    it('incremental pull sees a new event, a move and a delete', async () => {
      const added = await h.createEvent(Date.UTC(2027, 2, 12, 14), Date.UTC(2027, 2, 12, 15));
      await pull();
      expect(spanOf(state.get(added))).toEqual([Date.UTC(2027, 2, 12, 14), Date.UTC(2027, 2, 12, 15)]);
      await h.moveEvent(added, Date.UTC(2027, 2, 13, 14), Date.UTC(2027, 2, 13, 16));
      await pull();
      expect(spanOf(state.get(added))).toEqual([Date.UTC(2027, 2, 13, 14), Date.UTC(2027, 2, 13, 16)]);
      await h.deleteEvent(added);
      await pull();
      expect(state.has(added)).toBe(false);
      expect(state.size).toBe(1);
    });

    it('a rejected cursor is reported so the core can run a full resync', async () => {
      await h.expireCursor();
      await expect(h.adapter.pull(request(h, cursor))).rejects.toBeInstanceOf(CursorRejectedError);
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
  });
}

