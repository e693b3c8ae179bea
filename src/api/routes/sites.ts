import type { FastifyInstance } from 'fastify';
import type { SiteConfig } from '../../config/types.js';
import { notFound } from '../../reservations/errors.js';
import type { ApiContext } from '../context.js';
import { register } from '../register.js';
import type { RouteTable } from '../route-table.js';
import { IdParams, SiteSummary, SitesResponse } from '../schemas.js';

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
    method: 'GET', url: '/v1/sites/:id', access: 'admin', summary: 'One site: configuration summary and health',
    params: IdParams,
    responses: { 200: { description: 'The site', schema: SiteSummary }, 404: { description: 'No such site' } },
  }, async (_req, _reply, { params }) => {
    const site = ctx.catalog.site(params.id);
    if (!site) throw notFound('site', params.id);
    return summary(site);
  });
}
