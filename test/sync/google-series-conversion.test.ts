import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGoogleAdapter, googleAdapter } from '../../adapters/google/index.js';
import { startGoogleSimulator, type GoogleSimulator } from '../../adapters/google/simulator/index.js';
import type { PullResult, SourceAdapter, SourceBooking, SourceSite } from '../../src/core/adapter/port.js';

/**
 * A single Google event made recurring comes back in a sync answer as its instances only: nothing
 * says the single event `<id>` is gone. The adapter must remove it itself, or the hub keeps a
 * phantom busy slot until the next full resync (found by test/sync/calendars.test.ts). Both
 * directions, twice, applied the way the core applies pulls.
 */

const NY = 'America/New_York';
const CAL = 'flip@group.calendar.google.com';
const site: SourceSite = {
  id: 'studio', timezone: NY,
  resources: [{ id: 'instructor', kind: 'unit', bookedBy: 'time', capacity: 1, mapping: { calendarId: CAL } }],
};

let sim: GoogleSimulator;
let adapter: SourceAdapter;

function apply(state: Map<string, SourceBooking>, result: PullResult): string[] {
  if (result.mode === 'full') state.clear();
  for (const id of result.removed) state.delete(id);
  for (const b of result.bookings) {
    if (b.status === 'cancelled' || !b.busy) state.delete(b.externalId);
    else state.set(b.externalId, b);
  }
  return [...state.keys()].map((id) => id.slice(CAL.length + 1)).sort();
}

const pull = (cursor: string | null) => adapter.pull({
  site, window: { start: Date.UTC(2027, 1, 1), end: Date.UTC(2027, 5, 1) }, cursor,
  signal: new AbortController().signal, throttle: async () => undefined,
});

beforeAll(async () => {
  sim = await startGoogleSimulator();
  sim.createCalendar(CAL, { timeZone: NY });
  const credentials = sim.createOAuthClient();
  adapter = createGoogleAdapter({
    siteId: 'studio', timezone: NY, log: { warn() {}, info() {} },
    settings: googleAdapter.settings.parse({ baseUrl: sim.url, credentials }),
  });
});
afterAll(async () => {
  await adapter?.close();
  await sim?.stop();
});

describe('google: an event made recurring, and back', () => {
  it('replaces the single event by its instances and the instances by the single event, in deltas', async () => {
    const state = new Map<string, SourceBooking>();
    const single = { start: { dateTime: '2027-03-10T10:00:00', timeZone: NY }, end: { dateTime: '2027-03-10T11:00:00', timeZone: NY } };
    const weekly = {
      start: { dateTime: '2027-03-07T09:00:00', timeZone: NY }, end: { dateTime: '2027-03-07T10:00:00', timeZone: NY },
      recurrence: ['RRULE:FREQ=WEEKLY;COUNT=3'],
    };
    const id = sim.insertEvent(CAL, { id: 'flip00001', summary: 'Class', ...single }).id;
    let r = await pull(null);
    expect(apply(state, r)).toEqual([id]);

    sim.patchEvent(CAL, id, weekly);
    r = await pull(r.cursor);
    expect(r.mode).toBe('delta');
    expect(r.removed).toContain(`${CAL}/${id}`);
    const instances = [`${id}_20270307T140000Z`, `${id}_20270314T130000Z`, `${id}_20270321T130000Z`];
    expect(apply(state, r)).toEqual(instances);

    // Back to a single event: its instances go (the source reports them cancelled).
    sim.patchEvent(CAL, id, { ...single, recurrence: null });
    r = await pull(r.cursor);
    expect(apply(state, r)).toEqual([id]);

    // And recurring again: the single event goes again.
    sim.patchEvent(CAL, id, weekly);
    r = await pull(r.cursor);
    expect(r.removed).toContain(`${CAL}/${id}`);
    expect(apply(state, r)).toEqual(instances);

    // A change to one instance of a known series removes nothing else.
    sim.deleteEvent(CAL, instances[1]!);
    r = await pull(r.cursor);
    expect(r.removed).toEqual([`${CAL}/${instances[1]}`]);
    expect(apply(state, r)).toEqual([instances[0], instances[2]]);

    // An unchanged calendar: nothing removed, nothing added.
    r = await pull(r.cursor);
    expect(r).toMatchObject({ mode: 'delta', bookings: [], removed: [] });
  });
});
