import type { AdapterDefinition, SourceAdapter } from '../../src/core/adapter/port.js';
import { limitsOf, offThreadOf } from '../parsing/index.js';
import { pullFeeds } from './pull.js';
import { icalFeedCredentialId, icalFeedSettings, icalFeedSource } from './settings.js';
import type { IcalFeedSettings } from './settings.js';

export { icalFeedSettings } from './settings.js';
export type { IcalFeedSettings } from './settings.js';

const readOnly = (what: string) =>
  new Error(`ical-feed is read-only: it cannot ${what} (an .ics export cannot be written to; use a writable adapter or a hybrid/decentralized group)`);

/**
 * `kind: ical-feed`: reads `.ics` exports of booking tools and OTAs over HTTP(S), one feed per
 * resource (`source.url`) or one for the site (`url`). Read-only; see README.md.
 */
export const icalFeedAdapter: AdapterDefinition<IcalFeedSettings> = {
  kind: 'ical-feed',
  writable: false,
  settings: icalFeedSettings,
  source: icalFeedSource,
  credentialId: icalFeedCredentialId,
  // No vendor limit is published for exports; one request a second is polite.
  quota: { perSecond: 1, burst: 5 },
  create: (ctx): SourceAdapter => ({
    kind: 'ical-feed',
    writable: false,
    pull: (req) => pullFeeds(req, { settings: ctx.settings, limits: limitsOf(ctx), offThread: offThreadOf(ctx) }),
    async reserve() {
      throw readOnly('take reservations');
    },
    async cancel() {
      throw readOnly('cancel bookings');
    },
    async close() {},
  }),
};
