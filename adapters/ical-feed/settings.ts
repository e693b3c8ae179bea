import { createHash } from 'node:crypto';
import { z } from 'zod';

/**
 * The `adapter:` block of an `ical-feed` site (without `kind`) and each resource's `source:`.
 * Feed URLs of booking tools often carry a secret token, and `headers` may hold an
 * `Authorization` value: neither is ever logged, put in an error message or stored in a cursor.
 */

const feedUrl = z.url({ protocol: /^https?$/, error: 'an http:// or https:// URL of an .ics feed' });

const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000 };
const MAX_TIMEOUT_MS = 5 * 60_000;

/** A timeout as milliseconds (`15000`) or a duration string (`"15s"`, `"500ms"`, `"1m"`). */
const timeout = z
  .union([
    z.int().positive(),
    z.string().regex(/^\d+(ms|s|m)$/, { error: 'a duration like "15s", "500ms" or "1m", or milliseconds' }),
  ])
  .transform((v) => (typeof v === 'number' ? v : Number(/^\d+/.exec(v)![0]) * UNIT_MS[/(ms|s|m)$/.exec(v)![1]!]!))
  .refine((ms) => ms > 0 && ms <= MAX_TIMEOUT_MS, { error: 'a timeout between 1 ms and 5 minutes' });

export const icalFeedSettings = z.strictObject({
  /** The feed for every resource without its own `source.url`. */
  url: feedUrl.optional(),
  /** Sent with every request (e.g. `Authorization: Bearer ${FEED_TOKEN}`); secrets. */
  headers: z.record(z.string().min(1), z.string()).optional(),
  /** Per request, body included; the site's `limits.timeout` (30 s) by default. */
  timeout: timeout.optional(),
});

export type IcalFeedSettings = z.infer<typeof icalFeedSettings>;

export const icalFeedSource = z.strictObject({
  /** This resource's own feed (a room's export from a booking tool). */
  url: feedUrl.optional(),
});

export const sha256 = (s: string | Uint8Array) => createHash('sha256').update(s).digest('hex');

/**
 * The quota bucket: per (host, site). A feed's credential is no more than its host, and a bucket
 * per host let hostile feeds on a host spend the quota of a good feed on the same host (issue 14);
 * per site, each site stays polite to the host on its own (one request a second by default) and
 * no site can slow another. Sites without a site-wide URL key by "(per-resource feeds)".
 */
export function icalFeedCredentialId(settings: IcalFeedSettings, siteId = ''): string {
  const host = settings.url === undefined ? '(per-resource feeds)' : new URL(settings.url).host.toLowerCase();
  return sha256(`ical-feed host ${host} site ${siteId}`).slice(0, 16);
}
