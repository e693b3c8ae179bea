import { HubError } from '../../core/errors.js';
import type { ApiContext } from '../context.js';
import { register } from '../register.js';
import type { RouteTable } from '../route-table.js';
import type { FastifyInstance } from 'fastify';
import { AvailabilityQuery, AvailabilityResponse } from '../schemas.js';

export function availabilityRoutes(app: FastifyInstance, table: RouteTable, ctx: ApiContext): void {
  register(app, table, ctx, {
    method: 'GET', url: '/v1/availability', access: 'widget', rateLimitInStore: true,
    summary: 'Availability of sites per night or as pieces of constant availability',
    query: AvailabilityQuery,
    responses: {
      200: { description: 'Availability per site and resource', schema: AvailabilityResponse },
      400: { description: 'Invalid query' }, 401: { description: 'No or unknown key' },
      403: { description: 'Site or origin not allowed for this key' }, 404: { description: 'Unknown site or group' },
    },
  }, async (_req, reply, { query, caller, rate }) => {
    const sites = (Array.isArray(query.site) ? query.site : [query.site])
      .flatMap((s: string) => s.split(',')).map((s: string) => s.trim()).filter(Boolean) as string[];
    if (sites.length === 0) throw new HubError(400, 'invalid-request', 'Invalid request', 'site: at least one site id is needed', { field: 'site' });
    if (caller?.kind === 'widget') {
      const denied = sites.find((s) => !caller.sites.has(s));
      if (denied) throw new HubError(403, 'forbidden-site', 'Site not allowed', `this key may not read site "${denied}"`, { site: denied });
    }
    // Already JSON bytes (kept per query while nothing it depends on changed): sent as they are.
    const json = await ctx.availability.readJson({ sites: [...new Set(sites)], resource: query.resource, group: query.group, from: query.from, to: query.to }, rate);
    return reply.type('application/json; charset=utf-8').send(json);
  });
}
