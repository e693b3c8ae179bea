import type { AlertEventName } from '../domain/alert-events.js';

export type { AlertEventName } from '../domain/alert-events.js';

/**
 * Staff alerts (DESIGN §7). An event belongs to an incident: the first event of an incident is
 * delivered, repeats are reminders at most every `reminderEvery`, and a closing event (recovery,
 * resolution) ends it with one last message.
 */
export interface AlertEvent {
  event: AlertEventName;
  /** The site concerned, when there is one (routing and the webhook body use it). */
  site?: string;
  /** The resource group, when known (routing). */
  group?: string;
  /** One line a person reads first. */
  summary: string;
  /** Extra fields for the webhook body (never secrets). */
  details?: Record<string, unknown>;
  /**
   * Incident key: events with the same key are one incident (e.g. `site:mitte:limited`).
   * Opening events start or remind it; `closes: true` ends it. Without a key every event is
   * delivered once.
   */
  incident?: string;
  closes?: boolean;
}

/** Where the hub's parts report alert-worthy events; implemented by src/alerts. */
export interface AlertSink {
  emit(event: AlertEvent): Promise<void>;
}

/** A sink that drops everything, for processes or tests without alert channels. */
export const silentAlerts: AlertSink = { emit: async () => undefined };
