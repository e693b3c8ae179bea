import { createHash } from 'node:crypto';
import type { AdapterContext, AdapterDefinition, SourceAdapter } from '../../src/core/adapter/port.js';
import { ApaleoClient } from './client.js';
import type { CallContext } from './client.js';
import { pullApaleo } from './pull.js';
import type { PullOptions } from './pull.js';
import { apaleoPush, unwatchApaleo, watchApaleo } from './push.js';
import { apaleoSettings, apaleoSource, DEFAULT_BASE_URL, DEFAULT_TOKEN_URL, DEFAULT_WEBHOOK_URL } from './settings.js';
import type { ApaleoSettings } from './settings.js';
import { cancelApaleo, reserveApaleo } from './write.js';

export type { ApaleoSettings } from './settings.js';

/** Tuning a test (or an unusual property) may change; the defaults suit apaleo's documented limits. */
export interface ApaleoAdapterOptions extends Partial<PullOptions> {
  timeoutMs?: number;
}

const DEFAULTS = { pageSize: 200, chunkNights: 90, overlapMs: 1_000, timeoutMs: 30_000 };

/**
 * `kind: apaleo`: an apaleo property (https://api.apaleo.com). Counts per unit group and night
 * come from the Availability API, stop-sell from the rate plan's `closed` restriction, bookings
 * from the Booking API's reservations (incremental by modification time), and reservations are
 * written back as bookings with the hub's externalCode.
 */
export function createApaleoAdapter(ctx: AdapterContext<ApaleoSettings>, options: ApaleoAdapterOptions = {}): SourceAdapter {
  const settings = ctx.settings;
  const opts = { ...DEFAULTS, ...options };
  const client = new ApaleoClient({
    baseUrl: settings.baseUrl ?? DEFAULT_BASE_URL,
    tokenUrl: settings.tokenUrl ?? DEFAULT_TOKEN_URL,
    clientId: settings.clientId,
    clientSecret: settings.clientSecret,
    timeoutMs: opts.timeoutMs,
    maxBytes: ctx.limits?.maxBytes,
  });
  // The Webhook API is another host with the same credential (push subscriptions, issue 17).
  const webhooks = new ApaleoClient({
    baseUrl: settings.webhookUrl ?? DEFAULT_WEBHOOK_URL, tokenUrl: settings.tokenUrl ?? DEFAULT_TOKEN_URL,
    clientId: settings.clientId, clientSecret: settings.clientSecret, timeoutMs: opts.timeoutMs,
  });
  let propertyZone: string | null = null;
  const timezone = async (call: CallContext): Promise<string> => {
    if (propertyZone !== null) return propertyZone;
    const res = await client.get<{ timeZone?: string }>(`/inventory/v1/properties/${encodeURIComponent(settings.propertyId)}`, {}, call);
    const zone = res.data?.timeZone;
    if (zone && zone !== ctx.timezone) {
      ctx.log.warn({ property: settings.propertyId, propertyZone: zone, siteZone: ctx.timezone },
        'apaleo property time zone differs from the site; nights follow the property');
    }
    propertyZone = zone ?? ctx.timezone;
    return propertyZone;
  };
  const writeDeps = { client, settings, log: ctx.log };
  return {
    kind: 'apaleo',
    writable: true,
    pull: (req) => pullApaleo({ client, settings, options: opts, timezone }, req),
    reserve: (req) => reserveApaleo(writeDeps, req),
    cancel: (req) => cancelApaleo(writeDeps, req),
    watch: (req) => watchApaleo(webhooks, settings.propertyId, req),
    unwatch: (sub, call) => unwatchApaleo(webhooks, sub, call),
    async close() { client.dropToken(); webhooks.dropToken(); },
  };
}

export const apaleoAdapter: AdapterDefinition<ApaleoSettings> = {
  kind: 'apaleo',
  writable: true,
  settings: apaleoSettings,
  source: apaleoSource,
  credentialId: (s) => createHash('sha256').update((s.tokenUrl ?? DEFAULT_TOKEN_URL) + s.clientId).digest('hex').slice(0, 16),
  // apaleo's documented global limit for live accounts is 3500 requests/minute, 100/s on average,
  // bursts up to 200/s (https://apaleo.dev/guides/api/rate-limiting); stay below it. Dev and
  // trial accounts allow 200/minute: set `quota: { perSecond: 3, burst: 5 }` on such a site.
  quota: { perSecond: 50, burst: 100 },
  demo: (ctx) => import('./demo.js').then((m) => m.startApaleoDemo(ctx)),
  create: (ctx) => createApaleoAdapter(ctx),
  push: apaleoPush,
};
