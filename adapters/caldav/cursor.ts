import { z } from 'zod';
import { CursorRejectedError } from '../../src/core/adapter/errors.js';

/**
 * The CalDAV cursor the core stores between polls (JSON, version 1):
 *
 * ```
 * { v: 1, calendars: { [calendarUrl]: {
 *     resource, ref,        // the hub resource and its `source.calendar` when the cursor was made
 *     tz,                   // the zone all-day and floating times were read in
 *     mode: 'sync'|'ctag',  // RFC 6578 sync-collection, or the getctag + etag fallback
 *     syncToken?, ctag?,
 *     objects: { [objectName]: { e?: etag, u: { [UID]: instanceKeys[] } } } } } }
 * ```
 *
 * `objects` remembers, per calendar object, every external id it produced (grouped by UID; `''`
 * stands for the id without an instance key), so when an object changes or disappears all of its
 * old instances can be reported removed: one recurring event expands to many bookings.
 * It also carries what the resource mapping and calendar were, so a delta pull needs no discovery:
 * a cursor that does not cover the site's resources is rejected (the core then pulls in full).
 */

const objectSchema = z.object({
  e: z.string().optional(),
  u: z.record(z.string(), z.array(z.string())),
});

const calendarSchema = z.object({
  resource: z.string(),
  ref: z.string(),
  tz: z.string(),
  mode: z.enum(['sync', 'ctag']),
  syncToken: z.string().optional(),
  ctag: z.string().optional(),
  objects: z.record(z.string(), objectSchema),
});

const cursorSchema = z.object({ v: z.literal(1), calendars: z.record(z.string(), calendarSchema) });

export type ObjectState = z.infer<typeof objectSchema>;
export type CalendarState = z.infer<typeof calendarSchema>;
export type CaldavCursor = z.infer<typeof cursorSchema>;

/** @throws CursorRejectedError when the text is not a cursor this version wrote */
export function parseCursor(text: string): CaldavCursor {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new CursorRejectedError('the CalDAV cursor is not JSON');
  }
  const parsed = cursorSchema.safeParse(json);
  if (!parsed.success) throw new CursorRejectedError(`the CalDAV cursor is not a version 1 cursor: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  return parsed.data;
}

export function formatCursor(cursor: CaldavCursor): string {
  return JSON.stringify(cursor);
}

const INSTANCE_KEY = /^(.*)@(\d{8}(?:T\d{6}Z)?)$/;

/** Groups the external ids of one object (all starting with `prefix`) compactly by UID. */
export function objectState(prefix: string, externalIds: Iterable<string>, etag: string | undefined): ObjectState {
  const u: Record<string, string[]> = {};
  for (const id of externalIds) {
    // Ids are always prefixed by the normalizer; a foreign one is kept whole under the empty prefix.
    const rest = id.startsWith(prefix) ? id.slice(prefix.length) : `\u0000${id}`;
    const m = INSTANCE_KEY.exec(rest);
    const [uid, key] = m ? [m[1]!, m[2]!] : [rest, ''];
    (u[uid] ??= []).push(key);
  }
  return etag === undefined ? { u } : { e: etag, u };
}

/** Every external id an object produced, as `objectState` recorded them. */
export function externalIdsOf(prefix: string, state: ObjectState | undefined): string[] {
  if (!state) return [];
  return Object.entries(state.u).flatMap(([uid, keys]) => keys.map((key) => {
    const rest = key === '' ? uid : `${uid}@${key}`;
    return rest.startsWith('\u0000') ? rest.slice(1) : `${prefix}${rest}`;
  }));
}
