import type { AdapterDefinition } from '../../src/core/adapter/port.js';
import { createGoogleAdapter } from './adapter.js';
import { googlePush } from './push.js';
import { googleCredentialId, googleSettingsSchema, googleSourceSchema, type GoogleSettings } from './settings.js';

/**
 * `kind: google`: a Google Calendar per resource (`source: { calendarId }`), read with incremental
 * sync tokens and written back with idempotent inserts. See README.md beside this file.
 *
 * Quota: Google allows 600 requests per minute per user (and 10,000 per project), so the default
 * bucket is 10 requests/s with a burst of 10
 * (https://developers.google.com/calendar/api/guides/quota).
 */
export const googleAdapter: AdapterDefinition<GoogleSettings> = {
  kind: 'google',
  writable: true,
  settings: googleSettingsSchema,
  source: googleSourceSchema,
  credentialId: googleCredentialId,
  quota: { perSecond: 10, burst: 10 },
  push: googlePush,
  demo: (ctx) => import('./demo.js').then((m) => m.startGoogleDemo(ctx)),
  create: (ctx) => createGoogleAdapter(ctx),
};

export { createGoogleAdapter, type GoogleAdapterDeps } from './adapter.js';
export type { GoogleSettings } from './settings.js';
