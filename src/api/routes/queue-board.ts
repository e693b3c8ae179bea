import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Queue } from 'bullmq';
import { HubError } from '../../core/errors.js';
import type { ApiContext } from '../context.js';
import { throttledAdmin } from '../admin-throttle.js';
import { sendProblem } from '../problem.js';

/** Where the queue view lives (README, Operations). */
const QUEUE_BOARD_PATH = '/queues';
const REALM = 'Basic realm="Availability Hub queues", charset="UTF-8"';

/**
 * bull-board (the queue view BullMQ users know) over the hub's own queues, behind the admin token.
 *
 * A browser cannot add a Bearer header to a page it navigates to, so besides the Bearer token the
 * view takes HTTP Basic with the admin token as the password (any user name): the browser asks
 * once and sends it with the board's own API calls. Cached Basic credentials also ride along on
 * cross-site requests, so every request that can change a job (retry, clean, promote, pause) must
 * come from this origin: `Sec-Fetch-Site` or `Origin` says where a browser request comes from.
 */
export async function queueBoardRoutes(app: FastifyInstance, ctx: ApiContext, queues: readonly Queue[]): Promise<void> {
  const adapter = new FastifyAdapter();
  adapter.setBasePath(QUEUE_BOARD_PATH);
  createBullBoard({
    queues: queues.map((q) => new BullMQAdapter(q)),
    serverAdapter: adapter,
    options: { uiConfig: { boardTitle: 'Availability Hub queues' } },
  });

  await app.register(async (scope) => {
    // bull-board's routes answer errors with its own handler: refusals here are sent as the
    // hub's problems directly.
    scope.addHook('onRequest', async (req, reply) => {
      try {
        if (!['GET', 'HEAD', 'OPTIONS'].includes(req.method) && !sameOrigin(req)) {
          throw new HubError(403, 'cross-site-request', 'Cross-site request refused',
            'the queue view changes jobs only on requests from its own pages');
        }
        await admitAdmin(ctx, req, reply);
      } catch (err) {
        sendProblem(err as Error, req, reply);
        return reply;
      }
    });
    await scope.register(adapter.registerPlugin(), { prefix: QUEUE_BOARD_PATH });
  });
}

/** Accepts `Bearer <token>` and `Basic base64(<any>:<token>)`; asks the browser for Basic otherwise. */
async function admitAdmin(ctx: ApiContext, req: FastifyRequest, reply: FastifyReply): Promise<void> {
  const header = req.headers.authorization;
  if (header?.startsWith('Basic ')) {
    const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
    const password = decoded.slice(decoded.indexOf(':') + 1);
    // Re-presented as Bearer so the throttle of wrong admin tokens counts Basic guesses as well.
    req.headers.authorization = `Bearer ${password}`;
  }
  try {
    await throttledAdmin(ctx, req);
  } catch (err) {
    if (!(err instanceof HubError) || (err.status !== 401 && err.status !== 403)) throw err;
    // 401 for a wrong token too: only a 401 makes a browser ask again.
    reply.header('WWW-Authenticate', REALM);
    throw new HubError(401, 'unauthorized', 'Unauthorized', 'the queue view needs the admin token (as the password, any user name)');
  } finally {
    if (header !== undefined) req.headers.authorization = header;
  }
}

function sameOrigin(req: FastifyRequest): boolean {
  const site = req.headers['sec-fetch-site'];
  if (typeof site === 'string') return site === 'same-origin' || site === 'none';
  const origin = req.headers.origin;
  if (origin === undefined) return true; // not a browser's cross-site request (curl, scripts)
  try {
    return new URL(origin).host === req.headers.host;
  } catch {
    return false;
  }
}
