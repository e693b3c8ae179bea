import type { AlertPayload } from '../delivery.js';

const CORE = new Set(['id', 'event', 'at', 'site', 'summary', 'group', 'incident', 'openedAt', 'reminder']);

/** The payload's extra fields as `name: value` lines, for people to read. */
function detailLines(payload: AlertPayload): string[] {
  return Object.entries(payload)
    .filter(([key, value]) => !CORE.has(key) && value !== undefined)
    .map(([key, value]) => `${key}: ${typeof value === 'string' ? value : JSON.stringify(value)}`);
}

/** What happened, in a few words: "site.limited at mitte (reminder)". */
export function headline(payload: AlertPayload): string {
  const where = payload.site ? ` at ${payload.site}` : '';
  return `${payload.event}${where}${payload.reminder ? ' (reminder)' : ''}`;
}

/** Lines every human-readable channel shows under the summary. */
export function factLines(payload: AlertPayload): string[] {
  return [
    `event: ${payload.event}`,
    ...(payload.site ? [`site: ${payload.site}`] : []),
    ...(payload.group ? [`group: ${payload.group}`] : []),
    `at: ${payload.at}`,
    ...(payload.openedAt ? [`incident open since: ${payload.openedAt}`] : []),
    ...(payload.reminder ? ['this is a reminder: the incident is still open'] : []),
    ...detailLines(payload),
    `alert id: ${payload.id}`,
  ];
}
