import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { HubError } from '../core/errors.js';
import { isStoreUnavailable } from '../store/errors.js';

/** Seconds to suggest when a 429/503 knows no better (the store down, a replica slow to answer). */
const DEFAULT_RETRY_AFTER_S = 5;

/**
 * The wait a problem carries (`retryAfter`, whole seconds: rate limits, the admin throttle, a
 * limited site's next probe), else the default. Header and body say the same.
 */
function retryAfterOf(extra: Record<string, unknown> | undefined): number {
  const own = extra?.retryAfter;
  return typeof own === 'number' && Number.isFinite(own) && own > 0 ? Math.ceil(own) : DEFAULT_RETRY_AFTER_S;
}

/** Every error becomes an RFC 9457 problem with a stable `type`; no stack ever reaches a client. */
export function installProblemHandler(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError, req, reply) => sendProblem(err, req, reply));
  app.setNotFoundHandler((req, reply) => {
    void reply.code(404).type('application/problem+json').send({
      type: 'not-found', title: 'Not found', status: 404, detail: `no route ${req.method} ${req.url.split('?')[0]}`,
    });
  });
}

/**
 * Answers with the problem an error stands for. Also for scopes with an error handler of their
 * own (the queue view's): their hooks send the hub's problems through this.
 */
export function sendProblem(err: FastifyError | Error, req: FastifyRequest, reply: FastifyReply): void {
  let problem: { status: number; type: string; title: string; detail: string; extra?: Record<string, unknown> };
  if (err instanceof HubError) {
    problem = { status: err.status, type: err.type, title: err.title, detail: err.message, extra: err.extra };
  } else if ('statusCode' in err && err.statusCode && err.statusCode >= 400 && err.statusCode < 500) {
    // Fastify's own refusals: malformed JSON, wrong content type, body too large.
    problem = { status: err.statusCode, type: err.code === 'FST_ERR_CTP_BODY_TOO_LARGE' ? 'body-too-large' : 'invalid-request',
      title: 'Invalid request', detail: err.message };
  } else if (isStoreUnavailable(err)) {
    req.log.error({ err: err.message }, 'store unavailable');
    problem = { status: 503, type: 'store-unavailable', title: 'Store unavailable',
      detail: 'the hub cannot reach its Redis; try again shortly' };
  } else {
    req.log.error({ err }, 'unexpected error');
    problem = { status: 500, type: 'internal', title: 'Internal error', detail: `request ${req.id} failed; the hub logged why` };
  }
  let extra = problem.extra;
  if (problem.status === 429 || problem.status === 503) {
    const retryAfter = retryAfterOf(extra);
    reply.header('Retry-After', String(retryAfter));
    extra = { ...extra, retryAfter };
  }
  void reply.code(problem.status).type('application/problem+json').send({
    type: problem.type, title: problem.title, status: problem.status, detail: problem.detail,
    instance: req.url.split('?')[0], ...extra,
  });
}
