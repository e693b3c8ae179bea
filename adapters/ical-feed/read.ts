import { TooManyItemsError } from '../../src/core/adapter/errors.js';
import { normalizeCalendar, type NormalizeOptions, type NormalizeResult } from '../icalendar/index.js';
import { sha256 } from './settings.js';

/**
 * Reading one feed's body, on a worker thread of the parse pool (adapters/parsing): decoding,
 * the digest, the event count and the normalizer's expansion together cost seconds of CPU for a
 * large hostile feed, none of it on the API's event loop.
 */

export interface ReadFeedInput {
  /** The body as it arrived (transferred, not copied). */
  bytes: Uint8Array;
  /** The digest of the feed's last body: the same bytes are not normalized again. */
  previousDigest: string | null;
  maxEvents: number;
  /** Names the feed in errors (its origin only). */
  where: string;
  /** One normalization per resource the feed serves. */
  calendars: NormalizeOptions[];
}

export interface ReadFeedOutput {
  digest: string;
  /** Per entry of `calendars`; null when the digest equals `previousDigest`. */
  results: NormalizeResult[] | null;
}

/** Counts `BEGIN:VEVENT` lines, stopping once past `limit` (a cheap scan, no parsing). */
function countEvents(body: string, limit: number): number {
  let n = 0;
  for (let at = body.indexOf('BEGIN:VEVENT'); at !== -1 && n <= limit; at = body.indexOf('BEGIN:VEVENT', at + 12)) n += 1;
  return n;
}

/**
 * @throws TooManyItemsError past `maxEvents` (before parsing); Error when the text is not
 *   iCalendar (the caller names the feed).
 */
export function readFeedBody(input: ReadFeedInput): ReadFeedOutput {
  const bytes = Buffer.from(input.bytes.buffer, input.bytes.byteOffset, input.bytes.byteLength);
  // Of the bytes: decoding 5 MB of random bytes to hash the text cost seconds.
  const digest = sha256(bytes);
  if (digest === input.previousDigest) return { digest, results: null };
  // Not iCalendar at all (random bytes): refused before any decoding. BEGIN:VCALENDAR is the
  // first line of a calendar; the first 64 KB leave room for stray text an exporter put before it.
  if (!/BEGIN:VCALENDAR/i.test(bytes.subarray(0, 64 * 1024).toString('latin1'))) {
    throw new Error('not an iCalendar document: no BEGIN:VCALENDAR in its first 64 KB');
  }
  const body = new TextDecoder().decode(bytes);
  if (countEvents(body, input.maxEvents) > input.maxEvents) {
    throw new TooManyItemsError(`ical-feed: the ${input.where} has more than ${input.maxEvents} events (the site's item limit); refused unparsed`, input.maxEvents);
  }
  return { digest, results: input.calendars.map((opts) => normalizeCalendar(body, opts)) };
}
