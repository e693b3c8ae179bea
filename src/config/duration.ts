/** Milliseconds per duration unit, in the order they may appear in a compound like `1h30m`. */
const UNITS: Record<string, number> = {
  d: 86_400_000,
  h: 3_600_000,
  m: 60_000,
  s: 1_000,
  ms: 1,
};

const WHOLE = /^(?:\d+(?:ms|s|m|h|d))+$/;
const PART = /(\d+)(ms|s|m|h|d)/g;

/** What a valid duration looks like; shared by every duration error message. */
export const DURATION_HINT = 'expected a duration like "30s", "15m", "7d" (units ms, s, m, h, d)';

/**
 * Parses a duration string (`"500ms"`, `"30s"`, `"15m"`, `"2h"`, `"7d"`, or a compound like
 * `"1h30m"`) into milliseconds. Durations are always strings: a bare number is rejected because its
 * unit would be a guess.
 * @throws {TypeError} when the input is not a valid duration; the message says what is expected.
 */
export function parseDuration(input: unknown): number {
  const result = tryParseDuration(input);
  if (!result.ok) throw new TypeError(result.message);
  return result.ms;
}

/** Like {@link parseDuration} but returns the error message instead of throwing. */
export function tryParseDuration(
  input: unknown,
): { ok: true; ms: number } | { ok: false; message: string } {
  if (typeof input === 'number') {
    return { ok: false, message: `${input} has no unit; ${DURATION_HINT}` };
  }
  if (typeof input !== 'string') {
    return { ok: false, message: `${DURATION_HINT}, got ${describe(input)}` };
  }
  const text = input.trim();
  if (!WHOLE.test(text)) {
    return { ok: false, message: `"${input}" is not a duration; ${DURATION_HINT}` };
  }
  let ms = 0;
  for (const [, amount, unit] of text.matchAll(PART)) ms += Number(amount) * UNITS[unit!]!;
  if (!Number.isSafeInteger(ms)) return { ok: false, message: `"${input}" is too long` };
  return { ok: true, ms };
}

/** Formats milliseconds as the shortest compound duration string, e.g. `90000` → `"1m30s"`. */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  let rest = ms;
  let out = '';
  for (const [unit, size] of Object.entries(UNITS)) {
    const n = Math.floor(rest / size);
    if (n > 0) {
      out += `${n}${unit}`;
      rest -= n * size;
    }
  }
  return out;
}

function describe(value: unknown): string {
  if (value === null || value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  return typeof value === 'object' ? 'a mapping' : JSON.stringify(value);
}
