/**
 * The shared iCalendar normalizer: every adapter that reads iCalendar (CalDAV, .ics feeds) turns
 * it into the hub's bookings here, and builds its write-backs here.
 */
export { normalizeCalendar, MAX_INSTANCES } from './normalize.js';
export type { NormalizeOptions, NormalizeResult } from './normalize.js';
export { buildEventIcs, PRODID } from './build.js';
