import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { sign, verifySignature } from './signature.js';

const body = '{"id":"a1","event":"site.limited"}';
const now = 1_800_000_000;

describe('webhook signatures', () => {
  it('is sha256=<hex HMAC-SHA256 of "<timestamp>.<body>">', () => {
    const expected = createHmac('sha256', 'k').update(`${now}.${body}`).digest('hex');
    expect(sign('k', now, body)).toBe(`sha256=${expected}`);
  });

  it('verifies the right secret, timestamp and body only', () => {
    const header = sign('k', now, body);
    expect(verifySignature('k', String(now), body, header, { now })).toBe(true);
    expect(verifySignature('k', now, Buffer.from(body), header, { now })).toBe(true);
    expect(verifySignature('other', String(now), body, header, { now })).toBe(false);
    expect(verifySignature('k', String(now + 1), body, header, { now })).toBe(false);
    expect(verifySignature('k', String(now), `${body} `, header, { now })).toBe(false);
    expect(verifySignature('k', String(now), body, undefined, { now })).toBe(false);
    expect(verifySignature('k', undefined, body, header, { now })).toBe(false);
    expect(verifySignature('k', String(now), body, 'sha256=zz', { now })).toBe(false);
  });

  it('rejects old or future timestamps (replays) beyond the tolerance', () => {
    const header = sign('k', now, body);
    expect(verifySignature('k', String(now), body, header, { now: now + 301 })).toBe(false);
    expect(verifySignature('k', String(now), body, header, { now: now - 301 })).toBe(false);
    expect(verifySignature('k', String(now), body, header, { now: now + 3600, toleranceSeconds: 7200 })).toBe(true);
  });

  it('accepts any of several secrets and signatures (rotation)', () => {
    const fresh = sign('new', now, body);
    const previous = sign('old', now, body);
    expect(verifySignature(['new', 'old'], String(now), body, fresh, { now })).toBe(true);
    expect(verifySignature(['old'], String(now), body, [fresh, previous], { now })).toBe(true);
    expect(verifySignature(['old'], String(now), body, `${fresh}, ${previous}`, { now })).toBe(true);
    expect(verifySignature(['other', ''], String(now), body, [fresh, previous], { now })).toBe(false);
  });
});
