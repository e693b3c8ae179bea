/**
 * Property tests of the availability store against the real Redis.
 *
 * The model: a small universe of three capacity ledgers (a night pool, a time unit with buffers,
 * a time pool) and a TypeScript record of every hold and reservation the history created. A
 * claim is "live" at Redis instant `t` when it belongs to a hold still `held` whose own
 * `expiresAt > t` (the scripts sweep `expiresAt <= now`), or to a reservation not cancelled. From
 * the live claims the model derives the expected ledger state: used units per night, occupied
 * spans `[start - bufferBefore, end + bufferAfter)` per time ledger.
 *
 * Expiry is judged by Redis' clock, so the model never guesses the time: a read answers the exact
 * `now` it swept at, a granted hold answers `expiresAt = now + ttl` (so its script's `now`), and
 * any other call is bracketed by `store.now()` before and after. Whether a claim fits only grows
 * with time (claims only expire), so an answer is checked against the bracket end that decides it.
 *
 * The oracle is naive on purpose and shares no code with src/domain: used units are counted night
 * by night over plain arrays, and time is cut into 500 ms cells (every generated time and buffer
 * is a multiple of 500 ms, which the oracle asserts) and the quantities covering each cell are
 * summed. A claim fits when every night or cell it needs stays within capacity with it added.
 *
 * After every command: (a) by that count, the read never shows a night or a cell over capacity;
 * (b) for a few probe requests the oracle's verdict on the read equals what the claiming script
 * answers, and so does the read path's own prediction (`nightAvailability` / `availabilityPieces`
 * from the same read: the code under test, never the judge); each probe is released at once;
 * (c) the read equals the model's live claims exactly.
 */
import fc from 'fast-check';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
// The read path under test (b); the oracle below uses none of it.
import { availabilityPieces, nightAvailability } from '../../src/domain/index.js';
import { AvailabilityStore } from '../../src/store/store.js';
import type { ClaimItem, NightRead, RawRead, ReadAsk } from '../../src/store/types.js';
import { openTestStore, TEST_REDIS_URL } from '../helpers/redis.js';

// ---------------------------------------------------------------------------------------------
// The universe and its arithmetic
// ---------------------------------------------------------------------------------------------

/** Seven nights across the spring DST change, written out rather than computed. */
const DATES = ['2027-03-26', '2027-03-27', '2027-03-28', '2027-03-29', '2027-03-30', '2027-03-31', '2027-04-01'];
/** Wide enough to hold every generated time claim with its buffers. */
const ALL_TIME: Interval = { start: -1_000_000, end: 1_000_000 };
const LONG_TTL = 60_000;

/** Half-open `[start, end)` in ms. */
interface Interval {
  start: number;
  end: number;
}

/** `quantity` units over an occupied span (buffers included). */
interface Claim extends Interval {
  quantity: number;
}

interface Ledger {
  ledger: string;
  by: 'night' | 'time';
  capacity: number;
  bufferBefore: number;
  bufferAfter: number;
}

/** Per ledger (in universe order): used units per date of DATES, or occupied spans. */
type Use = { by: 'night'; used: number[] } | { by: 'time'; spans: Claim[] };

/** What a generated item asks for; `ledger` indexes the universe. */
interface ItemSpec {
  ledger: number;
  quantity: number;
  first: number;
  nights: number;
  start: number;
  duration: number;
  writeback: boolean;
  /** Places a time item next to an earlier claim instead of at `start`. */
  anchor?: Anchor | null;
}

/**
 * A time item placed against an earlier claim of its ledger: its occupied span starting exactly
 * where the claim's ends, ending exactly where it starts, on the same times, or around it.
 */
interface Anchor {
  pick: number;
  where: 'after' | 'before' | 'same' | 'around';
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** `claimed`: earlier claims an anchored item may be placed against. */
function toItem(universe: Ledger[], spec: ItemSpec, claimed: readonly ClaimItem[] = []): ClaimItem {
  const l = universe[spec.ledger]!;
  const base = {
    ledger: l.ledger, by: l.by, quantity: spec.quantity, capacity: l.capacity,
    bufferBefore: l.bufferBefore, bufferAfter: l.bufferAfter,
    site: 'site', resource: l.ledger, writeback: spec.writeback,
  };
  if (l.by === 'night') {
    return { ...base, nights: DATES.slice(spec.first, Math.min(spec.first + spec.nights, DATES.length)) };
  }
  const others = claimed.filter((c) => c.ledger === l.ledger);
  const other = spec.anchor ? others[spec.anchor.pick % Math.max(1, others.length)] : undefined;
  if (!spec.anchor || !other) return { ...base, start: spec.start, end: spec.start + spec.duration };
  const gap = l.bufferAfter + l.bufferBefore; // between one claim's end and the next one's start
  switch (spec.anchor.where) {
    case 'after': return { ...base, start: other.end! + gap, end: other.end! + gap + spec.duration };
    case 'before': return { ...base, start: other.start! - gap - spec.duration, end: other.start! - gap };
    case 'same': return { ...base, start: other.start!, end: other.end! };
    case 'around': return { ...base, start: other.start! - 1000, end: other.end! + 1000 };
  }
}

function ledgerIndex(universe: Ledger[], item: ClaimItem): number {
  return universe.findIndex((l) => l.ledger === item.ledger);
}

function occupied(item: ClaimItem): Interval {
  return { start: item.start! - item.bufferBefore, end: item.end! + item.bufferAfter };
}

function emptyUse(universe: Ledger[]): Use[] {
  return universe.map((l): Use => (l.by === 'night'
    ? { by: 'night', used: DATES.map(() => 0) }
    : { by: 'time', spans: [] }));
}

function cloneUse(uses: Use[]): Use[] {
  return uses.map((u): Use => (u.by === 'night'
    ? { by: 'night', used: [...u.used] }
    : { by: 'time', spans: u.spans.map((s) => ({ ...s })) }));
}

function addItem(universe: Ledger[], uses: Use[], item: ClaimItem, sign = 1): void {
  const use = uses[ledgerIndex(universe, item)]!;
  if (use.by === 'night') {
    for (const d of item.nights!) use.used[DATES.indexOf(d)]! += sign * item.quantity;
    return;
  }
  const span = { ...occupied(item), quantity: item.quantity };
  if (sign > 0) {
    use.spans.push(span);
  } else {
    const at = use.spans.findIndex((s) => s.start === span.start && s.end === span.end && s.quantity === span.quantity);
    expect(at, 'a span to remove').toBeGreaterThanOrEqual(0);
    use.spans.splice(at, 1);
  }
}

function useOf(universe: Ledger[], items: ClaimItem[]): Use[] {
  const uses = emptyUse(universe);
  for (const it of items) addItem(universe, uses, it);
  return uses;
}

/** Sorted, so two uses compare with toEqual whatever order their spans came in. */
function normalized(uses: Use[]): Use[] {
  return uses.map((u): Use => (u.by === 'night' ? u : {
    by: 'time',
    spans: [...u.spans].sort((a, b) => a.start - b.start || a.end - b.end || a.quantity - b.quantity),
  }));
}

// ---------------------------------------------------------------------------------------------
// The oracle: naive counting, night by night and cell by cell
// ---------------------------------------------------------------------------------------------

/** Every generated time, length and buffer is a multiple of this, so use is constant per cell. */
const CELL = 500;

/** The start of every cell in `[from, to)`; refuses a bound off the grid (the count would be wrong). */
function cellsOf(from: number, to: number): number[] {
  if (from % CELL !== 0 || to % CELL !== 0) throw new Error(`[${from}, ${to}) is not on the ${CELL} ms grid`);
  const cells: number[] = [];
  for (let t = from; t < to; t += CELL) cells.push(t);
  return cells;
}

/** Units in use during the cell starting at `t`: the sum over the spans that cover it. */
function unitsAt(spans: readonly Claim[], t: number): number {
  let units = 0;
  for (const s of spans) if (s.start <= t && t < s.end) units += s.quantity;
  return units;
}

/** The most units in use in any one cell, over every cell any span touches. */
function peakUnits(spans: readonly Claim[]): number {
  let peak = 0;
  for (const s of spans) for (const t of cellsOf(s.start, s.end)) peak = Math.max(peak, unitsAt(spans, t));
  return peak;
}

/** The oracle for one item: every night / cell it needs still has room for its `quantity`. */
function fitsOne(capacity: number, use: Use, item: ClaimItem, dates: readonly string[] = DATES): boolean {
  if (use.by === 'night') {
    return item.nights!.every((d) => (use.used[dates.indexOf(d)] ?? 0) + item.quantity <= capacity);
  }
  const occ = occupied(item);
  return cellsOf(occ.start, occ.end).every((t) => unitsAt(use.spans, t) + item.quantity <= capacity);
}

/** The read path's own answer for one item (the code under test, from src/domain). */
function readPathFits(capacity: number, use: Use, item: ClaimItem, dates: readonly string[]): boolean {
  if (use.by === 'night') {
    return item.nights!.every((d) => nightAvailability(capacity, use.used[dates.indexOf(d)] ?? 0) >= item.quantity);
  }
  return availabilityPieces(occupied(item), capacity, use.spans, []).every((p) => p.available >= item.quantity);
}

/** Whether all items fit together on top of `base` (earlier items of one hold count for later ones). */
function fitsAll(universe: Ledger[], base: Use[], items: ClaimItem[]): boolean {
  const uses = cloneUse(base);
  for (const it of items) {
    if (!fitsOne(it.capacity, uses[ledgerIndex(universe, it)]!, it)) return false;
    addItem(universe, uses, it);
  }
  return true;
}

function wideAsks(universe: Ledger[]): ReadAsk[] {
  return universe.map((l): ReadAsk => (l.by === 'night'
    ? { ledger: l.ledger, by: 'night', dates: DATES }
    : { ledger: l.ledger, by: 'time', from: ALL_TIME.start, to: ALL_TIME.end, bufferBefore: l.bufferBefore, bufferAfter: l.bufferAfter }));
}

function useFromRead(universe: Ledger[], ledgers: RawRead['ledgers']): Use[] {
  return universe.map((l, i): Use => (l.by === 'night'
    ? { by: 'night', used: (ledgers[i] as NightRead).used }
    : { by: 'time', spans: (ledgers[i] as Array<[number, number, number]>).map(([start, end, quantity]) => ({ start, end, quantity })) }));
}

async function readUse(store: AvailabilityStore, universe: Ledger[]): Promise<{ now: number; use: Use[] }> {
  const raw = await store.read(wideAsks(universe), []);
  return { now: raw.now, use: normalized(useFromRead(universe, raw.ledgers)) };
}

/** (a): no night and no cell of any ledger is over capacity (by the oracle's count). */
function expectWithinCapacity(universe: Ledger[], uses: Use[]): void {
  universe.forEach((l, i) => {
    const use = uses[i]!;
    if (use.by === 'night') {
      for (const used of use.used) expect(used).toBeLessThanOrEqual(l.capacity);
    } else {
      expect(peakUnits(use.spans)).toBeLessThanOrEqual(l.capacity);
    }
  });
}

// ---------------------------------------------------------------------------------------------
// Generators
// ---------------------------------------------------------------------------------------------

/** Often none, so that claims' occupied spans touch exactly as often as their times do. */
const bufferArb = fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 3 }).map((k) => k * 1000));

const universeArb: fc.Arbitrary<Ledger[]> = fc.record({
  nightCap: fc.integer({ min: 1, max: 4 }),
  unitBefore: bufferArb,
  unitAfter: bufferArb,
  poolCap: fc.integer({ min: 2, max: 3 }),
  poolBefore: bufferArb,
  poolAfter: bufferArb,
}).map((u) => [
  { ledger: 'rooms', by: 'night', capacity: u.nightCap, bufferBefore: 0, bufferAfter: 0 },
  { ledger: 'court', by: 'time', capacity: 1, bufferBefore: u.unitBefore, bufferAfter: u.unitAfter },
  { ledger: 'lanes', by: 'time', capacity: u.poolCap, bufferBefore: u.poolBefore, bufferAfter: u.poolAfter },
]);

/**
 * Times in 0..60 000 (ms): either on a 1 s grid, or on 5 s anchors with 5 s / 10 s lengths, so
 * that overlaps and exact touches (half-open spans that meet but do not overlap) are common.
 */
const itemArb: fc.Arbitrary<ItemSpec> = fc.record({
  ledger: fc.integer({ min: 0, max: 2 }),
  quantity: fc.integer({ min: 1, max: 2 }),
  first: fc.integer({ min: 0, max: DATES.length - 1 }),
  nights: fc.integer({ min: 1, max: 3 }),
  start: fc.oneof(fc.integer({ min: 0, max: 12 }).map((k) => k * 5000), fc.integer({ min: 0, max: 60 }).map((k) => k * 1000)),
  duration: fc.oneof(fc.constantFrom(5000, 10_000), fc.integer({ min: 1, max: 15 }).map((k) => k * 1000)),
  writeback: fc.boolean(),
  anchor: fc.option(fc.record({
    pick: fc.nat(),
    where: fc.constantFrom('after' as const, 'before' as const, 'same' as const, 'around' as const),
  }), { nil: null, freq: 2 }),
});

const itemsArb = fc.array(itemArb, { minLength: 1, maxLength: 2 });

/** Which hold or reservation a command acts on, counted back from the newest: mostly a recent one. */
const pickArb = fc.oneof(fc.nat({ max: 2 }), fc.nat());

type Command =
  | { kind: 'hold'; items: ItemSpec[]; ttl: number }
  | { kind: 'confirm' | 'release' | 'cancel'; pick: number }
  | { kind: 'sleep'; ms: number }
  /** Waits until the newest short hold is past its deadline, so the next command meets it due. */
  | { kind: 'lapse' };

const commandArb: fc.Arbitrary<Command> = fc.oneof(
  { weight: 5, arbitrary: fc.record({
    kind: fc.constant('hold' as const),
    items: itemsArb,
    ttl: fc.oneof(fc.constant(LONG_TTL), fc.integer({ min: 50, max: 150 })),
  }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('confirm' as const), pick: pickArb }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('release' as const), pick: pickArb }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('cancel' as const), pick: pickArb }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('sleep' as const), ms: fc.integer({ min: 5, max: 200 }) }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'lapse' as const }) },
);

const stepArb = fc.record({
  command: commandArb,
  /**
   * Whether to check after the command (never after a sleep or lapse): a read sweeps what is
   * due, and a command must sometimes be the first call to meet a hold past its deadline.
   */
  check: fc.boolean(),
  /** Requests whose read-path prediction is compared with the script's answer. */
  probes: fc.array(itemsArb, { minLength: 2, maxLength: 3 }),
});

// ---------------------------------------------------------------------------------------------
// The model
// ---------------------------------------------------------------------------------------------

interface ModelHold {
  id: string;
  items: ClaimItem[];
  ttl: number;
  expiresAt: number;
  /** `expired` only once the store is known to have swept it. */
  status: 'held' | 'released' | 'confirmed' | 'expired';
  reservationId?: string;
}

interface ModelReservation {
  id: string;
  items: ClaimItem[];
  token: string;
  status: 'confirmed' | 'pending' | 'cancelled';
}

class Model {
  readonly holds: ModelHold[] = [];
  readonly reservations: ModelReservation[] = [];

  constructor(readonly universe: Ledger[]) {}

  /** The claims live at Redis instant `t`. */
  liveAt(t: number): ClaimItem[] {
    return [
      ...this.holds.filter((h) => h.status === 'held' && h.expiresAt > t).flatMap((h) => h.items),
      ...this.reservations.filter((r) => r.status !== 'cancelled').flatMap((r) => r.items),
    ];
  }

  useAt(t: number): Use[] {
    return normalized(useOf(this.universe, this.liveAt(t)));
  }

  /** Held holds whose deadline falls in `(from, to]`: their state depends on when exactly a script ran. */
  expiringIn(from: number, to: number): ModelHold[] {
    return this.holds.filter((h) => h.status === 'held' && h.expiresAt > from && h.expiresAt <= to);
  }
}

// ---------------------------------------------------------------------------------------------
// Running a history
// ---------------------------------------------------------------------------------------------

function newest<T>(list: T[], pick: number): T | undefined {
  return list.length === 0 ? undefined : list[list.length - 1 - (pick % list.length)];
}

class History {
  private seq = 0;
  readonly model: Model;

  constructor(private readonly store: AvailabilityStore, readonly universe: Ledger[]) {
    this.model = new Model(universe);
  }

  async run(command: Command): Promise<void> {
    switch (command.kind) {
      case 'hold': return this.hold(command.items.map((s) => toItem(this.universe, s, this.claimed())), command.ttl);
      case 'confirm': return this.confirm(command.pick);
      case 'release': return this.release(command.pick);
      case 'cancel': return this.cancel(command.pick);
      case 'sleep': return sleep(command.ms);
      case 'lapse': return this.lapse();
    }
  }

  /** Every item a hold was ever granted: what anchored items are placed against. */
  private claimed(): ClaimItem[] {
    return this.model.holds.flatMap((h) => h.items);
  }

  private async lapse(): Promise<void> {
    const short = this.model.holds.filter((h) => h.status === 'held' && h.ttl < LONG_TTL).at(-1);
    if (!short) return;
    const now = await this.store.now(); // TIME only: no script, so nothing is swept
    if (short.expiresAt >= now) await sleep(short.expiresAt - now + 1);
  }

  private async hold(items: ClaimItem[], ttl: number): Promise<void> {
    const id = `h${++this.seq}`;
    const before = await this.store.now();
    const r = await this.store.claimHold({ holdId: id, ttlMs: ttl, items });
    const after = await this.store.now();
    if (r.kind === 'ok') {
      const scriptNow = r.expiresAt - ttl;
      expect(scriptNow).toBeGreaterThanOrEqual(before);
      expect(scriptNow).toBeLessThanOrEqual(after);
      expect(fitsAll(this.universe, this.model.useAt(scriptNow), items), 'the script granted a hold that does not fit').toBe(true);
      this.model.holds.push({ id, items, ttl, expiresAt: r.expiresAt, status: 'held' });
    } else {
      expect(r.kind).toBe('unavailable');
      // Refused at some instant >= before, when no more claims were live than at `before`.
      expect(fitsAll(this.universe, this.model.useAt(before), items), 'the script refused a hold that fits').toBe(false);
    }
  }

  private async confirm(pick: number): Promise<void> {
    const n = ++this.seq;
    const h = newest(this.model.holds, pick);
    if (!h) {
      expect(await this.store.confirmHold('nohold', `r${n}`, `t${n}`)).toEqual({ kind: 'missing' });
      return;
    }
    const before = await this.store.now();
    const r = await this.store.confirmHold(h.id, `r${n}`, `t${n}`);
    const after = await this.store.now();
    switch (h.status) {
      case 'released': expect(r).toEqual({ kind: 'released' }); return;
      case 'expired': expect(r).toEqual({ kind: 'expired' }); return;
      case 'confirmed': {
        const resv = this.model.reservations.find((x) => x.id === h.reservationId)!;
        expect(r).toEqual({ kind: 'already', reservationId: resv.id, status: resv.status, token: resv.token });
        return;
      }
      case 'held':
        if (h.expiresAt > after) expect(r.kind).toBe('ok');
        if (h.expiresAt <= before) expect(r.kind).toBe('expired');
        if (r.kind === 'expired') {
          h.status = 'expired';
          return;
        }
        {
          const status = h.items.some((it) => it.writeback) ? 'pending' : 'confirmed';
          expect(r).toEqual({ kind: 'ok', reservationId: `r${n}`, status, token: `t${n}` });
          h.status = 'confirmed';
          h.reservationId = `r${n}`;
          this.model.reservations.push({ id: `r${n}`, items: h.items, token: `t${n}`, status });
        }
    }
  }

  private async release(pick: number): Promise<void> {
    const h = newest(this.model.holds, pick);
    if (!h) {
      expect(await this.store.releaseHold('nohold')).toBe('missing');
      return;
    }
    const before = await this.store.now();
    const r = await this.store.releaseHold(h.id);
    const after = await this.store.now();
    if (h.status !== 'held') {
      expect(r).toBe(h.status);
      return;
    }
    if (h.expiresAt > after) expect(r).toBe('ok');
    if (h.expiresAt <= before) expect(r).toBe('expired');
    expect(['ok', 'expired']).toContain(r);
    h.status = r === 'ok' ? 'released' : 'expired';
  }

  private async cancel(pick: number): Promise<void> {
    const resv = newest(this.model.reservations, pick);
    if (!resv) {
      expect(await this.store.cancelReservation('noresv', 'test')).toEqual({ kind: 'missing' });
      return;
    }
    const r = await this.store.cancelReservation(resv.id, 'test');
    if (resv.status === 'cancelled') {
      expect(r).toEqual({ kind: 'already' });
    } else {
      expect(r).toEqual({ kind: 'ok', previous: resv.status });
      resv.status = 'cancelled';
    }
  }

  /**
   * Checks (a), (b) and (c) at one quiet moment: no model hold may expire between the read and
   * the last probe, else the read and the script would rightly see different states. Holds about
   * to expire are waited out; a slow probe round (the machine paused) is simply done again, as
   * probes leave no trace.
   */
  async check(probes: ItemSpec[][]): Promise<void> {
    const SETTLE_MS = 60;
    const universe = this.universe;
    const probeItems = probes.map((p) => p.map((s) => toItem(universe, s, this.claimed())));
    // One read: the wide asks, then one ask per probe item, windowed to exactly what it needs.
    const asks = [...wideAsks(universe), ...probeItems.flat().map((it): ReadAsk => (it.by === 'night'
      ? { ledger: it.ledger, by: 'night', dates: it.nights! }
      : {
        ledger: it.ledger, by: 'time', from: occupied(it).start, to: occupied(it).end,
        bufferBefore: it.bufferBefore, bufferAfter: it.bufferAfter,
      }))];

    for (let attempt = 0; attempt < 10; attempt++) {
      const raw = await this.store.read(asks, []);
      const soon = this.model.expiringIn(raw.now, raw.now + SETTLE_MS);
      if (soon.length > 0) {
        await sleep(Math.max(...soon.map((h) => h.expiresAt)) - raw.now + 2);
        continue;
      }
      // The read swept every hold due by raw.now.
      for (const h of this.model.holds) {
        if (h.status === 'held' && h.expiresAt <= raw.now) {
          h.status = 'expired';
          expect((await this.store.getHold(h.id))?.status).toBe('expired');
        }
      }

      const wide = normalized(useFromRead(universe, raw.ledgers.slice(0, universe.length)));
      expectWithinCapacity(universe, wide); // (a)
      expect(wide, 'the store agrees with the model').toEqual(this.model.useAt(raw.now)); // (c)

      // (b): judge every probe from the read alone (oracle and read path), then ask the script.
      let ask = universe.length;
      const verdicts = probeItems.map((items) => {
        const pending = emptyUse(universe);
        let fits = true;
        let readPath = true;
        for (const it of items) {
          const i = ledgerIndex(universe, it);
          const answer = raw.ledgers[ask++]!;
          const wideUse = wide[i]!;
          const own = pending[i]!;
          let use: Use;
          if (wideUse.by === 'night' && own.by === 'night') {
            // The windowed answer is the wide one at the item's dates.
            expect((answer as NightRead).used).toEqual(it.nights!.map((d) => wideUse.used[DATES.indexOf(d)]));
            use = { by: 'night', used: (answer as NightRead).used.map((u, k) => u + own.used[DATES.indexOf(it.nights![k]!)]!) };
            fits &&= fitsOne(it.capacity, use, it, it.nights);
            readPath &&= readPathFits(it.capacity, use, it, it.nights!);
          } else if (wideUse.by === 'time' && own.by === 'time') {
            const spans = (answer as Array<[number, number, number]>).map(([start, end, quantity]) => ({ start, end, quantity }));
            // The windowed answer is exactly the wide spans that meet the window.
            const occ = occupied(it);
            expect(normalized([{ by: 'time', spans }])).toEqual(normalized([{ by: 'time', spans: wideUse.spans.filter((s) => s.start < occ.end && s.end > occ.start) }]));
            use = { by: 'time', spans: [...spans, ...own.spans] };
            fits &&= fitsOne(it.capacity, use, it);
            readPath &&= readPathFits(it.capacity, use, it, DATES);
          }
          addItem(universe, pending, it);
        }
        return { fits, readPath };
      });

      const answers: boolean[] = [];
      for (const items of probeItems) {
        const id = `p${++this.seq}`;
        const r = await this.store.claimHold({ holdId: id, ttlMs: LONG_TTL, items });
        expect(['ok', 'unavailable']).toContain(r.kind);
        answers.push(r.kind === 'ok');
        if (r.kind === 'ok') expect(await this.store.releaseHold(id)).toBe('ok');
      }
      const end = await this.store.now();
      if (this.model.expiringIn(raw.now, end).length > 0) continue;

      const probes = JSON.stringify(probeItems);
      expect(answers, `the script and the naive count disagree on probes ${probes}`).toEqual(verdicts.map((v) => v.fits));
      expect(verdicts.map((v) => v.readPath), `the read path and the script disagree on probes ${probes}`).toEqual(answers);
      return;
    }
    throw new Error('found no quiet moment to compare the read path with the script');
  }
}

// ---------------------------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------------------------

describe('availability store properties (real Redis)', () => {
  it('random histories never exceed capacity, match the model, and reads agree with the script', async () => {
    await fc.assert(fc.asyncProperty(
      universeArb, fc.array(stepArb, { minLength: 5, maxLength: 30, size: 'max' }),
      async (universe, steps) => {
        const t = await openTestStore();
        try {
          const history = new History(t.store, universe);
          for (const [i, step] of steps.entries()) {
            await history.run(step.command);
            const waited = step.command.kind === 'sleep' || step.command.kind === 'lapse';
            if ((step.check && !waited) || i === steps.length - 1) await history.check(step.probes);
          }
        } finally {
          await t.cleanup();
        }
      },
    ), { numRuns: 60 });
  }, 120_000);

  it('a confirmed then cancelled hold, or an expired one, gives back exactly its capacity', async () => {
    await fc.assert(fc.asyncProperty(
      universeArb, itemsArb, fc.array(itemsArb, { maxLength: 6 }), fc.constantFrom('cancel', 'expire-read', 'expire-claim'),
      fc.integer({ min: 60, max: 150 }),
      async (universe, targetSpecs, backgroundSpecs, mode, shortTtl) => {
        const t = await openTestStore();
        const { store } = t;
        try {
          // At most the ledger's capacity, so that most targets fit an empty store.
          const target = targetSpecs.map((s) => toItem(universe, { ...s, quantity: Math.min(s.quantity, universe[s.ledger]!.capacity) }));
          const ttl = mode === 'cancel' ? LONG_TTL : shortTtl;
          const held = await store.claimHold({ holdId: 'target', ttlMs: ttl, items: target });
          if (held.kind !== 'ok') {
            // Only a request that cannot fit even an empty store is refused.
            expect(fitsAll(universe, emptyUse(universe), target)).toBe(false);
            return;
          }
          for (const [i, specs] of backgroundSpecs.entries()) {
            await store.claimHold({ holdId: `bg${i}`, ttlMs: LONG_TTL, items: specs.map((s) => toItem(universe, s, target)) });
          }
          const withTarget = await readUse(store, universe);
          // A machine that stalled past the short deadline already: nothing to compare, skip the run.
          fc.pre(withTarget.now < held.expiresAt);
          expectWithinCapacity(universe, withTarget.use);
          const without = cloneUse(withTarget.use);
          for (const it of target) addItem(universe, without, it, -1);

          if (mode === 'cancel') {
            const c = await store.confirmHold('target', 'r1', 'tok');
            expect(c.kind).toBe('ok');
            expect((await readUse(store, universe)).use).toEqual(withTarget.use);
            expect((await store.cancelReservation('r1', 'test')).kind).toBe('ok');
            expect((await readUse(store, universe)).use).toEqual(normalized(without));
          } else {
            // Not one call to the store until the hold's deadline has passed on Redis' clock.
            await sleep(held.expiresAt - withTarget.now + 5);
            if (mode === 'expire-read') {
              expect((await readUse(store, universe)).use).toEqual(normalized(without));
            }
          }
          // What the target held is free again: the same request fits on top of the rest.
          expect((await store.claimHold({ holdId: 'again', ttlMs: LONG_TTL, items: target })).kind).toBe('ok');
          expect((await readUse(store, universe)).use).toEqual(withTarget.use);
          if (mode !== 'cancel') expect((await store.getHold('target'))?.status).toBe('expired');
        } finally {
          await t.cleanup();
        }
      },
    ), { numRuns: 50 });
  }, 120_000);

  it('simultaneous claims over several connections never oversell and refuse only what cannot fit', async () => {
    const requestArb = fc.record({
      first: fc.integer({ min: 0, max: 2 }),
      nights: fc.integer({ min: 1, max: 3 }),
      start: fc.integer({ min: 0, max: 20 }).map((k) => k * 500),
      duration: fc.integer({ min: 1, max: 10 }).map((k) => k * 500),
      quantity: fc.integer({ min: 1, max: 3 }),
    });
    await fc.assert(fc.asyncProperty(
      fc.constantFrom('night' as const, 'time' as const),
      fc.integer({ min: 2, max: 8 }),
      fc.integer({ min: 0, max: 2 }).map((k) => k * 500),
      fc.boolean(),
      fc.array(requestArb, { minLength: 30, maxLength: 60 }),
      async (by, capacity, buffer, sameSlot, requests) => {
        const t = await openTestStore();
        const extra = [new Redis(TEST_REDIS_URL), new Redis(TEST_REDIS_URL)];
        try {
          const stores = [t.store, ...extra.map((r) => new AvailabilityStore(r, t.prefix, 'test'))];
          const universe: Ledger[] = [{ ledger: 'busy', by, capacity, bufferBefore: buffer, bufferAfter: buffer }];
          // With sameSlot every request asks for the first one's nights / times.
          const items = requests.map((r) => toItem(universe, {
            ...(sameSlot ? requests[0]! : r), ledger: 0, writeback: false, quantity: r.quantity,
          }));
          const results = await Promise.all(items.map((it, i) =>
            stores[i % stores.length]!.claimHold({ holdId: `c${i}`, ttlMs: LONG_TTL, items: [it] })));

          const accepted = items.filter((_, i) => results[i]!.kind === 'ok');
          const rejected = items.filter((_, i) => results[i]!.kind !== 'ok');
          for (const r of results) expect(['ok', 'unavailable']).toContain(r.kind);

          const final = await readUse(t.store, universe);
          expect(final.use).toEqual(normalized(useOf(universe, accepted)));
          expectWithinCapacity(universe, final.use);
          if (sameSlot) {
            expect(accepted.reduce((n, it) => n + it.quantity, 0)).toBeLessThanOrEqual(capacity);
          }
          // Claims only grew during the burst, so whatever was refused cannot fit at the end either.
          for (const it of rejected) expect(fitsOne(capacity, final.use[0]!, it)).toBe(false);
        } finally {
          for (const r of extra) r.disconnect();
          await t.cleanup();
        }
      },
    ), { numRuns: 40 });
  }, 60_000);
});

describe('regressions found by these properties', () => {
  it('refuses a time claim whose buffer alone meets an existing claim, in either order', async () => {
    const t = await openTestStore();
    try {
      const unit = (id: string, start: number, end: number) => t.store.claimHold({
        holdId: id, ttlMs: LONG_TTL,
        items: [{
          ledger: 'u', by: 'time', quantity: 1, capacity: 1, start, end, bufferBefore: 0, bufferAfter: 500,
          site: 's', resource: 'u', writeback: false,
        }],
      });
      expect((await unit('a', 1000, 2000)).kind).toBe('ok');
      // Occupies [0, 1500): its after-buffer runs into a's [1000, 2500).
      expect((await unit('b', 0, 1000)).kind).toBe('unavailable');
      // Occupies [0, 1000): touches a without overlapping.
      expect((await unit('c', 0, 500)).kind).toBe('ok');
    } finally {
      await t.cleanup();
    }
  });
});
