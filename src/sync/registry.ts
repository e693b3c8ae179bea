import { createNoneAdapter } from '../../adapters/none/index.js';
import type { AdapterFactory } from './port.js';

/**
 * The one place the core reaches adapters. A kind listed in the config schema but missing here
 * is refused by check-config, so a site never starts without its adapter.
 */
export const ADAPTERS = {
  none: createNoneAdapter,
} satisfies Record<string, AdapterFactory>;

export type AvailableAdapterKind = keyof typeof ADAPTERS;

export function isAdapterAvailable(kind: string): kind is AvailableAdapterKind {
  return Object.hasOwn(ADAPTERS, kind);
}
