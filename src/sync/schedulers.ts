import { createHash } from 'node:crypto';
import type { Queue } from 'bullmq';
import type { Logger } from 'pino';
import type { HubConfig, SiteConfig } from '../config/types.js';
import type { PollJobData } from './poll-queue.js';

const schedulerId = (site: string) => `poll:${site}`;

/**
 * A stable offset within the site's interval, so sites with the same interval do not all poll
 * at the same instant (BullMQ aligns `every` to multiples of the interval).
 */
function pollOffset(siteId: string, every: number): number {
  const h = createHash('sha256').update(siteId).digest().readUInt32BE(0);
  return h % every;
}

export const POLL_JOB_OPTIONS = {
  attempts: 1, // a failed poll is retried by the next tick, with the poller's own backoff
  removeOnComplete: { count: 50 },
  removeOnFail: { count: 200 },
} as const;

/**
 * Makes the queue's job schedulers match the config: one per polled site, removed for sites
 * that are gone or no longer polled, updated when the interval changed. Idempotent, so every
 * scheduler process may run it at start.
 */
export async function reconcileSchedulers(queue: Queue<PollJobData>, config: HubConfig, logger: Logger):
Promise<{ upserted: string[]; removed: string[] }> {
  const wanted = new Map<string, SiteConfig>(
    config.sites.filter((s) => s.adapter.kind !== 'none').map((s) => [schedulerId(s.id), s]));
  const removed: string[] = [];
  for (const existing of await queue.getJobSchedulers(0, -1)) {
    if (!wanted.has(existing.key)) {
      await queue.removeJobScheduler(existing.key);
      removed.push(existing.key);
    }
  }
  for (const [id, site] of wanted) {
    await queue.upsertJobScheduler(id, { every: site.pollEvery, offset: pollOffset(site.id, site.pollEvery) },
      { name: 'poll', data: { site: site.id }, opts: POLL_JOB_OPTIONS });
    // The first scheduled slot may be a whole interval away: poll a site once now as well
    // (deduplicated, so several schedulers starting together add one job).
    await queue.add('poll', { site: site.id }, { ...POLL_JOB_OPTIONS, deduplication: { id: `start:${site.id}` } });
  }
  logger.info({ polled: [...wanted.keys()].length, removed }, 'poll schedulers reconciled with the config');
  return { upserted: [...wanted.keys()], removed };
}

/**
 * When the site's next poll runs (ms): its scheduler's next slot, or the first slot after
 * `notBefore` while the site backs off or waits out a rate limit (slots before it are skipped).
 * Null for a site without a scheduler (not polled, or no scheduler process has run yet).
 */
export async function nextPollAt(queue: Queue<PollJobData>, site: SiteConfig, notBefore: number): Promise<number | null> {
  const next = (await queue.getJobScheduler(schedulerId(site.id)))?.next;
  if (!next) return null;
  if (notBefore <= next) return next;
  return next + Math.ceil((notBefore - next) / site.pollEvery) * site.pollEvery;
}
