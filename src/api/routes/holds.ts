import type { FastifyInstance } from 'fastify';
import { HubError, notFound } from '../../core/errors.js';
import { RateLimited } from '../../store/rate-limits.js';
import type { Caller } from '../auth.js';
import type { ApiContext } from '../context.js';
import { register } from '../register.js';
import type { RouteTable } from '../route-table.js';
import { ConfirmResponse, HoldRequest, HoldResponse, IdParams } from '../schemas.js';

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,200}$/;

export function holdRoutes(app: FastifyInstance, table: RouteTable, ctx: ApiContext): void {
  /** A widget key reaches only holds on its own sites: another site's hold looks like no hold. */
  const ownHold = async (id: string, caller: Caller | null) => {
    if (caller?.kind !== 'widget') return;
    const hold = await ctx.store.getHold(id);
    if (hold && hold.items.some((item) => !caller.sites.has(item.site))) throw notFound('hold', id);
  };

  register(app, table, ctx, {
    method: 'POST', url: '/v1/holds', access: 'widget', rateLimitInStore: true,
    summary: 'Hold capacity (one item, or several all-or-nothing) until it expires',
    body: HoldRequest,
    headers: [{ name: 'Idempotency-Key', description: 'The same key and body return the original hold (header Idempotent-Replayed: true), '
      + 'answered before anything else is checked: also while the site is limited and after the clock or the rules moved on. '
      + 'Another body under the same key is 422 idempotency-key-reused. Keys are kept 24 hours, per widget key.' }],
    responses: {
      201: { description: 'Held', schema: HoldResponse }, 400: { description: 'Invalid body' },
      403: { description: 'Site not allowed for this key' }, 404: { description: 'Unknown site or resource' },
      409: { description: 'Not available (type unavailable)' },
      422: { description: 'Outside availability rules, or Idempotency-Key reused with another body' },
      429: { description: 'Too many open holds for this client' },
      503: { description: 'Site limited in a centralized group (type site-limited; nextProbeAt, and retryAfter with the Retry-After header, say when the hub asks the site again)' },
    },
  }, async (req, reply, { body, caller, rate }) => {
    const idem = req.headers['idempotency-key'];
    if (idem !== undefined && (typeof idem !== 'string' || !IDEMPOTENCY_KEY.test(idem))) {
      throw new HubError(400, 'invalid-request', 'Invalid request', 'Idempotency-Key: 1 to 200 visible ASCII characters', { field: 'Idempotency-Key' });
    }
    const items = body.items ?? [{ site: body.site, resource: body.resource, quantity: body.quantity,
      start: body.start, end: body.end, checkIn: body.checkIn, checkOut: body.checkOut }];
    try {
      const hold = await ctx.holds.create({
        items, single: !body.items, customer: body.customer, idempotencyKey: idem, rate,
        caller: caller!.kind === 'widget' ? { scope: caller!.scope, sites: caller!.sites } : { scope: 'admin' },
        ...(caller!.kind === 'widget' && caller!.key.maxOpenHolds > 0
          ? { client: { address: req.ip, maxOpen: caller!.key.maxOpenHolds } } : {}),
      });
      ctx.metrics.holds.inc({ outcome: hold.replayed ? 'replayed' : 'created' });
      if (hold.replayed) reply.header('Idempotent-Replayed', 'true');
      reply.code(201).header('Location', `/v1/holds/${hold.id}`);
      return { id: hold.id, expiresAt: hold.expiresAt, status: hold.status, ...(hold.unconfirmedBySite ? { unconfirmedBySite: true } : {}) };
    } catch (err) {
      if (err instanceof RateLimited) throw err; // answered by register(), never reached the hold
      ctx.metrics.holds.inc({ outcome: err instanceof HubError ? err.type : 'error' });
      throw err;
    }
  });

  register(app, table, ctx, {
    method: 'POST', url: '/v1/holds/:id/confirm', access: 'widget',
    summary: 'Confirm a hold: it becomes a reservation (pending until written back)',
    params: IdParams,
    responses: {
      202: { description: 'Reservation made', schema: ConfirmResponse }, 404: { description: 'No such hold' },
      409: { description: 'Hold was released (hold-released), or its reservation was since cancelled (reservation-cancelled) or failed (reservation-failed)' },
      410: { description: 'Hold expired (type hold-expired)' },
      503: { description: 'Site limited in a centralized group (type site-limited, with nextProbeAt and retryAfter as for POST /v1/holds)' },
    },
  }, async (_req, reply, { params, caller }) => {
    await ownHold(params.id, caller);
    const result = await ctx.holds.confirm(params.id);
    ctx.metrics.reservations.inc({ action: 'confirm', status: result.status });
    reply.code(202).header('Location', `/v1/reservations/${result.reservationId}`);
    return result;
  });

  register(app, table, ctx, {
    method: 'DELETE', url: '/v1/holds/:id', access: 'widget',
    summary: 'Release a hold',
    params: IdParams,
    responses: { 204: { description: 'Released (or already over)' }, 404: { description: 'No such hold' }, 409: { description: 'Already confirmed' } },
  }, async (_req, reply, { params, caller }) => {
    await ownHold(params.id, caller);
    await ctx.holds.release(params.id);
    reply.code(204);
    return null;
  });
}
