import { describe, expect, it } from 'vitest';

import { formatDuration, parseDuration, tryParseDuration } from './duration.js';

describe('parseDuration', () => {
  it.each([
    ['500ms', 500],
    ['1s', 1_000],
    ['30s', 30_000],
    ['15m', 900_000],
    ['2h', 7_200_000],
    ['7d', 604_800_000],
    ['1h30m', 5_400_000],
    ['0s', 0],
  ])('parses %s', (input, ms) => {
    expect(parseDuration(input)).toBe(ms);
  });

  it('rejects a bare number, naming the expected form', () => {
    expect(() => parseDuration(30)).toThrow('30 has no unit; expected a duration like "30s", "15m", "7d"');
  });

  it.each(['30', '30 s', '1.5h', 'm', '', '5w', '-5s'])('rejects %j with the valid forms', (input) => {
    const result = tryParseDuration(input);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message).toContain('expected a duration like "30s"');
  });
});

describe('formatDuration', () => {
  it('uses the largest units', () => {
    expect(formatDuration(90_000)).toBe('1m30s');
    expect(formatDuration(86_400_000)).toBe('1d');
    expect(formatDuration(0)).toBe('0s');
  });
});
