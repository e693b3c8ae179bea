/**
 * Tiny benchmark harness. A floor and the cases compared with it run in alternating rounds
 * (floor, case 1, case 2, floor, case 1, ...), so load from other processes on a small machine
 * hits them alike and the ratios stay put even when absolute figures move.
 */

export interface Plan {
  /** Measured operations per case (summed over rounds). */
  n: number;
  concurrency: number;
  /** Operations run (and discarded) per case before measuring. */
  warmup: number;
  /** Time budget per case (summed over rounds): a case stops early rather than overrun it. */
  maxMs: number;
}

export interface Case {
  name: string;
  /** One operation; `i` is unique within the case (warm-up included), to derive ids or dates from. */
  op: (i: number) => Promise<unknown>;
}

export interface Result {
  name: string;
  /** The floor this result is compared with; absent for floors. */
  floor?: string;
  n: number;
  concurrency: number;
  medianMs: number;
  p95Ms: number;
  opsPerSec: number;
  /** Median latency divided by the floor's median latency (same concurrency, same rounds). */
  ratio?: number;
}

export const ROUNDS = 5;
/** Warm-up never takes longer than this per case. */
const WARMUP_MAX_MS = 1_500;

/** Runs `op(first + k)` for k = 0 .. count-1 with at most `concurrency` in flight. */
async function drive(op: (i: number) => Promise<unknown>, first: number, count: number, concurrency: number,
  deadline: number, latencies?: number[]): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < count && performance.now() < deadline) {
      const i = first + next++;
      const t0 = performance.now();
      await op(i);
      latencies?.push(performance.now() - t0);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
}

/** Measures `floor` and `cases` in alternating rounds; the cases' ratios are against the floor. */
export async function compare(plan: Plan, floor: Case, cases: Case[]): Promise<Result[]> {
  const all = [floor, ...cases];
  for (const c of all) {
    await drive(c.op, plan.n, plan.warmup, plan.concurrency, performance.now() + Math.min(WARMUP_MAX_MS, plan.maxMs));
  }
  const latencies = all.map(() => [] as number[]);
  const wallMs = all.map(() => 0);
  const perRound = Math.ceil(plan.n / ROUNDS);
  for (let round = 0; round < ROUNDS; round++) {
    const count = Math.min(perRound, plan.n - round * perRound);
    for (const [k, c] of all.entries()) {
      const start = performance.now();
      await drive(c.op, round * perRound, count, plan.concurrency, start + plan.maxMs / ROUNDS, latencies[k]);
      wallMs[k]! += performance.now() - start;
    }
  }
  const [base, ...rest] = all.map((c, k) => summarize(c.name, plan.concurrency, latencies[k]!, wallMs[k]!));
  return [base!, ...rest.map((r) => against(r, base!))];
}

export function summarize(name: string, concurrency: number, latencies: number[], wallMs: number): Result {
  const sorted = [...latencies].sort((a, b) => a - b);
  return {
    name, n: sorted.length, concurrency,
    medianMs: percentile(sorted, 0.5),
    p95Ms: percentile(sorted, 0.95),
    opsPerSec: sorted.length / (wallMs / 1000),
  };
}

/** Nearest-rank percentile of sorted values. */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)]!;
}

/** Marks `result` as measured against `floor` and fills in the ratio of their medians. */
export function against(result: Result, floor: Result): Result {
  return { ...result, floor: floor.name, ratio: result.medianMs / floor.medianMs };
}

/** `promise`, or a rejection naming `what` once `ms` have passed: nothing in a benchmark may hang. */
export async function within<T>(ms: number, what: string, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([promise, new Promise<never>((_, fail) => {
      timer = setTimeout(() => fail(new Error(`${what}: no answer within ${ms} ms`)), ms);
    })]);
  } finally {
    clearTimeout(timer);
  }
}
