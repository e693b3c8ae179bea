import { describe, expect, it } from 'vitest';
import { HubError } from '../core/errors.js';
import { claimAtRedisTime, type RuleSpan } from './rule-clock.js';

/** A rule that holds until `deadline` (a minimum notice: the start must be at least so far ahead). */
const until = (deadline: number) => (now: number) => {
  if (now > deadline) throw new HubError(422, 'min-notice', 'Outside the availability rules', `too late at ${now}`);
  return 'items';
};

/** A claim script whose clock reads `redisNow`: it claims only inside the span it is given. */
function script(redisNow: number) {
  const calls: Array<{ span: RuleSpan; first: boolean; items: string | null }> = [];
  const claim = async (items: string | null, span: RuleSpan, first: boolean) => {
    calls.push({ span, first, items });
    return redisNow >= span.lo && redisNow <= span.hi ? { kind: 'ok' as const } : { kind: 'clock' as const, now: redisNow };
  };
  return { calls, claim };
}

describe('claimAtRedisTime', () => {
  it('claims in one round trip when the rules hold around the estimate', async () => {
    const s = script(10_000);
    const r = await claimAtRedisTime({ estimate: 10_050, resolve: until(1e9), claim: s.claim });
    expect(r).toEqual({ resolved: 'items', result: { kind: 'ok' } });
    expect(s.calls).toEqual([{ span: { lo: 9_050, hi: 11_050 }, first: true, items: 'items' }]);
  });

  it('moves to Redis\' own instant when the estimate is off, counting the rate limit once', async () => {
    const s = script(60_000);
    const r = await claimAtRedisTime({ estimate: 10_000, resolve: until(1e9), claim: s.claim });
    expect(r.result).toEqual({ kind: 'ok' });
    expect(s.calls.map((c) => c.first)).toEqual([true, false]);
    expect(s.calls[1]!.span.lo).toBe(60_000);
  });

  it('refuses exactly at Redis\' instant: a rule that still held at the estimate fails there', async () => {
    const s = script(20_000);
    await expect(claimAtRedisTime({ estimate: 19_990, resolve: until(19_995), claim: s.claim }))
      .rejects.toMatchObject({ status: 422, message: 'too late at 20000' });
    // The rules differ across the slack: a bare probe of the clock, no claim.
    expect(s.calls).toEqual([{ span: { lo: 1, hi: 0 }, first: true, items: null }]);
  });

  it('claims right up to the boundary, and offers no instant past it', async () => {
    const s = script(19_990);
    const r = await claimAtRedisTime({ estimate: 19_990, resolve: until(19_995), claim: s.claim });
    expect(r.result).toEqual({ kind: 'ok' });
    expect(s.calls[1]!.span).toEqual({ lo: 19_990, hi: 19_995 });
  });

  it('lets errors that do not depend on the instant through at once', async () => {
    const s = script(0);
    const resolve = () => { throw new HubError(404, 'not-found', 'Not found', 'no such site'); };
    await expect(claimAtRedisTime({ estimate: 0, resolve, claim: s.claim })).rejects.toMatchObject({ status: 404 });
    expect(s.calls).toHaveLength(0);
  });
});
