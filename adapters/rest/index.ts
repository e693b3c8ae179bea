import { createHash } from 'node:crypto';
import type { AdapterDefinition, SourceAdapter, WriteRequest } from '../../src/core/adapter/port.js';
import { createRestClient } from './http.js';
import { pull } from './pull.js';
import { restSettings, restSource, type RestSettings } from './settings.js';
import { cancel, modify, reserve } from './write.js';

export type { RestSettings } from './settings.js';

/**
 * `kind: rest`: a home-grown PMS with a JSON API, mapped by configuration (README.md). Reads
 * per-night counts and/or a booking list; writes back when `create` (with `lookup`) is configured,
 * and changes bookings in place when `modify` is.
 *
 * `writable` is static per kind, so it is true: create and cancel are optional settings, and a
 * site without `create` fails its write-backs with a clear error. Keep such sites out of
 * centralized groups.
 *
 * Quota: 5 requests per second, burst 10, per credential (baseUrl + auth value) — a guess kind to a
 * small self-hosted server; override it per site with `adapter.quota`.
 */
export const restAdapter: AdapterDefinition<RestSettings> = {
  kind: 'rest',
  writable: true,
  settings: restSettings,
  source: restSource,
  credentialId: (s) => createHash('sha256')
    .update(s.baseUrl + (s.auth?.value ?? '') + (s.auth?.oauth2 ? `${s.auth.oauth2.clientId}:${s.auth.oauth2.clientSecret}` : ''))
    .digest('hex').slice(0, 16),
  quota: { perSecond: 5, burst: 10 },
  demo: (ctx) => import('./demo.js').then((m) => m.startRestDemo(ctx)),
  create: (ctx): SourceAdapter => {
    // The site's byte limit (`limits.maxBytes`); the request timeout stays the adapter's `timeoutMs`.
    const client = createRestClient(ctx.settings, { maxBytes: ctx.limits?.maxBytes });
    return {
      kind: 'rest',
      writable: ctx.settings.create !== undefined,
      pull: (req) => pull(ctx.settings, client, req, ctx.log),
      reserve: (req) => reserve(ctx.settings, client, req),
      cancel: (req) => cancel(ctx.settings, client, req),
      // In place only where the PMS has an endpoint for it; else the core books anew and cancels.
      ...(ctx.settings.modify ? { modify: (req: WriteRequest & { externalId: string }) => modify(ctx.settings, client, req) } : {}),
      async close() {},
    };
  },
};
