/** The alert events a webhook receives (DESIGN §7): a contract, so names are only ever added. */
export const ALERT_EVENT_NAMES = [
  'site.limited', 'site.recovered', 'site.stale', 'credential.invalid',
  'writeback.failed', 'conflict.opened', 'conflict.resolved', 'workers.missing',
] as const;
export type AlertEventName = (typeof ALERT_EVENT_NAMES)[number];
