import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { HubError, notFound } from '../../core/errors.js';
import { SIGNATURE_HEADER, TIMESTAMP_HEADER, verifySignature } from '../../alerts/signature.js';
import type { ApiContext } from '../context.js';
import { register } from '../register.js';
import type { RouteTable } from '../route-table.js';
import { IdParams, NotifyResponse } from '../schemas.js';

/**
 * `POST /v1/sites/{id}/notify`: a site's own system (a REST PMS, a script) says something changed.
 * Signed exactly like the hub's outgoing webhooks (src/alerts/signature.ts): HMAC-SHA256 of
 * `<timestamp>.<raw body>` with the site's `push.secret`. The notification only queues a poll.
 * Must be registered where the raw body is kept as a string (server.ts).
 */
export function notifyRoutes(app: FastifyInstance, table: RouteTable, ctx: ApiContext): void {
  const tolerance = ctx.config.defaults.push.tolerance;
  register(app, table, ctx, {
    method: 'POST', url: '/v1/sites/:id/notify', access: 'public',
    summary: 'A site\'s own system says its data changed: the hub polls the site now (signed like the hub\'s webhooks; any body up to 64 KiB)',
    params: IdParams,
    headers: [
      { name: TIMESTAMP_HEADER, description: 'Unix seconds when the request was signed; refused when further than defaults.push.tolerance (5 min) from the hub\'s clock', required: true },
      { name: SIGNATURE_HEADER, description: 'sha256=<hex HMAC-SHA256 of "<timestamp>.<raw body>" with the site\'s push.secret>', required: true },
    ],
    responses: {
      202: { description: 'Accepted: a poll of the site is queued (a burst collapses into one)', schema: NotifyResponse },
      401: { description: 'Missing or wrong signature (type invalid-signature), or a timestamp outside the window (type stale-notification)' },
      404: { description: 'No such site, or the site has no push.secret' },
      409: { description: 'The same signed request was seen already (type notification-replayed)' },
    },
  }, async (req, reply, { params }) => {
    const site = ctx.catalog.site(params.id);
    if (!site?.push?.secret) throw notFound('site', params.id);
    const body = typeof req.body === 'string' ? req.body : '';
    const timestamp = header(req.headers[TIMESTAMP_HEADER.toLowerCase()]);
    const signature = header(req.headers[SIGNATURE_HEADER.toLowerCase()]);
    const ts = Number(timestamp);
    if (timestamp === undefined || !Number.isInteger(ts) || Math.abs(Date.now() / 1000 - ts) > tolerance / 1000) {
      ctx.push.refused(site.id, 'generic', 'stale', `timestamp ${timestamp === undefined ? 'missing' : 'outside the window'}`);
      throw new HubError(401, 'stale-notification', 'Stale notification',
        `${TIMESTAMP_HEADER} must be the Unix time in seconds of signing, within ${tolerance / 1000} s of the hub's clock`);
    }
    if (!verifySignature(site.push.secret, timestamp, body, signature, { toleranceSeconds: tolerance / 1000 })) {
      ctx.push.refused(site.id, 'generic', 'forged', 'the signature does not match the site\'s push secret');
      throw new HubError(401, 'invalid-signature', 'Invalid signature',
        `${SIGNATURE_HEADER} must be sha256=<hex HMAC-SHA256 of "<timestamp>.<raw body>"> with the site's push secret`);
    }
    // A signed request is valid for the whole window: remember it as long, so a copy is refused.
    const nonce = createHash('sha256').update(`${timestamp}.${signature ?? ''}`).digest('hex');
    if (!(await ctx.hubStore.push.firstSighting(site.id, nonce, 2 * tolerance))) {
      ctx.push.refused(site.id, 'generic', 'replayed', 'the same signed request was seen already');
      throw new HubError(409, 'notification-replayed', 'Notification replayed', 'this signed request was accepted before; sign each notification with a fresh timestamp');
    }
    const { jobId } = await ctx.push.notified(site.id, 'generic');
    reply.code(202);
    return { status: 'queued', jobId };
  });
}

function header(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
