import { CursorRejectedError } from '../../src/core/adapter/errors.js';

/**
 * The adapter's cursor: reservations modified at or after `modifiedFrom` (apaleo's
 * `dateFilter=Modification`, from inclusive). apaleo's timestamps have whole seconds, so the next
 * cursor starts a second before the source's own clock; `seen` lists the versions (`id@modified#digest`)
 * already delivered in that overlap so they are not delivered twice.
 */
export interface ApaleoCursor {
  v: 1;
  modifiedFrom: string;
  seen?: string[];
}

export function parseCursor(cursor: string): ApaleoCursor {
  try {
    const c = JSON.parse(cursor) as Partial<ApaleoCursor>;
    if (c.v === 1 && typeof c.modifiedFrom === 'string' && !Number.isNaN(Date.parse(c.modifiedFrom))
      && (c.seen === undefined || (Array.isArray(c.seen) && c.seen.every((s) => typeof s === 'string')))) {
      return c as ApaleoCursor;
    }
  } catch { /* fall through */ }
  throw new CursorRejectedError(`not an apaleo cursor: ${cursor.slice(0, 80)}`);
}

export function formatCursor(c: ApaleoCursor): string {
  return JSON.stringify(c.seen && c.seen.length > 0 ? c : { v: 1, modifiedFrom: c.modifiedFrom });
}

/** ISO 8601 without fractional seconds, as apaleo's date-time parameters ask. */
export function isoSeconds(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
