import type { Queue } from 'bullmq';
import type { Logger } from 'pino';
import type { HubMetrics } from '../core/metrics.js';
import type { PushStore } from '../store/push-store.js';
import type { PollJobData } from './poll-queue.js';
import { POLL_JOB_OPTIONS } from './schedulers.js';

/** The poll job a notification adds; the poll worker knows it by this name. */
export const PUSH_POLL_JOB = 'poll-push';

/**
 * Turns an authentic notification into a poll, never into data (issue 17): the notification is
 * remembered (its time, for the lag), and one poll of the site is queued on the same queue as the
 * scheduled polls. A burst collapses into one job per site (BullMQ deduplication); a notification
 * that arrives while that job runs queues exactly one more (`keepLastIfActive`), because the
 * running poll may have read the source before the change.
 */
export class PushTrigger {
  constructor(private readonly deps: { push: PushStore; queue: Queue<PollJobData>; metrics: HubMetrics; logger: Logger }) {}

  async notified(site: string, source: string): Promise<{ jobId: string }> {
    await this.deps.push.noted(site, source);
    const job = await this.deps.queue.add(PUSH_POLL_JOB, { site }, {
      ...POLL_JOB_OPTIONS,
      // A poll that finds another one running (the poll lease) fails "busy" and is tried again soon.
      attempts: 8, backoff: { type: 'fixed', delay: 250 },
      deduplication: { id: `push:${site}`, keepLastIfActive: true },
    });
    this.deps.metrics.pushNotifications.inc({ site, source, outcome: 'accepted' });
    this.deps.logger.debug({ site, source, jobId: job.id }, 'notification accepted: poll queued');
    return { jobId: job.id ?? '' };
  }

  /** An authentic notification that asks for nothing (a channel opened): push counts as alive. */
  async heard(site: string, source: string): Promise<void> {
    await this.deps.push.heard(site, source);
    this.deps.metrics.pushNotifications.inc({ site, source, outcome: 'ignored' });
  }

  /** A refused notification: counted, and logged with the site and why (never the secret or the signature). */
  refused(site: string, source: string, outcome: 'forged' | 'stale' | 'replayed' | 'unknown-channel' | 'malformed', detail: string): void {
    this.deps.metrics.pushNotifications.inc({ site, source, outcome });
    this.deps.logger.warn({ site, source, outcome }, `notification refused: ${detail}`);
  }
}
