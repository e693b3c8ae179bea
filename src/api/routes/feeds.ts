import type { FastifyInstance } from 'fastify';
import type { ApiContext } from '../context.js';
import { notModified } from '../conditional.js';
import { register } from '../register.js';
import type { RouteTable } from '../route-table.js';
import { FeedParams, FeedQuery } from '../schemas.js';

/**
 * `GET /v1/feeds/{site}/{resource}.ics?token=…`: the busy blocks of a resource for an OTA that
 * imports calendars by URL (src/feeds builds them). The token is the URL's secret: only the route
 * pattern, never the URL, reaches logs and metrics.
 */
export function feedRoutes(app: FastifyInstance, table: RouteTable, ctx: ApiContext): void {
  register(app, table, ctx, {
    method: 'GET', url: '/v1/feeds/:site/:resource.ics', access: 'feed',
    summary: 'iCalendar feed of a resource\'s busy blocks for an OTA (Airbnb, Booking.com, Vrbo), without the importer\'s own bookings',
    params: FeedParams, query: FeedQuery,
    responses: {
      200: { description: 'RFC 5545 iCalendar: one all-day VEVENT per run of busy nights (bookedBy night) or one UTC VEVENT per busy interval; SUMMARY "Not available", no guest data', contentType: 'text/calendar' },
      304: { description: 'Not modified (If-None-Match matched the ETag, or nothing changed since If-Modified-Since)' },
      401: { description: 'No token, or a token that does not open this feed (type unauthorized)' },
      404: { description: 'No feed is configured for this site and resource (type not-found)' },
    },
  }, async (req, reply, { params, query }) => {
    const feed = ctx.feeds.open(params.site, params.resource, query.token);
    const built = await ctx.feeds.build(feed);
    reply.headers({
      ETag: built.etag,
      'Last-Modified': new Date(built.lastModified).toUTCString(),
      // Private: the URL carries a secret, so shared caches keep no copy; revalidated every time,
      // which costs one ledger read and a 304 when nothing changed.
      'Cache-Control': 'private, no-cache',
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'no-referrer',
    });
    if (notModified(req, built.etag, built.lastModified)) return reply.code(304).send();
    return reply.type('text/calendar; charset=utf-8').send(built.body);
  });
}
