import type { Job, Queue } from 'bullmq';
import { HubError, notFound } from '../core/errors.js';

/** How the admin API names a queue's jobs in its answers ("job"/"jobs", "delivery"/"deliveries"). */
interface JobNoun { one: string; many: string }

const title = (noun: JobNoun) => `${noun.one[0]!.toUpperCase()}${noun.one.slice(1)} not failed`;

/**
 * The failed job staff asked to run again (a write-back, an alert delivery): 404 when the queue
 * has no such job, 409 `not-failed` while it is anything but failed.
 */
export async function findFailedJob<T>(queue: Queue<T> | undefined, id: string, noun: JobNoun): Promise<Job<T>> {
  const job = (await queue?.getJob(id)) as Job<T> | undefined;
  if (!job) throw notFound(noun.one, id);
  const state = await job.getState();
  if (state !== 'failed') {
    throw new HubError(409, 'not-failed', title(noun), `${noun.one} "${id}" is ${state}; only failed ${noun.many} can be retried`, { state });
  }
  return job;
}

/** Runs a failed job again with its full number of attempts; answers its id and new state. */
export async function retryFailedJob<T>(job: Job<T>, id: string, noun: JobNoun): Promise<{ id: string; state: string }> {
  try {
    await job.retry('failed', { resetAttemptsMade: true, resetAttemptsStarted: true });
  } catch (err) {
    // Another retry (a second click, a second admin) got there first.
    throw new HubError(409, 'not-failed', title(noun), `${noun.one} "${id}" could not be retried: ${(err as Error).message}`);
  }
  return { id: job.id ?? id, state: await job.getState() };
}
