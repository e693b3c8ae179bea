import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ConflictRecord } from '../../conflicts/types.js';
import { notFound } from '../../core/errors.js';
import type { ApiContext } from '../context.js';
import { register } from '../register.js';
import type { RouteTable } from '../route-table.js';
import {
  ConflictListQuery, ConflictListResponse, ConflictResolveRequest, ConflictResolveResponse, ConflictView, IdParams,
} from '../schemas.js';

/** What staff see of a conflict (the bookkeeping of past decisions stays inside). */
function view(rec: ConflictRecord) {
  const { decidedFor: _d, acceptedRefs: _a, atSite: _s, ...rest } = rec;
  return rest;
}

/**
 * Admin: conflicts and staff decisions (DESIGN §7). Also re-checks the conflicts a hub
 * reservation may settle or open once it is cancelled, modified or confirmed (cascades).
 */
/** What runs after a response is sent (server.ts calls it from its one onResponse hook). */
export type AfterResponse = (req: FastifyRequest, reply: FastifyReply) => Promise<void>;

/** The conflict routes; answers the cascade to run after each response. */
export function conflictRoutes(app: FastifyInstance, table: RouteTable, ctx: ApiContext): AfterResponse {
  const { conflicts } = ctx;

  register(app, table, ctx, {
    method: 'GET', url: '/v1/conflicts', access: 'admin',
    summary: 'Conflicts: capacity exceeded on some resource and time, with the bookings involved, the policy, the outcome and the audit trail',
    query: ConflictListQuery,
    responses: { 200: { description: 'Conflicts, newest first', schema: ConflictListResponse }, 401: { description: 'No admin token' } },
  }, async (_req, _reply, { query }) => ({ conflicts: (await conflicts.list(query.status, query.limit ?? 200)).map(view) }));

  register(app, table, ctx, {
    method: 'GET', url: '/v1/conflicts/:id', access: 'admin', summary: 'One conflict',
    params: IdParams,
    responses: { 200: { description: 'The conflict', schema: ConflictView }, 404: { description: 'No such conflict' } },
  }, async (_req, _reply, { params }) => {
    const rec = await conflicts.get(params.id);
    if (!rec) throw notFound('conflict', params.id);
    return view(rec);
  });

  register(app, table, ctx, {
    method: 'POST', url: '/v1/conflicts/:id/resolve', access: 'admin',
    summary: 'A staff decision: keep one booking, cancel some, or accept the overbooking (recorded in the audit trail)',
    params: IdParams, body: ConflictResolveRequest,
    responses: {
      200: { description: 'Decision applied', schema: ConflictResolveResponse }, 400: { description: 'Invalid body' },
      404: { description: 'No such conflict' }, 409: { description: 'Already resolved (type conflict-resolved)' },
      422: { description: 'A booking that is not part of this conflict (type unknown-booking)' },
    },
  }, async (_req, _reply, { params, body }) => {
    const out = await conflicts.resolve(params.id, body);
    return { ...out, conflict: view(out.conflict) };
  });

  // Cascades: a cancellation or modification that frees capacity closes the conflicts it settles;
  // a confirm or modification that overbooks opens one. After the answer is sent: never in its way.
  return async (req, reply) => {
    if (reply.statusCode >= 300) return;
    const url = req.routeOptions.url;
    const id = (req.params as { id?: unknown } | undefined)?.id;
    if (typeof id !== 'string') return;
    let reservation: string | undefined;
    if (url === '/v1/reservations/:id' && (req.method === 'DELETE' || req.method === 'PATCH')) {
      reservation = id;
      if (req.method === 'PATCH') await conflicts.reservationModified(id).catch(() => undefined);
    } else if (url === '/v1/holds/:id/confirm' && req.method === 'POST') {
      reservation = (await ctx.store.getHold(id).catch(() => null))?.reservationId;
    }
    if (!reservation) return;
    await conflicts.checkReservation(reservation).catch((err: unknown) =>
      req.log.warn({ err: (err as Error).message, reservation }, 'conflict re-check failed; the next poll repeats it'));
  };
}
