import { CursorRejectedError } from '../../src/core/adapter/errors.js';

/**
 * The cursor the core keeps for a Mews site: when the last pull started, so the next one asks
 * `reservations/getAll` for what was updated since. Opaque to the core.
 */
interface MewsCursor {
  v: 1;
  /** ISO 8601 UTC. */
  updatedSince: string;
}

/** `UpdatedUtc` filters may span at most 3 months; older cursors need a full pull. */
const MAX_CURSOR_AGE_MS = 89 * 86_400_000;

export function encodeCursor(updatedSince: number): string {
  return JSON.stringify({ v: 1, updatedSince: new Date(updatedSince).toISOString() } satisfies MewsCursor);
}

/** The cursor's instant; CursorRejectedError when unreadable or too old for an UpdatedUtc filter. */
export function decodeCursor(cursor: string, now: number): number {
  let at = Number.NaN;
  try {
    const c = JSON.parse(cursor) as Partial<MewsCursor>;
    if (c.v === 1 && typeof c.updatedSince === 'string') at = Date.parse(c.updatedSince);
  } catch { /* fall through */ }
  if (Number.isNaN(at)) throw new CursorRejectedError('mews: unreadable cursor');
  if (now - at > MAX_CURSOR_AGE_MS) {
    throw new CursorRejectedError('mews: cursor older than the 3 months an UpdatedUtc filter may span');
  }
  return at;
}
