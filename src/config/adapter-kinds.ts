import type { z } from 'zod';

/**
 * The adapter kinds a config file may name (DESIGN §8). Which of them this process can run, and
 * how each validates its settings, is passed in by the caller (the registry's definitions), so
 * loading a config does not load the adapters.
 */
export const ADAPTER_KINDS = ['none', 'caldav', 'google', 'ical-feed', 'mews', 'apaleo', 'rest'] as const;
export type AdapterKind = (typeof ADAPTER_KINDS)[number];

/** What validating a config needs to know of one adapter kind. The registry's definitions are these. */
export interface AdapterKindInfo {
  /** Read-only kinds (an iCal feed) cannot take reservations: check-config refuses centralized groups on them. */
  readonly writable: boolean;
  /** Strict schema of the `adapter:` block's settings (without `kind` and the common keys). */
  readonly settings: z.ZodType;
  /** Strict schema of each resource's `source:` mapping at a site on this kind. */
  readonly source: z.ZodType;
}

/** The adapter kinds available to `loadConfig`, by kind; a kind left out is "not available in this version". */
export type AdapterKinds = Readonly<Partial<Record<AdapterKind, AdapterKindInfo>>>;

/** The kind's entry, or undefined for a kind that is unknown or not available. */
export function kindInfo(kinds: AdapterKinds, kind: unknown): AdapterKindInfo | undefined {
  return typeof kind === 'string' && Object.hasOwn(kinds, kind) ? kinds[kind as AdapterKind] : undefined;
}
