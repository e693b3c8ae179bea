/**
 * The cursor the core stores for a Google site: one sync token per calendar, as Google's sync guide
 * asks (https://developers.google.com/calendar/api/guides/sync). Opaque to the core.
 */
export interface GoogleCursor {
  v: 1;
  /** calendarId → the `nextSyncToken` of that calendar's last complete listing. */
  calendars: Record<string, string>;
  /** calendarId → ids of the recurring series seen there (absent when none). */
  series?: Record<string, string[]>;
}

export function encodeCursor(cursor: GoogleCursor): string {
  return JSON.stringify(cursor);
}

/** Null for anything this version did not write (the caller asks for a full resync). */
export function decodeCursor(text: string): GoogleCursor | null {
  try {
    const v = JSON.parse(text) as Partial<GoogleCursor>;
    if (v.v !== 1 || !v.calendars || typeof v.calendars !== 'object' || Array.isArray(v.calendars)) return null;
    if (!Object.values(v.calendars).every((t) => typeof t === 'string' && t !== '')) return null;
    // Series are a hint (see the adapter's pull): an unreadable list is dropped, not a rejection.
    const series = v.series && typeof v.series === 'object' && !Array.isArray(v.series)
      && Object.values(v.series).every((ids) => Array.isArray(ids) && ids.every((id) => typeof id === 'string'))
      ? { series: { ...v.series } } : {};
    return { v: 1, calendars: { ...v.calendars }, ...series };
  } catch {
    return null;
  }
}
