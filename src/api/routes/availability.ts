import { HubError } from '../../core/errors.js';
import type { ApiContext } from '../context.js';
import { register } from '../register.js';
import type { RouteTable } from '../route-table.js';
import type { FastifyInstance } from 'fastify';
import type { z } from 'zod';
import type { AvailabilityQuery as ServiceQuery } from '../../reservations/availability.js';
import { AvailabilityQuery, AvailabilityResponse } from '../schemas.js';

type Parsed = z.output<typeof AvailabilityQuery>;

/**
 * The service's query per parsed query: register() keeps parsed queries per query string
 * (keepParsedQueries), so a widget asking the same URL again reuses both.
 */
const asked = new WeakMap<Parsed, ServiceQuery>();

function askedOf(query: Parsed): ServiceQuery {
  const sites = (Array.isArray(query.site) ? query.site : [query.site])
    .flatMap((s) => s.split(',')).map((s) => s.trim()).filter(Boolean);
  if (sites.length === 0) throw new HubError(400, 'invalid-request', 'Invalid request', 'site: at least one site id is needed', { field: 'site' });
  const q: ServiceQuery = { sites: [...new Set(sites)], resource: query.resource, group: query.group, from: query.from, to: query.to };
  asked.set(query, q);
  return q;
}

export function availabilityRoutes(app: FastifyInstance, table: RouteTable, ctx: ApiContext): void {
  register(app, table, ctx, {
    method: 'GET', url: '/v1/availability', access: 'widget', rateLimitInStore: true, keepParsedQueries: true,
    summary: 'Availability of sites per night or as pieces of constant availability',
    query: AvailabilityQuery,
    responses: {
      200: { description: 'Availability per site and resource', schema: AvailabilityResponse },
      400: { description: 'Invalid query' }, 401: { description: 'No or unknown key' },
      403: { description: 'Site or origin not allowed for this key' }, 404: { description: 'Unknown site or group' },
    },
  }, async (_req, reply, { query, caller, rate }) => {
    const q = asked.get(query) ?? askedOf(query);
    if (caller?.kind === 'widget') {
      const denied = q.sites.find((s) => !caller.sites.has(s));
      if (denied) throw new HubError(403, 'forbidden-site', 'Site not allowed', `this key may not read site "${denied}"`, { site: denied });
    }
    // Already JSON bytes (kept per query while nothing it depends on changed): sent as they are.
    const json = await ctx.availability.readJson(q, rate);
    return reply.type('application/json; charset=utf-8').send(json);
  });
}
