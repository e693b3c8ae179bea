import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { ApiContext } from '../context.js';
import { buildOpenApi } from '../openapi.js';
import { register } from '../register.js';
import type { RouteTable } from '../route-table.js';
import { liveWorkers } from '../../health/worker-heartbeat.js';

const Ready = z.object({ status: z.enum(['ready', 'not-ready']), redis: z.enum(['up', 'down']), workers: z.int() });

/** Where things are, for `GET /` (absolute paths on this hub). */
const LINKS = {
  dashboard: '/dashboard/', docs: '/docs', openapi: '/openapi.json', metrics: '/metrics',
  healthz: '/healthz', readyz: '/readyz', widget: '/widget.js',
} as const;
const Index = z.object({
  name: z.literal('Availability Hub'), version: z.string(),
  links: z.object(Object.fromEntries(Object.keys(LINKS).map((k) => [k, z.string()])) as Record<keyof typeof LINKS, z.ZodString>),
});

export function systemRoutes(app: FastifyInstance, table: RouteTable, ctx: ApiContext): void {
  // A person who opens the hub's address in a browser wants the staff dashboard; a script (curl,
  // a monitoring probe) gets a small JSON index of the links instead of a 404.
  register(app, table, ctx, {
    method: 'GET', url: '/', access: 'public',
    summary: 'Index: a browser (Accept: text/html) is redirected to /dashboard/; other clients get the links as JSON',
    responses: {
      200: { description: 'Name, version and where the dashboard, docs, OpenAPI, metrics and probes are', schema: Index },
      302: { description: 'To /dashboard/ (for a browser)' },
    },
  }, async (req, reply) => {
    if (prefersHtml(req.headers.accept)) return reply.redirect('dashboard/', 302);
    return { name: 'Availability Hub', version: ctx.version, links: LINKS };
  });

  register(app, table, ctx, {
    method: 'GET', url: '/healthz', access: 'public', summary: 'The process is alive',
    responses: { 200: { description: 'Alive', schema: z.object({ status: z.literal('ok') }) } },
  }, async () => ({ status: 'ok' }));

  register(app, table, ctx, {
    method: 'GET', url: '/readyz', access: 'public', summary: 'Redis reachable and workers running',
    responses: { 200: { description: 'Ready', schema: Ready }, 503: { description: 'Not ready', schema: Ready } },
  }, async (_req, reply) => {
    let redis: 'up' | 'down' = 'up';
    let workers = 0;
    try {
      await ctx.hubStore.ping();
      workers = await liveWorkers(ctx.hubStore.workers);
    } catch {
      redis = 'down';
    }
    const ready = redis === 'up' && workers > 0;
    reply.code(ready ? 200 : 503);
    return { status: ready ? 'ready' : 'not-ready', redis, workers };
  });

  register(app, table, ctx, {
    method: 'GET', url: '/metrics', access: 'public', summary: 'Prometheus metrics',
    responses: { 200: { description: 'Prometheus text format', contentType: 'text/plain' } },
  }, async (_req, reply) => {
    reply.type(ctx.metrics.registry.contentType);
    return ctx.metrics.registry.metrics();
  });

  register(app, table, ctx, {
    method: 'GET', url: '/openapi.json', access: 'public', summary: 'This document',
    responses: { 200: { description: 'OpenAPI 3.1' } },
  }, async () => buildOpenApi(table.specs, ctx.version));
}

/** True when the Accept header asks for HTML before JSON (as browsers' page loads do). */
function prefersHtml(accept: string | undefined): boolean {
  if (!accept) return false;
  const html = accept.indexOf('text/html');
  const json = accept.indexOf('application/json');
  return html !== -1 && (json === -1 || html < json);
}
