import { createHash } from 'node:crypto';
import type { AdapterDefinition } from '../../src/core/adapter/port.js';
import { CALDAV_LIMITS, createCaldavAdapter } from './adapter.js';
import { caldavSettings, caldavSource, type CaldavSettings } from './settings.js';

export type { CaldavSettings } from './settings.js';

/**
 * `kind: caldav`: any RFC 4791 server (Radicale, Xandikos, Nextcloud, iCloud, Fastmail...), one
 * calendar per resource. Incremental by RFC 6578 sync-collection, else getctag + etags; writes
 * back with `PUT If-None-Match: *`. See README.md.
 */
export const caldavAdapter: AdapterDefinition<CaldavSettings> = {
  kind: 'caldav',
  writable: true,
  settings: caldavSettings,
  source: caldavSource,
  /** The server and the user name identify the account; the password is never part of it. */
  credentialId: (s) => createHash('sha256').update(`${s.url}\n${s.username}`, 'utf8').digest('hex'),
  // CalDAV defines no rate limit and self-hosted servers document none: a polite default that
  // still lets a poll of 20 calendars pass in one burst. Override per site with `quota:`.
  quota: { perSecond: 10, burst: 20 },
  limits: CALDAV_LIMITS,
  demo: (ctx) => import('./demo.js').then((m) => m.startCaldavDemo(ctx)),
  create: (ctx) => createCaldavAdapter(ctx),
};
