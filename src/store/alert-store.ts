import type { RedisClient } from './connection.js';
import type { HubKeys } from './keys.js';
import { scriptsFor } from './scripts.js';

/** What the caller asks of an incident (lua/alert-incident.lua has the rules). */
export type IncidentMode = 'open' | 'close' | 'unsend';

/**
 * What the script decided: `opened`, `reminder` and `closed` are to be delivered; `dropped` is a
 * repeat too soon after the last delivery; `none` a closing event for an incident that is not
 * open; `unsent` the answer to `unsend`.
 */
export type IncidentAction = 'opened' | 'reminder' | 'dropped' | 'closed' | 'none' | 'unsent';

export interface IncidentStep {
  /** The event's incident key, e.g. `site:mitte:health`. */
  incident: string;
  mode: IncidentMode;
  /** The id of the delivery this step may choose (what `unsend` later names). */
  eventId: string;
  /** The opening event, kept in the incident while it is open (JSON text). */
  event: string;
  /** ms between deliveries of an open incident. */
  reminderEvery: number;
  /** ms an incident without any event lives on. */
  idleMs: number;
  /** The decision's time (epoch ms); without it Redis' clock decides, one clock for every process. */
  now?: number;
}

export interface IncidentReply {
  action: IncidentAction;
  /** When the incident opened (epoch ms), when it is or was open. */
  openedAt?: number;
  /** Repeats dropped so far. */
  dropped: number;
}

/** One open incident as stored (times in epoch ms). */
export interface IncidentState {
  openedAt: number;
  lastSentAt: number;
  /** Deliveries so far (the opening and each reminder). */
  sent: number;
  dropped: number;
}

const ACTIONS: ReadonlySet<string> = new Set<IncidentAction>(['opened', 'reminder', 'dropped', 'closed', 'none', 'unsent']);

/**
 * Alert incidents in Redis: each step is one atomic script run, so any number of processes
 * emitting the same incident deliver it once (src/alerts/alerts.ts decides what to send from it).
 */
export class AlertStore {
  private readonly script: (keys: string[], args: Array<string | number>) => Promise<unknown>;

  constructor(private readonly redis: RedisClient, private readonly keys: HubKeys) {
    this.script = scriptsFor(redis)['alert-incident'];
  }

  async step(s: IncidentStep): Promise<IncidentReply> {
    const reply = await this.script([this.keys.alertIncident(s.incident)], [
      s.mode, s.reminderEvery, s.event, s.eventId, s.idleMs, s.now ?? '',
    ]) as [string, number | string, number | string];
    const [action, openedAt, dropped] = reply;
    if (!ACTIONS.has(action)) throw new Error(`alert-incident answered ${String(action)}`);
    return {
      action: action as IncidentAction,
      ...(Number(openedAt) > 0 && { openedAt: Number(openedAt) }),
      dropped: Number(dropped),
    };
  }

  /** The incident while it is open, else null (closed, never opened, or idle too long). */
  async incident(incident: string): Promise<IncidentState | null> {
    const [openedAt, lastSentAt, sent, dropped] = await this.redis.hmget(this.keys.alertIncident(incident), 'openedAt', 'lastSentAt', 'sent', 'dropped');
    if (openedAt === null || openedAt === undefined) return null;
    return { openedAt: Number(openedAt), lastSentAt: Number(lastSentAt ?? 0), sent: Number(sent ?? 0), dropped: Number(dropped ?? 0) };
  }
}
