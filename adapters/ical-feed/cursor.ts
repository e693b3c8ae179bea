import { CursorRejectedError } from '../../src/core/adapter/errors.js';

/**
 * The cursor of an `ical-feed` site: per feed the HTTP validators of the last response (RFC 9110
 * §8.8) and a digest of its body, per resource the external ids last returned (so a changed feed
 * can report what disappeared). Feeds are keyed by a hash of their URL: URLs may carry secrets.
 */
export interface FeedState {
  etag?: string;
  lastModified?: string;
  /** sha256 of the body: a server without validators that sends the same bytes is unchanged. */
  digest: string;
}

export interface FeedCursor {
  v: typeof CURSOR_VERSION;
  /** What the state was computed for (zone, resources, feed URLs): see {@link configFingerprint}. */
  config: string;
  feeds: Record<string, FeedState>;
  ids: Record<string, string[]>;
}

const CURSOR_VERSION = 1;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Reads a cursor. Not JSON at all → null (a full pull). JSON of another version or shape, or made
 * for another configuration → CursorRejectedError, so the core runs a full resync.
 */
export function decodeCursor(raw: string | null, config: string): FeedCursor | null {
  if (raw === null) return null;
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return null;
  }
  if (!isObject(value) || value.v !== CURSOR_VERSION || !isObject(value.feeds) || !isObject(value.ids) || typeof value.config !== 'string') {
    throw new CursorRejectedError('ical-feed: the cursor is of an unknown version or shape');
  }
  if (value.config !== config) {
    throw new CursorRejectedError('ical-feed: the site\'s feeds, resources or time zone changed since the cursor was made');
  }
  for (const ids of Object.values(value.ids)) {
    if (!Array.isArray(ids) || !ids.every((id) => typeof id === 'string')) {
      throw new CursorRejectedError('ical-feed: the cursor is of an unknown version or shape');
    }
  }
  return value as unknown as FeedCursor;
}

export function encodeCursor(cursor: Omit<FeedCursor, 'v'>): string {
  return JSON.stringify({ v: CURSOR_VERSION, ...cursor });
}
