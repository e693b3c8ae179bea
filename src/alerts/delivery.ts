import type { HubKeys } from '../store/keys.js';
import type { RedisTarget } from '../store/connection.js';
import { openQueue, type OpenQueue } from '../store/queues.js';
import type { AlertEvent, AlertEventName } from '../core/alerts.js';

export const ALERT_QUEUE = 'alerts';

/**
 * One event as every channel renders it; the webhook body is exactly this object (DESIGN §7):
 * `{id, event, at, site, summary, ...details, reminder?}`. Receivers de-duplicate by `id`:
 * delivery is at least once, and one `id` is one decision (an opening, a reminder, a closing).
 */
export interface AlertPayload {
  /** Unique per delivered event (the same on every channel and every retry). */
  id: string;
  event: AlertEventName;
  /** ISO 8601 UTC time the event was emitted. */
  at: string;
  /** The site concerned, or null for hub-wide events. */
  site: string | null;
  summary: string;
  group?: string;
  /** The incident key, when the event belongs to one. */
  incident?: string;
  /** When the incident opened (ISO), on reminders and closing events. */
  openedAt?: string;
  /** True when an open incident is repeated after `reminderEvery`. */
  reminder?: true;
  /** The event's details, spread at the top level; they never replace the fields above. */
  [detail: string]: unknown;
}

export interface AlertJobData {
  /** Index of the channel in `config.alerts`. */
  channel: number;
  /** The channel's kind when queued: a job whose channel changed kind since is dropped. */
  kind: string;
  payload: AlertPayload;
}

const RESERVED = new Set(['id', 'event', 'at', 'site', 'summary', 'group', 'incident', 'openedAt', 'reminder']);

export function toPayload(id: string, event: AlertEvent, at: Date, extra: { openedAt?: number; reminder?: boolean }): AlertPayload {
  const details = Object.fromEntries(Object.entries(event.details ?? {}).filter(([key]) => !RESERVED.has(key)));
  return {
    id, event: event.event, at: at.toISOString(), site: event.site ?? null, summary: event.summary,
    ...details,
    ...(event.group !== undefined && { group: event.group }),
    ...(event.incident !== undefined && { incident: event.incident }),
    ...(extra.openedAt !== undefined && extra.openedAt > 0 && { openedAt: new Date(extra.openedAt).toISOString() }),
    ...(extra.reminder && { reminder: true as const }),
  };
}

/** How a delivery is retried: 10 attempts, exponential backoff from 5 s with jitter (about 30 min in all). */
export interface DeliveryPolicy {
  attempts: number;
  /** The first retry's delay in ms; each next one doubles, less up to half at random. */
  backoffMs: number;
}

export const DEFAULT_DELIVERY: DeliveryPolicy = { attempts: 10, backoffMs: 5_000 };

export function alertJobOptions(policy: DeliveryPolicy, jobId: string) {
  return {
    jobId,
    attempts: policy.attempts,
    backoff: { type: 'exponential', delay: policy.backoffMs, jitter: 0.5 },
    removeOnComplete: { count: 1000, age: 7 * 86_400 },
    removeOnFail: { count: 1000 },
  } as const;
}

export function openAlertQueue(target: RedisTarget, keys: HubKeys): OpenQueue<AlertJobData> {
  return openQueue<AlertJobData>(target, keys, ALERT_QUEUE);
}
