import { z } from 'zod';
import { duration, int, obj } from './schema-parts.js';

const SIZE_UNITS: Record<string, number> = { B: 1, KB: 1024, MB: 1024 ** 2, GB: 1024 ** 3 };

/** A size: bytes as a whole number, or a string like "512KB", "20MB" (binary units). */
function size(bounds: { min: number; max: number }) {
  return z.unknown().transform((value, ctx) => {
    const m = typeof value === 'string' ? /^\s*(\d+)\s*(B|KB|MB|GB)?\s*$/i.exec(value) : null;
    const bytes = typeof value === 'number' ? value : m ? Number(m[1]) * SIZE_UNITS[(m[2] ?? 'B').toUpperCase()]! : NaN;
    if (!Number.isInteger(bytes)) {
      ctx.addIssue({ code: 'custom', message: `${JSON.stringify(value) ?? 'nothing'} is not a size; use bytes or a string like "512KB" or "20MB"` });
      return z.NEVER;
    }
    if (bytes < bounds.min || bytes > bounds.max) {
      ctx.addIssue({ code: 'custom', message: `${JSON.stringify(value)} is out of range; must be between 1KB and ${bounds.max / 1024 ** 2}MB` });
      return z.NEVER;
    }
    return bytes;
  });
}

/**
 * Bounds on what one site's source may make the hub do (issue 14): past a limit the poll fails
 * with an error naming the limit, the site keeps its last good data, nothing else slows down.
 * Each key overrides the adapter kind's default (see config/hub.example.yaml).
 */
const limitsSchema = obj({
  /** One answer's body, counted while it streams in. */
  maxBytes: size({ min: 1024, max: 512 * 1024 ** 2 }).optional(),
  /** One request, body included (a source trickling bytes is cut off at this). */
  timeout: duration({ min: 100, max: 10 * 60_000 }).optional(),
  /** Items in one answer: events of a feed, objects of a multistatus, entries of a JSON page. */
  maxItems: int(1, 10_000_000).optional(),
  /** Reading (parsing, expanding) one answer on a worker thread. */
  parseTimeout: duration({ min: 100, max: 10 * 60_000 }).optional(),
});

/** Keys every `adapter:` block may carry besides the adapter's own settings. */
export const commonAdapterKeys = z.strictObject({
  /** Overrides the kind's documented quota for this site's credential. */
  quota: z.strictObject({
    perSecond: z.number().positive({ error: 'requests per second, more than 0' }),
    burst: z.int().min(1, { error: 'a whole number of requests, 1 or more' }),
  }).optional(),
  limits: limitsSchema.optional(),
});

export interface SplitAdapterConfig {
  kind: string;
  quota?: { perSecond: number; burst: number } | undefined;
  /** Unparsed; {@link commonAdapterKeys} validates it. */
  limits?: unknown;
  /** What the adapter's own settings schema validates. */
  settings: Record<string, unknown>;
}

/** Separates `kind` and the common keys from the adapter's own settings. */
export function splitAdapterConfig(adapter: Record<string, unknown>): SplitAdapterConfig {
  const { kind, quota, limits, ...settings } = adapter;
  return { kind: String(kind), quota: quota as SplitAdapterConfig['quota'], limits, settings };
}
