import { IANAZone } from 'luxon';
import { z } from 'zod';

import { DURATION_HINT, formatDuration, tryParseDuration } from './duration.js';
import { parseOpeningHours } from './opening-hours.js';
import { didYouMean } from './suggest.js';

/*
 * Building blocks whose error messages say what would be valid. Messages never repeat the path:
 * the loader prefixes it.
 */

/**
 * A strict mapping: an unknown key is an error naming the key and the valid keys at that place.
 * With several unknown keys the message holds one line per key, in `issue.keys` order; the loader
 * splits them so each gets its own line number.
 */
export function obj<T extends z.core.$ZodLooseShape>(shape: T) {
  const valid = Object.keys(shape);
  return z.strictObject(shape, {
    error: (issue) => {
      if (issue.code !== 'unrecognized_keys') return undefined;
      return issue.keys
        .map((key) => `unknown key "${key}"; ${didYouMean(key, valid)}valid keys here: ${valid.join(', ')}`)
        .join('\n');
    },
  });
}

/** One of a fixed list of strings; `what` names the thing for the message ("workflow"). */
export function oneOf<const T extends readonly [string, ...string[]]>(values: T, what: string) {
  return z.enum(values, {
    error: (issue) => {
      const valid = `use one of ${values.join(', ')}`;
      if (issue.input === undefined) return `missing; ${valid}`;
      const hint = typeof issue.input === 'string' ? didYouMean(issue.input, values) : '';
      return `${JSON.stringify(issue.input)} is not a valid ${what}; ${hint}${valid}`;
    },
  });
}

/** A non-empty string, at least `min` characters. */
export function text(min = 1) {
  return z.string().min(min, { error: min === 1 ? 'must not be empty' : `must be at least ${min} characters long` });
}

/** A string matching `pattern`, described in words and by an example for the message. */
export function matching(pattern: RegExp, rule: string, example: string) {
  return z.string().regex(pattern, { error: (issue) => `${JSON.stringify(issue.input)} is not valid; ${rule}, like "${example}"` });
}

/**
 * A whole number in `[min, max]`. Numeric strings are accepted because values from the environment
 * (`port: ${PORT:-8080}`) are always strings.
 */
export function int(min: number, max = Number.MAX_SAFE_INTEGER) {
  const range = max === Number.MAX_SAFE_INTEGER ? `${min} or more` : `between ${min} and ${max}`;
  return z.unknown().transform((value, ctx) => {
    const n = typeof value === 'string' && /^\s*-?\d+\s*$/.test(value) ? Number(value) : value;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < min || n > max) {
      ctx.addIssue({ code: 'custom', message: `${JSON.stringify(value) ?? 'nothing'} is not valid; expected a whole number ${range}` });
      return z.NEVER;
    }
    return n;
  });
}

/** A duration string, in milliseconds after parsing, optionally bounded. */
export function duration(bounds: { min?: number; max?: number } = {}) {
  const { min = 0, max = Infinity } = bounds;
  return z.unknown().transform((value, ctx) => {
    const parsed = tryParseDuration(value);
    if (!parsed.ok) {
      ctx.addIssue({ code: 'custom', message: parsed.message });
      return z.NEVER;
    }
    if (parsed.ms < min || parsed.ms > max) {
      const range = max === Infinity ? `at least ${formatDuration(min)}` : `between ${formatDuration(min)} and ${formatDuration(max)}`;
      ctx.addIssue({ code: 'custom', message: `${JSON.stringify(value)} is out of range; must be ${range}` });
      return z.NEVER;
    }
    return parsed.ms;
  });
}

/**
 * `minStay`/`maxStay` before the resource's `bookedBy` is known: whole nights (`2`) or a duration
 * (`"1h"`). The resolver checks the unit against the resource.
 */
export const stay = z.unknown().transform((value, ctx): Stay => {
  if (typeof value === 'number' || (typeof value === 'string' && /^\s*\d+\s*$/.test(value))) {
    const nights = Number(value);
    if (Number.isInteger(nights) && nights >= 1) return { unit: 'nights', value: nights, raw: value };
  } else {
    const parsed = tryParseDuration(value);
    if (parsed.ok && parsed.ms > 0) return { unit: 'ms', value: parsed.ms, raw: value };
  }
  ctx.addIssue({
    code: 'custom',
    message: `${JSON.stringify(value) ?? 'nothing'} is not valid; use whole nights like 2 for resources booked by night, or a duration like "1h" for resources booked by time (${DURATION_HINT})`,
  });
  return z.NEVER;
});

/** A stay length as written, tagged with its unit. */
export interface Stay {
  unit: 'nights' | 'ms';
  value: number;
  raw: unknown;
}

/** `openingHours`, parsed to minute ranges per weekday. */
export const openingHours = z.unknown().transform((value, ctx) => {
  const parsed = parseOpeningHours(value);
  if (parsed.ok) return parsed.value;
  for (const issue of parsed.issues) ctx.addIssue({ code: 'custom', message: issue.message, path: issue.path });
  return z.NEVER;
});

/** An IANA time zone name. */
export const timezone = z.string().refine((zone) => IANAZone.isValidZone(zone), {
  error: (issue) => {
    const input = String(issue.input);
    const hint = didYouMean(input, zoneNames());
    return `${JSON.stringify(input)} is not an IANA time zone; ${hint}use a name like "Europe/Berlin" or "America/New_York"`;
  },
});

let zones: string[] | undefined;
function zoneNames(): string[] {
  zones ??= typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];
  return zones;
}

/** A browser origin (`scheme://host[:port]`, no path) or `*` for any origin. */
export const origin = z.string().superRefine((value, ctx) => {
  if (value === '*') return;
  let parsed: URL | undefined;
  try {
    parsed = new URL(value);
  } catch {
    parsed = undefined;
  }
  if (parsed !== undefined && parsed.origin === value) return;
  const fix = parsed !== undefined && parsed.origin !== 'null' ? `; did you mean "${parsed.origin}"?` : '';
  ctx.addIssue({
    code: 'custom',
    message: `"${value}" is not an origin; write scheme://host[:port] without a path, like "https://www.example.com", or "*" for any${fix}`,
  });
});

/** An absolute http(s) URL. */
export const httpUrl = z.string().refine((value) => /^https?:$/.test(safeProtocol(value)), {
  error: (issue) => `${JSON.stringify(issue.input)} is not a URL; write an absolute http(s) URL like "https://ops.example.com/hooks/avhub"`,
});

function safeProtocol(value: string): string {
  try {
    return new URL(value).protocol;
  } catch {
    return '';
  }
}

/**
 * The hub's public base URL (sources call it back): https, or http on a loopback host for tests
 * and the demo, without query or fragment; a trailing "/" is dropped.
 */
export const publicUrl = z.string().transform((value, ctx) => {
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  const loopback = url !== undefined && /^(127\.\d+\.\d+\.\d+|localhost|\[::1\])$/.test(url.hostname);
  if (url === undefined || !(url.protocol === 'https:' || (url.protocol === 'http:' && loopback)) || url.search !== '' || url.hash !== '') {
    ctx.addIssue({
      code: 'custom',
      message: `${JSON.stringify(value)} is not a public base URL; write the https address the sources reach the hub at, like "https://hub.example.com" (plain http only on 127.0.0.1 or localhost), without query or fragment`,
    });
    return z.NEVER;
  }
  return value.replace(/\/+$/, '');
});
