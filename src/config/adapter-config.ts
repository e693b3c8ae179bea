import { z } from 'zod';

/** Keys every `adapter:` block may carry besides the adapter's own settings. */
export const commonAdapterKeys = z.strictObject({
  /** Overrides the kind's documented quota for this site's credential. */
  quota: z.strictObject({
    perSecond: z.number().positive({ error: 'requests per second, more than 0' }),
    burst: z.int().min(1, { error: 'a whole number of requests, 1 or more' }),
  }).optional(),
});

export interface SplitAdapterConfig {
  kind: string;
  quota?: { perSecond: number; burst: number } | undefined;
  /** What the adapter's own settings schema validates. */
  settings: Record<string, unknown>;
}

/** Separates `kind` and the common keys from the adapter's own settings. */
export function splitAdapterConfig(adapter: Record<string, unknown>): SplitAdapterConfig {
  const { kind, quota, ...settings } = adapter;
  return { kind: String(kind), quota: quota as SplitAdapterConfig['quota'], settings };
}
