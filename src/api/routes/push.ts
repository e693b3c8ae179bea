import type { FastifyInstance } from 'fastify';
import { HubError, notFound } from '../../core/errors.js';
import { sameSecret } from '../../domain/same-secret.js';
import { adapterDefinition } from '../../sync/registry.js';
import { pushRoutes } from '../../sync/push-status.js';
import type { ApiContext } from '../context.js';
import { register } from '../register.js';
import type { RouteTable } from '../route-table.js';
import { IdParams, NotifyResponse, PushTokenQuery } from '../schemas.js';

/** How long a vendor message id (Google channel and message number, apaleo event id) is remembered. */
const REPLAY_MEMORY_MS = 2 * 86_400_000;

const VENDORS = {
  google: {
    summary: 'Google Calendar push notification (events.watch channel): the hub polls the site now',
    detail: 'empty body; X-Goog-Channel-ID, X-Goog-Channel-Token, X-Goog-Resource-ID, X-Goog-Resource-State (sync, exists, not_exists), X-Goog-Message-Number',
    urlToken: false,
  },
  apaleo: {
    summary: 'apaleo webhook event (Webhook API subscription): the hub polls the site now',
    detail: 'JSON {id, topic, type, accountId, propertyId, timestamp, data}; ?token= the site\'s push.secret',
    urlToken: true,
  },
  mews: {
    summary: 'Mews general webhook message: the hub polls the site now',
    detail: 'JSON {EnterpriseId, IntegrationId, Events: [{Discriminator, Value}]}; ?token= the site\'s push.secret',
    urlToken: true,
  },
} as const;

/**
 * The vendors' own notification formats (issue 17), one route per vendor so each is documented:
 * each is checked as its vendor documents (adapters/<kind>/push.ts), then only queues a poll.
 * Registered where raw bodies are kept (server.ts).
 */
export function pushRoutesOf(app: FastifyInstance, table: RouteTable, ctx: ApiContext): void {
  for (const [vendor, v] of Object.entries(VENDORS)) {
    register(app, table, ctx, {
      method: 'POST', url: `/v1/sites/:id/push/${vendor}`, access: 'public', summary: `${v.summary} (${v.detail})`,
      params: IdParams, ...(v.urlToken ? { query: PushTokenQuery } : {}),
      responses: {
        200: { description: 'Authentic, nothing changed (a channel opened, a health check): no poll' },
        202: { description: 'Accepted: a poll of the site is queued (a burst collapses into one)', schema: NotifyResponse },
        400: { description: 'Not a notification of this vendor (type malformed-notification)' },
        401: { description: 'Wrong token or unknown channel (type invalid-signature)' },
        404: { description: 'No such site, or it takes no notifications from this vendor' },
        409: { description: 'The same message was accepted before (type notification-replayed)' },
      },
    }, async (req, reply, { params, query }) => {
      const site = ctx.catalog.site(params.id);
      if (!site || site.adapter.kind !== vendor || !pushRoutes(site, ctx.config).includes(vendor)) throw notFound('site', params.id);
      const support = adapterDefinition(vendor).push;
      if (!support) throw notFound('site', params.id);
      const refuse = (outcome: 'forged' | 'unknown-channel' | 'malformed', detail: string): never => {
        ctx.push.refused(site.id, vendor, outcome, detail);
        if (outcome === 'malformed') throw new HubError(400, 'malformed-notification', 'Malformed notification', detail);
        throw new HubError(401, 'invalid-signature', 'Invalid notification', detail);
      };
      if (v.urlToken && !sameSecret(String((query as { token?: string } | undefined)?.token ?? ''), site.push?.secret ?? '')) {
        refuse('forged', 'the URL token is not the site\'s push secret');
      }
      const headers: Record<string, string | undefined> = {};
      for (const [k, value] of Object.entries(req.headers)) headers[k] = Array.isArray(value) ? value[0] : value;
      const verdict = support.verify({ headers, body: typeof req.body === 'string' ? req.body : '' }, await ctx.hubStore.push.subscriptions(site.id));
      if (verdict.kind === 'refused') return refuse(verdict.reason, verdict.detail);
      if (verdict.nonce && !(await ctx.hubStore.push.firstSighting(site.id, `${vendor}:${verdict.nonce}`, REPLAY_MEMORY_MS))) {
        ctx.push.refused(site.id, vendor, 'replayed', 'the same message was accepted before');
        throw new HubError(409, 'notification-replayed', 'Notification replayed', 'this message was accepted before');
      }
      if (verdict.kind === 'heard') {
        await ctx.push.heard(site.id, vendor);
        reply.code(200);
        return null;
      }
      const { jobId } = await ctx.push.notified(site.id, vendor);
      reply.code(202);
      return { status: 'queued', jobId };
    });
  }
}
