import { z } from 'zod';
import type { AdapterDefinition, SourceAdapter } from '../../src/core/adapter/port.js';

/** `kind: none` takes no settings. */
export type NoneSettings = Record<string, never>;

/**
 * `kind: none`: the hub is the site's system of record. There is nothing to pull and nothing to
 * write back, so reservations are confirmed at once and the site is always healthy.
 */
export const noneAdapter: AdapterDefinition<NoneSettings> = {
  kind: 'none',
  writable: true,
  settings: z.strictObject({}),
  source: z.strictObject({}),
  credentialId: () => 'none',
  quota: { perSecond: 1000, burst: 1000 },
  create: (): SourceAdapter => ({
    kind: 'none',
    writable: true,
    async pull() {
      return { mode: 'full', bookings: [], removed: [], counts: [], cursor: null, skipped: [] };
    },
    async reserve(req) {
      return { externalId: req.reservationId };
    },
    async cancel() {},
    async close() {},
  }),
};
