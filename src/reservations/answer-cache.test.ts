import { describe, expect, it } from 'vitest';
import { ByteLru } from './answer-cache.js';

describe('ByteLru', () => {
  it('drops the least recently used first, counting a repeated use of the newest as a use', () => {
    // Each entry: 10 bytes + key length 1 + 64 = 75; room for three.
    const lru = new ByteLru<number>(230);
    lru.set('a', 1, 10);
    lru.set('b', 2, 10);
    lru.set('c', 3, 10);
    expect(lru.get('a')).toBe(1); // order now b, c, a
    expect(lru.get('a')).toBe(1); // the newest again: still b, c, a
    lru.set('d', 4, 10); // drops b
    expect(lru.get('b')).toBeUndefined();
    expect(lru.get('c')).toBe(3); // order a, d, c
    lru.set('e', 5, 10); // drops a
    expect(lru.get('a')).toBeUndefined();
    expect([lru.get('d'), lru.get('c'), lru.get('e')]).toEqual([4, 3, 5]);
    expect(lru.bytes).toBe(225);
  });

  it('replaces a key in place and never keeps what is larger than the whole budget', () => {
    const lru = new ByteLru<string>(200);
    lru.set('k', 'one', 10);
    lru.set('k', 'two', 20);
    expect(lru.get('k')).toBe('two');
    expect(lru.bytes).toBe(85);
    lru.set('huge', 'x', 500);
    expect(lru.get('huge')).toBeUndefined();
    expect(lru.get('k')).toBe('two');
  });
});
