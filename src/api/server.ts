import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { ApiContext } from './context.js';
import { OriginRefused, OriginRefusals } from './origin-refusals.js';
import { installProblemHandler, routingProblem } from './problem.js';
import { RouteTable } from './route-table.js';
import { adminOpsRoutes } from './routes/admin-ops.js';
import { adminWritebackRoutes } from './routes/admin-writebacks.js';
import { availabilityRoutes } from './routes/availability.js';
import { conflictRoutes, type AfterResponse } from './routes/conflicts.js';
import { dashboardRoutes } from './routes/dashboard.js';
import { docsRoutes } from './routes/docs.js';
import { feedRoutes } from './routes/feeds.js';
import { holdRoutes } from './routes/holds.js';
import { queueBoardRoutes } from './routes/queue-board.js';
import { reservationRoutes } from './routes/reservations.js';
import { siteRoutes } from './routes/sites.js';
import { notifyRoutes } from './routes/notify.js';
import { pushRoutesOf } from './routes/push.js';
import { systemRoutes } from './routes/system.js';
import { widgetRoutes } from './routes/widget.js';

const CORS_HEADERS = 'Content-Type, X-Api-Key, Idempotency-Key, X-Reservation-Token, Authorization';

/** The HTTP server of the hub: public v1, admin v1, OpenAPI and metrics. */
export async function buildServer(ctx: ApiContext): Promise<FastifyInstance> {
  const app = Fastify({
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion -- not unnecessary: it makes Fastify infer FastifyInstance<…, FastifyBaseLogger> rather than pino's Logger, which tsc then refuses where the app is passed on
    loggerInstance: ctx.logger.child({ role: 'api' }) as FastifyBaseLogger,
    bodyLimit: 64 * 1024,
    // One line per request is the metrics' job; logs keep what went wrong.
    logController: new LogController({ disableRequestLogging: true }),
    trustProxy: ctx.config.http.trustProxy ?? false,
    frameworkErrors: routingProblem,
  });
  installProblemHandler(app);
  // Refused pages are told nothing they can read (no CORS headers); the hub's log says who was refused.
  const refusals = new OriginRefusals(ctx.logger.child({ role: 'api' }));
  app.addHook('onError', async (_req, _reply, err) => {
    if (err instanceof OriginRefused) refusals.note(err.origin, err.key);
  });

  // Preflights carry no key: answer them for any origin some widget key allows; the request
  // itself is then checked against its own key's origins. A route of its own, not an onRequest
  // hook: hooks run for every request of every route (on the widget path they cost ~10 % of a read).
  app.options('*', async (req, reply) => {
    const origin = req.headers.origin;
    if (!origin) return reply.callNotFound();
    if (!ctx.auth.anyKeyAllows(origin)) {
      refusals.note(origin, null);
      return reply.code(403).type('application/problem+json').send({
        type: 'origin-not-allowed', title: 'Origin not allowed', status: 403, detail: `no widget key allows ${origin}` });
    }
    return reply.code(204).headers({
      'Access-Control-Allow-Origin': origin,
      'Access-Control-Allow-Methods': 'GET, POST, DELETE, PATCH',
      'Access-Control-Allow-Headers': CORS_HEADERS,
      'Access-Control-Max-Age': '600',
      Vary: 'Origin',
    }).send();
  });
  // The one hook every request passes: its duration, then what some routes run after answering.
  let afterResponse: AfterResponse = () => Promise.resolve();
  // Callback style, not async: no promise per request unless a route has something to run after.
  app.addHook('onResponse', (req, reply, done) => {
    const route = req.routeOptions.url;
    ctx.metrics.requestSeconds.observe(
      { method: req.method, route: route ?? 'unknown', status: String(reply.statusCode) },
      reply.elapsedTime / 1000);
    if (reply.statusCode >= 500) req.log.warn({ route, status: reply.statusCode }, 'request failed');
    if (req.method === 'GET' || reply.statusCode >= 300) {
      done();
      return;
    }
    afterResponse(req, reply).then(() => done(), () => done());
  });

  const table = new RouteTable();
  systemRoutes(app, table, ctx);
  availabilityRoutes(app, table, ctx);
  holdRoutes(app, table, ctx);
  reservationRoutes(app, table, ctx);
  siteRoutes(app, table, ctx);
  afterResponse = conflictRoutes(app, table, ctx);
  widgetRoutes(app, table, ctx);
  adminWritebackRoutes(app, table, ctx);
  feedRoutes(app, table, ctx);
  adminOpsRoutes(app, table, ctx);
  dashboardRoutes(app, table, ctx);
  docsRoutes(app, table, ctx);
  await queueBoardRoutes(app, ctx, ctx.queues);
  // Notifications are verified over their raw bytes (signatures, empty Google bodies): in a scope
  // of their own, every body is kept as the string it arrived as.
  await app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => done(null, body));
    notifyRoutes(scope, table, ctx);
    pushRoutesOf(scope, table, ctx);
  });
  return app;
}
