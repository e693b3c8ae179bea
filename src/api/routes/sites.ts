import type { FastifyInstance } from 'fastify';
import type { SiteConfig } from '../../config/types.js';
import { notFound } from '../../core/errors.js';
import type { ApiContext } from '../context.js';
import { register } from '../register.js';
import type { RouteTable } from '../route-table.js';
import { IdParams, SiteDetail, SitesResponse, SyncQuery, SyncResponse } from '../schemas.js';
import { HubError } from '../../core/errors.js';
import { syncAdvice } from '../../health/advice.js';
import { healthThresholds } from '../../core/health-thresholds.js';
import { sameSecret } from '../../domain/same-secret.js';
import { POLL_JOB_OPTIONS, nextPollAt } from '../../sync/schedulers.js';
import { readPushStatus } from '../../sync/push-status.js';

/** Polls the job until it finishes (at most 60 s); cheaper than a QueueEvents stream per request. */
async function waitForJob(ctx: ApiContext, id: string): Promise<{ status: string; result?: unknown; error?: string }> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    // State first, then the job: a job read before it finished carries no return value even
    // when getState() (a later call) already says completed.
    const state = await ctx.pollQueue.getJobState(id);
    if (state === 'unknown') return { status: 'unknown' };
    if (state === 'completed' || state === 'failed') {
      const job = await ctx.pollQueue.getJob(id);
      if (!job) return { status: 'unknown' };
      return state === 'completed' ? { status: 'completed', result: job.returnvalue } : { status: 'failed', error: job.failedReason };
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return { status: 'timeout' };
}

export function siteRoutes(app: FastifyInstance, table: RouteTable, ctx: ApiContext): void {
  const sharedOf = new Map<string, string>();
  for (const s of ctx.config.shared) for (const m of s.members) sharedOf.set(`${m.site}/${m.resource}`, s.id);

  // Adapter settings may hold credentials: only the kind leaves the hub.
  const summary = async (site: SiteConfig) => ({
    id: site.id, name: site.name, timezone: site.timezone, adapter: site.adapter.kind,
    ...(site.adapter.kind === 'none' ? {} : { pollEvery: `${site.pollEvery / 1000}s` }),
    priority: site.priority,
    health: await ctx.health.state(site.id),
    resources: site.resources.map((r) => ({
      id: r.id, kind: r.kind, capacity: r.capacity, group: r.group, bookedBy: r.bookedBy,
      ...(sharedOf.has(`${site.id}/${r.id}`) ? { shared: sharedOf.get(`${site.id}/${r.id}`) } : {}),
    })),
  });

  register(app, table, ctx, {
    method: 'GET', url: '/v1/sites', access: 'admin', summary: 'Every site with its health',
    responses: { 200: { description: 'Sites', schema: SitesResponse }, 401: { description: 'No admin token' } },
  }, async () => ({ sites: await Promise.all(ctx.catalog.sites().map(summary)) }));

  register(app, table, ctx, {
    method: 'GET', url: '/v1/sites/:id', access: 'admin', summary: 'One site: configuration summary, health, sync state and health history',
    params: IdParams,
    responses: { 200: { description: 'The site', schema: SiteDetail }, 404: { description: 'No such site' } },
  }, async (_req, _reply, { params }) => {
    const site = ctx.catalog.site(params.id);
    if (!site) throw notFound('site', params.id);
    const [base, health, state, history, sources, velocity, polls, resources, push] = await Promise.all([
      summary(site), ctx.sync.healthRecord(site.id), ctx.sync.state(site.id),
      ctx.sync.healthHistory(site.id), ctx.sync.sourceBookingCount(site.id),
      ctx.sync.velocity(site.id), ctx.sync.pollStats(site.id), ctx.sync.resources.read(site.id),
      readPushStatus(ctx.hubStore.push, site, ctx.config),
    ]);
    const next = site.adapter.kind === 'none' ? null : await nextPollAt(ctx.pollQueue, site, state.notBefore);
    const iso = (ms: string | number | undefined) => (ms && Number(ms) > 0 ? new Date(Number(ms)).toISOString() : null);
    return {
      ...base,
      sync: {
        lastSuccessAt: iso(health.lastSuccessAt), lastPollAt: iso(health.lastPollAt),
        lastError: health.lastError, lastErrorCode: health.lastErrorCode, lastErrorAt: iso(health.lastErrorAt),
        consecutiveFailures: health.failures, lastFullSyncAt: iso(state.lastFullAt),
        incremental: state.cursor !== null, nextPollNotBefore: iso(state.notBefore), nextPollAt: iso(next ?? undefined), sourceBookings: sources,
      },
      history: history.map((h) => ({ at: new Date(h.at).toISOString(), from: h.from, to: h.to, reason: h.reason })),
      resourceStatus: site.resources.map((r) => {
        const s = resources.find((x) => x.resource === r.id);
        return {
          resource: r.id,
          failure: s?.failure ? { ...s.failure, since: new Date(s.failure.since).toISOString() } : null,
          skipped: s?.skipped ?? [],
        };
      }),
      push,
      advice: syncAdvice(velocity, Date.now(), site.pollEvery, polls),
    };
  });

  register(app, table, ctx, {
    method: 'POST', url: '/v1/sites/:id/heartbeat', access: 'public',
    summary: 'A pushing site says it is alive and its data current (counts like a good poll)',
    params: IdParams,
    headers: [{ name: 'Authorization', description: 'Bearer <the site\'s heartbeatToken>', required: true }],
    responses: { 204: { description: 'Recorded' }, 401: { description: 'No or wrong token' }, 404: { description: 'No such site, or it takes no heartbeats' } },
  }, async (req, reply, { params }) => {
    const site = ctx.catalog.site(params.id);
    if (!site?.heartbeatToken) throw notFound('site', params.id);
    const given = req.headers.authorization?.startsWith('Bearer ') ? req.headers.authorization.slice(7).trim() : '';
    if (!sameSecret(given, site.heartbeatToken)) throw new HubError(401, 'unauthorized', 'Unauthorized', 'send the site\'s heartbeat token as Authorization: Bearer <token>');
    await ctx.sync.recordHealth(site.id, { kind: 'success' }, healthThresholds(ctx.config));
    reply.code(204);
    return null;
  });

  register(app, table, ctx, {
    method: 'POST', url: '/v1/sites/:id/sync', access: 'admin', summary: 'Poll a site now (optionally a full resync, optionally waiting for the result)',
    params: IdParams, query: SyncQuery,
    responses: {
      202: { description: 'Poll queued', schema: SyncResponse }, 200: { description: 'Poll finished (wait=true)', schema: SyncResponse },
      404: { description: 'No such site' }, 409: { description: 'The site is not polled (adapter none)' },
    },
  }, async (_req, reply, { params, query }) => {
    const site = ctx.catalog.site(params.id);
    if (!site) throw notFound('site', params.id);
    if (site.adapter.kind === 'none') {
      throw new HubError(409, 'not-polled', 'Site not polled', `site "${site.id}" has no external system to poll`);
    }
    const job = await ctx.pollQueue.add('poll-now', { site: site.id, full: query.full === 'true' },
      { ...POLL_JOB_OPTIONS, deduplication: { id: `now:${site.id}` } });
    if (query.wait !== 'true') {
      reply.code(202);
      return { jobId: job.id ?? '', status: 'queued' };
    }
    const outcome = await waitForJob(ctx, job.id ?? '');
    return { jobId: job.id ?? '', status: outcome.status, ...(outcome.result ? { result: outcome.result } : {}), ...(outcome.error ? { error: outcome.error } : {}) };
  });
}
