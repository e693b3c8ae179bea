import { createHmac, timingSafeEqual } from 'node:crypto';

/** Headers of a signed webhook request (DESIGN §7). */
export const TIMESTAMP_HEADER = 'X-Avhub-Timestamp';
export const SIGNATURE_HEADER = 'X-Avhub-Signature';
/** Sent only while a channel has a `previousSecret`: the same body signed with the old secret. */
export const PREVIOUS_SIGNATURE_HEADER = 'X-Avhub-Signature-Previous';

/** `sha256=<hex HMAC-SHA256 of "<timestamp>.<body>">`, the value of X-Avhub-Signature. */
export function sign(secret: string, timestamp: string | number, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

export interface VerifyOptions {
  /** Reject timestamps further than this from `now` (replayed requests); default 300 s. */
  toleranceSeconds?: number;
  /** Unix seconds; default the current time. */
  now?: number;
}

/**
 * Checks a webhook request as a receiver: true when one of `secret` (a list while rotating) signed
 * `"<timestamp>.<body>"` as one of the `sha256=` values in `header` (the X-Avhub-Signature value;
 * pass X-Avhub-Signature-Previous too, as a list, to accept the old secret), and the timestamp is
 * within the tolerance. `body` must be the raw request body, byte for byte, not re-serialized JSON.
 * Compares in constant time.
 */
export function verifySignature(
  secret: string | readonly string[],
  timestamp: string | number | undefined,
  body: string | Buffer,
  header: string | readonly (string | undefined)[] | undefined,
  options: VerifyOptions = {},
): boolean {
  const ts = Number(timestamp);
  if (timestamp === undefined || timestamp === '' || !Number.isInteger(ts)) return false;
  const now = options.now ?? Math.floor(Date.now() / 1000);
  if (Math.abs(now - ts) > (options.toleranceSeconds ?? 300)) return false;
  const headers = (typeof header === 'string' ? [header] : header ?? []).filter((h): h is string => typeof h === 'string');
  const given = headers.flatMap((h) => h.split(',')).map((v) => v.trim()).filter((v) => v.startsWith('sha256='));
  const text = typeof body === 'string' ? body : body.toString('utf8');
  const secrets = typeof secret === 'string' ? [secret] : secret;
  let ok = false;
  for (const s of secrets) {
    if (s === '') continue;
    const expected = Buffer.from(sign(s, String(timestamp), text));
    for (const value of given) {
      const candidate = Buffer.from(value);
      // Not short-circuited, so the time taken does not say which secret matched.
      if (candidate.length === expected.length && timingSafeEqual(candidate, expected)) ok = true;
    }
  }
  return ok;
}
