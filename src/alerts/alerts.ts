import { randomUUID } from 'node:crypto';
import type { Queue } from 'bullmq';
import type { Logger } from 'pino';
import type { AlertChannelConfig } from '../config/types.js';
import type { AlertStore, IncidentAction, IncidentMode } from '../store/alert-store.js';
import { alertJobOptions, DEFAULT_DELIVERY, toPayload, type AlertJobData, type DeliveryPolicy } from './delivery.js';
import type { AlertEvent, AlertSink } from '../core/alerts.js';
import { routes } from './routing.js';

/** A prom-client Counter, or anything with its `inc(labels)`. */
export interface CounterLike {
  inc(labels: Record<string, string>): void;
}

/** What `emit` decided for an event; `dropped` and `not-open` send nothing. */
export type AlertDecision = 'delivered' | 'opened' | 'reminder' | 'closed' | 'dropped' | 'not-open';

export interface AlertsDeps {
  /** Incident state in Redis: `new AlertStore(redis, keys)` on the hub's command connection. */
  incidents: AlertStore;
  /** The `alerts` queue (openAlertQueue); deliveries are jobs on it. */
  queue: Queue<AlertJobData>;
  channels: readonly AlertChannelConfig[];
  /** ms between reminders of an open incident (config `defaults.alertReminderEvery`). */
  reminderEvery: number;
  logger: Logger;
  delivery?: DeliveryPolicy;
  /** Counts decisions, labels `{event, decision}` (e.g. `avhub_alerts_total`). */
  decisions?: CounterLike;
  /** An incident without any event for this long is forgotten; default 7 days. */
  incidentIdleMs?: number;
  /**
   * The clock (epoch ms) for an event's `at` and for reminder times. Without it `at` is the
   * process's time and reminders go by Redis' clock, the one clock every process shares.
   */
  now?: () => number;
}

const WEEK = 7 * 86_400_000;

/** The incident script's action as the sink reports it (`unsent` only answers an undo). */
const DECISIONS: Record<IncidentAction, AlertDecision> = {
  opened: 'opened', reminder: 'reminder', closed: 'closed', dropped: 'dropped', none: 'not-open', unsent: 'dropped',
};

/**
 * The hub's AlertSink: decides per incident with one Lua script (open, remind, drop, close), then
 * queues one delivery job per channel that routes the event. Safe to call from any number of
 * processes at once: only one of them opens or closes an incident. `emit` resolves once the jobs
 * are queued, not delivered; delivery is the alert worker's job (startAlertWorker).
 */
export class Alerts implements AlertSink {
  constructor(private readonly deps: AlertsDeps) {}

  /**
   * Never throws: an alert that cannot be queued (Redis down) is logged, so a failing alert does
   * not also fail the poll or write-back that raised it.
   */
  async emit(event: AlertEvent): Promise<void> {
    try {
      await this.decide(event);
    } catch (err) {
      this.deps.logger.error({ event: event.event, site: event.site, incident: event.incident, err: (err as Error).message }, 'alert could not be queued');
    }
  }

  /** Decides and queues like `emit`, returning the decision; throws when Redis fails. */
  async decide(event: AlertEvent): Promise<AlertDecision> {
    if (this.deps.channels.length === 0) return 'dropped';
    const id = randomUUID();
    const now = this.deps.now?.();
    const at = new Date(now ?? Date.now());
    let decision: AlertDecision = 'delivered';
    let openedAt: number | undefined;
    if (event.incident !== undefined) {
      const step = await this.run(event.closes ? 'close' : 'open', event.incident, event, id, now);
      openedAt = step.openedAt;
      decision = DECISIONS[step.action];
    }
    this.deps.decisions?.inc({ event: event.event, decision });
    if (decision === 'dropped' || decision === 'not-open') return decision;

    const payload = toPayload(id, event, at, {
      ...(decision !== 'opened' && openedAt !== undefined && { openedAt }),
      reminder: decision === 'reminder',
    });
    const policy = this.deps.delivery ?? DEFAULT_DELIVERY;
    const jobs = this.deps.channels
      .map((channel, index) => ({ channel, index }))
      .filter(({ channel }) => routes(channel, event))
      .map(({ channel, index }) => ({
        name: event.event,
        data: { channel: index, kind: channel.kind, payload },
        opts: alertJobOptions(policy, `${id}-${index}`),
      }));
    if (jobs.length === 0) return decision;
    try {
      await this.deps.queue.addBulk(jobs);
    } catch (err) {
      // Undo the decision so the incident's next event is delivered instead of dropped.
      if (event.incident !== undefined && !event.closes) await this.run('unsend', event.incident, event, id).catch(() => undefined);
      throw err;
    }
    this.deps.logger.info({ alert: id, event: event.event, site: event.site, incident: event.incident, decision, channels: jobs.length }, 'alert queued');
    return decision;
  }

  private run(mode: IncidentMode, incident: string, event: AlertEvent, id: string, now?: number) {
    return this.deps.incidents.step({
      incident, mode, eventId: id, reminderEvery: this.deps.reminderEvery,
      event: JSON.stringify({ event: event.event, site: event.site, summary: event.summary }),
      idleMs: this.deps.incidentIdleMs ?? WEEK, ...(now !== undefined && { now }),
    });
  }
}
