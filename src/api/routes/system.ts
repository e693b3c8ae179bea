import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { ApiContext } from '../context.js';
import { buildOpenApi } from '../openapi.js';
import { register } from '../register.js';
import type { RouteTable } from '../route-table.js';
import { liveWorkers } from '../../health/worker-heartbeat.js';

const Ready = z.object({ status: z.enum(['ready', 'not-ready']), redis: z.enum(['up', 'down']), workers: z.int() });

export function systemRoutes(app: FastifyInstance, table: RouteTable, ctx: ApiContext): void {
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
