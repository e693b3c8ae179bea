import { noneAdapter, type NoneSettings } from '../../adapters/none/index.js';
import { googleAdapter } from '../../adapters/google/index.js';
import type { GoogleSettings } from '../../adapters/google/settings.js';
import { icalFeedAdapter } from '../../adapters/ical-feed/index.js';
import type { IcalFeedSettings } from '../../adapters/ical-feed/settings.js';
import { restAdapter } from '../../adapters/rest/index.js';
import type { RestSettings } from '../../adapters/rest/settings.js';
import { caldavAdapter } from '../../adapters/caldav/index.js';
import type { CaldavSettings } from '../../adapters/caldav/settings.js';
import { mewsAdapter } from '../../adapters/mews/index.js';
import type { MewsSettings } from '../../adapters/mews/settings.js';
import { apaleoAdapter } from '../../adapters/apaleo/index.js';
import type { ApaleoSettings } from '../../adapters/apaleo/settings.js';
import type { AdapterKind } from '../config/adapter-kinds.js';
import type { AdapterDefinition } from '../core/adapter/port.js';

/** Each kind's settings type: the definition registered for a kind must take exactly these. */
interface SettingsByKind {
  none: NoneSettings;
  caldav: CaldavSettings;
  google: GoogleSettings;
  'ical-feed': IcalFeedSettings;
  mews: MewsSettings;
  apaleo: ApaleoSettings;
  rest: RestSettings;
}
type SettingsOf<K extends AdapterKind> = SettingsByKind[K];

/**
 * The one place the core reaches adapters, one definition per kind a config may name. A kind
 * without a definition, or a definition whose settings type is not its kind's, is a compile
 * error. Pass this to `loadConfig` as the available kinds: check-config validates each site's
 * settings and sources with these definitions' schemas.
 */
export const ADAPTERS = {
  none: noneAdapter,
  google: googleAdapter,
  apaleo: apaleoAdapter,
  mews: mewsAdapter,
  caldav: caldavAdapter,
  rest: restAdapter,
  'ical-feed': icalFeedAdapter,
} as const satisfies { readonly [K in AdapterKind]: AdapterDefinition<SettingsOf<K>> };

function isAdapterKind(kind: string): kind is AdapterKind {
  return Object.hasOwn(ADAPTERS, kind);
}

/**
 * The definition of a configured site's kind (config validation has checked the kind exists).
 * Its settings type is forgotten: callers hold only settings this definition's own `settings`
 * schema parsed, so they always hand it the type it expects.
 * @throws Error for a kind that has no definition.
 */
export function adapterDefinition(kind: string): AdapterDefinition {
  if (!isAdapterKind(kind)) throw new Error(`adapter kind "${kind}" is not available`);
  // The one widening: `create` and `demo` take their own settings type, which no union can name.
  return ADAPTERS[kind] as unknown as AdapterDefinition;
}
