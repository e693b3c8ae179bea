import type { Job, JobState, Queue } from 'bullmq';
import type { FastifyInstance } from 'fastify';
import type { AlertJobData } from '../../alerts/delivery.js';
import type { AlertChannelConfig } from '../../config/types.js';
import { invalid } from '../../core/errors.js';
import { WORKER_STALE_MS } from '../../health/worker-heartbeat.js';
import { BookingSearch } from '../../reservations/search.js';
import { delayedUntil } from '../../store/queues.js';
import { findFailedJob, retryFailedJob } from '../failed-jobs.js';
import {
  AlertDeliveryParams, AlertDeliveryQuery, AlertDeliveryResponse, AlertRetryResponse, BookingSearchQuery,
  BookingSearchResponse, WorkersResponse,
} from '../admin-schemas.js';
import type { ApiContext } from '../context.js';
import { register } from '../register.js';
import type { RouteTable } from '../route-table.js';

const iso = (ms: number | undefined | null) => (ms ? new Date(ms).toISOString() : null);
const ADMIN_ERRORS = { 401: { description: 'No admin token' }, 403: { description: 'Wrong admin token' } } as const;

/** Where a channel delivers, as staff may see it: hosts and recipients, never a URL path or secret. */
function targetOf(channel: AlertChannelConfig | undefined): string {
  if (!channel) return 'no longer configured';
  if (channel.kind === 'email') return `${channel.to.join(', ')} (via ${channel.smtp.host}:${channel.smtp.port})`;
  try {
    return new URL(channel.url).host;
  } catch {
    return 'invalid url';
  }
}

const DELIVERY_STATES: Record<'sent' | 'failed' | 'pending', JobState[]> = {
  sent: ['completed'], failed: ['failed'], pending: ['active', 'waiting', 'delayed', 'prioritized'],
};

/**
 * The admin's operations views: worker processes (readiness), alert deliveries (sent, failed,
 * to whom) with a retry, and the list and search of holds and reservations.
 */
const DELIVERY = { one: 'delivery', many: 'deliveries' };

export function adminOpsRoutes(app: FastifyInstance, table: RouteTable, ctx: ApiContext): void {
  register(app, table, ctx, {
    method: 'GET', url: '/v1/admin/workers', access: 'admin',
    summary: 'Worker processes and their last heartbeat; whether the hub is ready',
    responses: { 200: { description: 'Workers', schema: WorkersResponse }, ...ADMIN_ERRORS },
  }, async () => {
    const api = { roles: [...ctx.roles], version: ctx.version };
    let listed: Awaited<ReturnType<typeof ctx.hubStore.workers.list>>;
    try {
      await ctx.hubStore.ping();
      listed = await ctx.hubStore.workers.list();
    } catch {
      return { redis: 'down' as const, ready: false, staleAfterSeconds: WORKER_STALE_MS / 1000, workers: [], api };
    }
    const workers = listed.workers.map((w) => {
      const at = w.id.lastIndexOf(':');
      const pid = Number(w.id.slice(at + 1));
      return {
        id: w.id, host: at > 0 ? w.id.slice(0, at) : w.id, pid: at > 0 && Number.isInteger(pid) ? pid : null,
        lastBeatAt: new Date(w.lastBeatAt).toISOString(), alive: listed.now - w.lastBeatAt <= WORKER_STALE_MS,
      };
    }).sort((a, b) => b.lastBeatAt.localeCompare(a.lastBeatAt));
    return { redis: 'up' as const, ready: workers.some((w) => w.alive), staleAfterSeconds: WORKER_STALE_MS / 1000, workers, api };
  });

  const alertQueue = (): Queue<AlertJobData> | undefined => ctx.alertQueue;
  const describeDelivery = (job: Job<AlertJobData>, state: 'sent' | 'failed' | 'pending', due: Map<string, number>) => {
    const channel = ctx.config.alerts[job.data.channel];
    const payload = job.data.payload;
    return {
      id: job.id ?? '', state, event: payload.event, summary: payload.summary, site: payload.site, alertId: payload.id,
      channel: { index: job.data.channel, kind: job.data.kind, target: channel?.kind === job.data.kind ? targetOf(channel) : targetOf(undefined) },
      attemptsMade: job.attemptsMade, attempts: job.opts.attempts ?? 1,
      error: job.failedReason || null,
      queuedAt: iso(job.timestamp) ?? new Date(0).toISOString(), finishedAt: iso(job.finishedOn),
      nextAttemptAt: iso(due.get(job.id ?? '')),
    };
  };

  register(app, table, ctx, {
    method: 'GET', url: '/v1/admin/alerts', access: 'admin',
    summary: 'Alert deliveries: sent, failed (out of attempts) and pending, with the channel and target, newest first',
    query: AlertDeliveryQuery,
    responses: { 200: { description: 'Deliveries', schema: AlertDeliveryResponse }, ...ADMIN_ERRORS },
  }, async (_req, _reply, { query }) => {
    const queue = alertQueue();
    if (!queue) return { configured: false, deliveries: [] };
    const limit = query.limit ?? 100;
    const wanted = (Object.keys(DELIVERY_STATES) as Array<'sent' | 'failed' | 'pending'>).filter((s) => !query.state || s === query.state);
    const lists = await Promise.all(wanted.map(async (state) => {
      const jobs = ((await queue.getJobs(DELIVERY_STATES[state], 0, limit - 1, false)) as Array<Job<AlertJobData> | undefined>)
        .filter((j): j is Job<AlertJobData> => j !== undefined);
      return { state, jobs };
    }));
    const delayed = lists.flatMap((l) => (l.state === 'pending' ? l.jobs.map((j) => j.id ?? '') : []));
    const due = await delayedUntil(queue, delayed);
    const deliveries = lists.flatMap((l) => l.jobs.map((j) => describeDelivery(j, l.state, due)));
    deliveries.sort((a, b) => (b.finishedAt ?? b.queuedAt).localeCompare(a.finishedAt ?? a.queuedAt));
    return { configured: true, deliveries };
  });

  register(app, table, ctx, {
    method: 'POST', url: '/v1/admin/alerts/:jobId/retry', access: 'admin',
    summary: 'Deliver a failed alert again, with its full number of attempts',
    params: AlertDeliveryParams,
    responses: {
      202: { description: 'Queued again', schema: AlertRetryResponse }, ...ADMIN_ERRORS,
      404: { description: 'No such delivery' }, 409: { description: 'The delivery has not failed (type not-failed)' },
    },
  }, async (_req, reply, { params }) => {
    const job = await findFailedJob(alertQueue(), params.jobId, DELIVERY);
    const retried = await retryFailedJob(job, params.jobId, DELIVERY);
    ctx.logger.info({ job: job.id, alert: job.data.payload.id, channel: job.data.channel }, 'alert delivery retried by an admin');
    reply.code(202);
    return retried;
  });

  const search = new BookingSearch(ctx.store, ctx.catalog);
  register(app, table, ctx, {
    method: 'GET', url: '/v1/admin/bookings', access: 'admin',
    summary: 'Live holds and reservations, searched by guest details or ids, site, resource, dates and status',
    query: BookingSearchQuery,
    responses: { 200: { description: 'Holds and reservations', schema: BookingSearchResponse }, ...ADMIN_ERRORS },
  }, async (_req, _reply, { query }) => {
    const { limit, cursor, ...filter } = query as { limit?: number; cursor?: number } & Parameters<BookingSearch['search']>[0];
    if (filter.from && filter.to && filter.to <= filter.from) {
      throw invalid('to', 'must be after from');
    }
    return search.search(filter, limit ?? 50, cursor ?? 0);
  });
}
