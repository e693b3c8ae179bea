import type { Job, JobState, Queue } from 'bullmq';
import type { FastifyInstance } from 'fastify';
import { HubError } from '../../core/errors.js';
import { writebackSites, type WritebackJobData } from '../../reservations/writeback-queue.js';
import { delayedUntil } from '../../store/queues.js';
import { findFailedJob, retryFailedJob } from '../failed-jobs.js';
import type { ApiContext } from '../context.js';
import { register } from '../register.js';
import type { RouteTable } from '../route-table.js';
import { WritebackJobParams, WritebackListQuery, WritebackListResponse, WritebackRetryResponse } from '../schemas.js';

/** What "pending" means to staff: not finished yet, for whatever reason it waits. */
const PENDING: JobState[] = ['active', 'waiting', 'prioritized', 'delayed', 'waiting-children'];

const iso = (ms: number | undefined | null) => (ms ? new Date(ms).toISOString() : null);

/**
 * Admin view of the BullMQ `writeback` queue: which reservations still wait to reach their sites'
 * systems, which ran out of attempts, and a retry for those where retrying can still help.
 */
const JOB = { one: 'job', many: 'jobs' };

export function adminWritebackRoutes(app: FastifyInstance, table: RouteTable, ctx: ApiContext): void {
  const queue = (): Queue<WritebackJobData> => ctx.writebackQueue;

  /**
   * A failed create has already failed its reservation and released the capacity (writeback-worker):
   * running it again would only answer "not pending". A failed cancel, or a create whose
   * reservation is somehow still pending (a job that stalled out), is worth another run.
   */
  const describe = async (job: Job<WritebackJobData>, state: string) => {
    const resv = await ctx.store.getReservation(job.data.reservation);
    const failed = state === 'failed';
    return {
      id: job.id ?? '', op: job.data.op, reservation: job.data.reservation,
      sites: writebackSites(resv),
      reservationStatus: resv?.status ?? null,
      state, attemptsMade: job.attemptsMade, attempts: job.opts.attempts ?? 1,
      failedReason: job.failedReason || null,
      createdAt: iso(job.timestamp) ?? new Date(0).toISOString(),
      processedAt: iso(job.processedOn), finishedAt: iso(job.finishedOn),
      // Filled in from the delayed set by the list: `timestamp + delay` is not the due time after a retry.
      nextAttemptAt: null as string | null,
      retryable: failed && (job.data.op === 'cancel' || resv?.status === 'pending'),
    };
  };

  register(app, table, ctx, {
    method: 'GET', url: '/v1/admin/writebacks', access: 'admin',
    summary: 'Write-back jobs that failed or are still pending, newest first',
    query: WritebackListQuery,
    responses: { 200: { description: 'Jobs', schema: WritebackListResponse }, 401: { description: 'No admin token' }, 403: { description: 'Wrong admin token' } },
  }, async (_req, _reply, { query }) => {
    const limit = query.limit ?? 100;
    const wanted: Array<[string, JobState[]]> = [];
    if (query.state !== 'pending') wanted.push(['failed', ['failed']]);
    if (query.state !== 'failed') for (const s of PENDING) wanted.push([s, [s]]);
    // One range per state, so every job's state is known without a call per job.
    const lists = await Promise.all(wanted.map(async ([state, types]) => {
      const jobs = (await queue().getJobs(types, 0, limit - 1, false)) as Array<Job<WritebackJobData> | undefined>;
      return Promise.all(jobs.filter((j): j is Job<WritebackJobData> => j !== undefined).map((j) => describe(j, state)));
    }));
    const seen = new Set<string>();
    const jobs = lists.flat().filter((j) => !seen.has(j.id) && seen.add(j.id));
    const due = await delayedUntil(queue(), jobs.filter((j) => j.state === 'delayed').map((j) => j.id));
    for (const j of jobs) j.nextAttemptAt = iso(due.get(j.id));
    jobs.sort((a, b) => b.createdAt.localeCompare(a.createdAt));
    return { jobs };
  });

  register(app, table, ctx, {
    method: 'POST', url: '/v1/admin/writebacks/:jobId/retry', access: 'admin',
    summary: 'Run a failed write-back job again, with its full number of attempts',
    params: WritebackJobParams,
    responses: {
      202: { description: 'Queued again', schema: WritebackRetryResponse }, 401: { description: 'No admin token' },
      404: { description: 'No such job' },
      409: { description: 'The job has not failed (type not-failed), or retrying cannot help (type writeback-not-retryable)' },
    },
  }, async (_req, reply, { params }) => {
    const job = await findFailedJob(queue(), params.jobId, JOB);
    const view = await describe(job, 'failed');
    if (!view.retryable) {
      throw new HubError(409, 'writeback-not-retryable', 'Retry cannot help',
        `reservation "${view.reservation}" is ${view.reservationStatus ?? 'gone'} and its capacity was released; make a new reservation instead`,
        { reservation: view.reservation, reservationStatus: view.reservationStatus });
    }
    const retried = await retryFailedJob(job, params.jobId, JOB);
    ctx.logger.info({ job: job.id, reservation: view.reservation, op: view.op }, 'write-back retried by an admin');
    reply.code(202);
    return retried;
  });
}
