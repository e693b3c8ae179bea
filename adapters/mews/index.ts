import type { AdapterDefinition, SourceAdapter } from '../../src/core/adapter/port.js';
import { createMewsCall, type CallContext } from './client.js';
import { pullMews } from './pull.js';
import { mewsPush } from './push.js';
import { mewsCredentialId, mewsSettings, mewsSource, type MewsSettings } from './settings.js';
import { cancelMews, modifyMews, readServiceOffsets, reserveMews } from './write.js';

/**
 * `kind: mews`: a hotel on Mews Operations through the Connector API. Counts per room type and
 * night are authoritative (services/getAvailability); reservations come with the hub's reference
 * when the hub wrote them. See README.md for endpoints, mapping, limits and idempotency.
 */
export const mewsAdapter: AdapterDefinition<MewsSettings> = {
  kind: 'mews',
  writable: true,
  settings: mewsSettings,
  source: mewsSource,
  credentialId: mewsCredentialId,
  // 200 requests per AccessToken per 30 s: a bucket of 20 refilled at 6/s never exceeds it
  // (20 + 6 × 30 = 200 in any 30 s).
  quota: { perSecond: 6, burst: 20 },
  push: mewsPush,
  demo: (ctx) => import('./demo.js').then((m) => m.startMewsDemo(ctx)),
  create: (ctx): SourceAdapter => {
    const settings = ctx.settings;
    const call = createMewsCall(settings, ctx.limits?.maxBytes);
    let offsets: Promise<{ start: number; end: number }> | undefined;
    const deps = {
      settings,
      call,
      offsets(c: CallContext) {
        offsets ??= readServiceOffsets({ settings, call }, c).catch((err: unknown) => {
          offsets = undefined;
          throw err;
        });
        return offsets;
      },
    };
    return {
      kind: 'mews',
      writable: true,
      pull: (req) => pullMews(deps, req),
      reserve: (req) => reserveMews(deps, req),
      cancel: (req) => cancelMews(deps, req),
      modify: (req) => modifyMews(deps, req),
      async close() {},
    };
  },
};

