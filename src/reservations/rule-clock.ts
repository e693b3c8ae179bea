import { HubError } from '../core/errors.js';

/** How far around the estimated instant the rule checks must hold for one round trip to do. */
const SLACK_MS = 1_000;
/** Round trips at most before giving up (each one moves to Redis' own instant). */
const ATTEMPTS = 6;

/** The instants (ms, Redis' clock) between which a set of rule checks holds; the claim script enforces it. */
export interface RuleSpan { lo: number; hi: number }

/** Rules (notice, advance) refuse with 422; nothing else does while resolving an item. */
const isRuleViolation = (err: unknown) => err instanceof HubError && err.status === 422;

function passes(resolve: (now: number) => unknown, at: number): boolean {
  return resolvedAt(resolve, at) !== NO_PASS;
}

/** What `resolve` gives at `at`, or NO_PASS when a rule refuses it there. */
const NO_PASS = Symbol('no pass');
function resolvedAt<T>(resolve: (now: number) => T, at: number): T | typeof NO_PASS {
  try {
    return resolve(at);
  } catch (err) {
    if (isRuleViolation(err)) return NO_PASS;
    throw err;
  }
}

/**
 * Checks availability rules that depend on the instant (minimum notice, maximum advance) against
 * Redis' clock without a round trip of its own: the rules are checked for a span around the
 * estimated instant (each rule holds on one interval of instants, so both ends holding means the
 * whole span does), and the claim script claims only when its own clock lies in the span. When it
 * does not, or the rules differ across the span, the script's own instant is used, exactly as a
 * check against `TIME` before the claim would: a violation then throws the same 422.
 *
 * `resolve` throws for a violation (HubError 422) at that instant; `claim` gets the resolved value
 * (null for a bare probe of the clock) and the span; `first` is true for the request's first round
 * trip (the one that counts against a rate limit).
 */
export async function claimAtRedisTime<T, R extends { kind: string }>(opts: {
  estimate: number;
  resolve: (now: number) => T;
  claim: (resolved: T | null, span: RuleSpan, first: boolean) => Promise<R | { kind: 'clock'; now: number }>;
}): Promise<{ resolved: T; result: R }> {
  let at = opts.estimate;
  let exact = false;
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    let span: RuleSpan | null = null;
    let resolved: T | null = null;
    if (!exact) {
      // Resolved at the span's start once: the claim carries that resolution.
      const lo = resolvedAt(opts.resolve, at - SLACK_MS);
      if (lo !== NO_PASS && passes(opts.resolve, at + SLACK_MS)) {
        span = { lo: at - SLACK_MS, hi: at + SLACK_MS };
        resolved = lo;
      }
    } else {
      resolved = opts.resolve(at); // throws the violation at Redis' instant
      span = { lo: at, hi: lastPassing(opts.resolve, at, at + SLACK_MS) };
    }
    // No span to offer: ask the script for its clock (it claims nothing outside an empty span).
    const reply = await opts.claim(resolved, span ?? { lo: 1, hi: 0 }, attempt === 0);
    if (reply.kind !== 'clock') {
      // A claim always carries a span; the script answers `clock` to a bare probe.
      if (resolved === null) throw new Error('hold-claim answered a clock probe with a claim');
      return { resolved, result: reply as R };
    }
    at = (reply as { now: number }).now;
    exact = true;
  }
  throw new HubError(503, 'store-unavailable', 'Store unavailable', 'the store\'s clock kept moving past the rule checks; retry');
}

/** The last instant of [from, to] at which the rules still hold, given they hold at `from`. */
function lastPassing(resolve: (now: number) => unknown, from: number, to: number): number {
  if (passes(resolve, to)) return to;
  let lo = from;
  let hi = to; // lo passes, hi fails
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (passes(resolve, mid)) lo = mid; else hi = mid;
  }
  return lo;
}
