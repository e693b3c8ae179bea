import { describe, expect, it } from 'vitest';
import { randomToken } from './random-bytes.js';

describe('randomToken', () => {
  it('hands out base64url tokens of n bytes, never the same twice, across pool refills', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 5_000; i++) {
      const t = randomToken(18);
      expect(t).toMatch(/^[A-Za-z0-9_-]{24}$/);
      seen.add(t);
    }
    expect(seen.size).toBe(5_000);
    expect(Buffer.from(randomToken(5000), 'base64url')).toHaveLength(5000);
  });

  it('is not a fixed pattern: the bytes spread over all values', () => {
    const counts = new Array<number>(256).fill(0);
    for (let i = 0; i < 2_000; i++) for (const b of Buffer.from(randomToken(24), 'base64url')) counts[b]!++;
    // 48,000 bytes: about 187 per value; a broken source (zeros, a repeated block) fails this.
    expect(Math.min(...counts)).toBeGreaterThan(100);
    expect(Math.max(...counts)).toBeLessThan(300);
  });
});
