import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ReservationAccess } from '../../reservations/reservations.js';
import type { ApiContext } from '../context.js';
import { register } from '../register.js';
import type { RouteTable } from '../route-table.js';
import { IdParams, ReservationPatch, ReservationResponse } from '../schemas.js';

const tokenHeader = [{ name: 'X-Reservation-Token', description: 'The token returned at confirm (or use the admin token)' }];

export function reservationRoutes(app: FastifyInstance, table: RouteTable, ctx: ApiContext): void {
  const access = (req: FastifyRequest): ReservationAccess => {
    if (ctx.auth.isAdmin(req)) return { admin: true };
    const token = req.headers['x-reservation-token'];
    return { admin: false, token: typeof token === 'string' ? token : undefined };
  };

  register(app, table, ctx, {
    method: 'GET', url: '/v1/reservations/:id', access: 'reservation',
    summary: 'A reservation: status, items, external ids, error if it failed',
    params: IdParams, headers: tokenHeader,
    responses: {
      200: { description: 'The reservation', schema: ReservationResponse },
      401: { description: 'No token' }, 403: { description: 'Wrong token' }, 404: { description: 'No such reservation' },
    },
  }, async (req, _reply, { params }) => ctx.reservations.get(params.id, access(req)));

  register(app, table, ctx, {
    method: 'PATCH', url: '/v1/reservations/:id', access: 'reservation',
    summary: 'Change dates, times, quantity or resource of a confirmed reservation; the new capacity is claimed before the old is released',
    params: IdParams, headers: tokenHeader, body: ReservationPatch,
    responses: {
      200: { description: 'Changed (status pending until the site has the new booking)', schema: ReservationResponse },
      400: { description: 'Invalid change' }, 401: { description: 'No token' }, 403: { description: 'Wrong token' },
      404: { description: 'No such reservation' }, 409: { description: 'Not available (the reservation is unchanged), or still being written' },
      422: { description: 'Outside the availability rules' }, 503: { description: 'Site limited in a centralized group' },
    },
  }, async (req, _reply, { params, body }) => {
    const view = await ctx.reservations.modify(params.id, access(req), body);
    ctx.metrics.reservations.inc({ action: 'modify', status: view.status });
    return view;
  });

  register(app, table, ctx, {
    method: 'DELETE', url: '/v1/reservations/:id', access: 'reservation',
    summary: 'Cancel a reservation; its capacity is free at once',
    params: IdParams, headers: tokenHeader,
    responses: {
      200: { description: 'Cancelled', schema: ReservationResponse },
      401: { description: 'No token' }, 403: { description: 'Wrong token' }, 404: { description: 'No such reservation' },
      409: { description: 'The reservation failed; nothing to cancel' },
    },
  }, async (req, _reply, { params }) => {
    const view = await ctx.reservations.cancel(params.id, access(req));
    ctx.metrics.reservations.inc({ action: 'cancel', status: view.status });
    return view;
  });
}
