import { noneAdapter } from '../../adapters/none/index.js';
import { googleAdapter } from '../../adapters/google/index.js';
import { icalFeedAdapter } from '../../adapters/ical-feed/index.js';
import { restAdapter } from '../../adapters/rest/index.js';
import { caldavAdapter } from '../../adapters/caldav/index.js';
import { mewsAdapter } from '../../adapters/mews/index.js';
import { apaleoAdapter } from '../../adapters/apaleo/index.js';
import type { AdapterDefinition } from '../core/adapter/port.js';

/**
 * The one place the core reaches adapters. A kind listed in the config schema but missing here
 * is refused by check-config, so a site never starts without its adapter.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each definition has its own settings type
export const ADAPTERS: Record<string, AdapterDefinition<any>> = {
  none: noneAdapter,
  google: googleAdapter,
  apaleo: apaleoAdapter,
  mews: mewsAdapter,
  caldav: caldavAdapter,
  rest: restAdapter,
  'ical-feed': icalFeedAdapter,
};

export function isAdapterAvailable(kind: string): boolean {
  return Object.hasOwn(ADAPTERS, kind);
}

export function adapterDefinition(kind: string): AdapterDefinition<Record<string, unknown>> {
  const def = ADAPTERS[kind];
  if (!def) throw new Error(`adapter kind "${kind}" is not available`);
  return def as AdapterDefinition<Record<string, unknown>>;
}
