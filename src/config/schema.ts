import { z } from 'zod';
import { commonAdapterKeys, splitAdapterConfig } from '../sync/adapter-config.js';
import { ADAPTERS, adapterDefinition, isAdapterAvailable } from '../sync/registry.js';

import { duration, httpUrl, int, matching, obj, oneOf, openingHours, origin, stay, text, timezone } from './schema-parts.js';

/*
 * The file's shape (DESIGN §8). Defaults that depend only on the value itself are applied here;
 * defaults that depend on other parts of the file (a site's pollEvery, rules overlay) are applied
 * by the resolver.
 */

const SECOND = 1_000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

export const ADAPTER_KINDS = ['none', 'caldav', 'google', 'ical-feed', 'mews', 'apaleo', 'rest'] as const;
/** Adapter kinds that can only be read from, so the hub can never write a reservation back. */
export const READ_ONLY_ADAPTER_KINDS: ReadonlySet<string> = new Set(['ical-feed']);
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export const WORKFLOWS = ['centralized', 'hybrid', 'decentralized'] as const;
export const CONFLICT_POLICIES = ['first-come', 'last-write-wins', 'priority', 'manual'] as const;
const ORIGINS = ['hub', 'site'] as const;

/** Site, resource, group and shared-resource ids: they appear in URLs and Redis keys. */
export const ID_PATTERN = /^[a-z0-9][a-z0-9-]*$/;
const id = matching(ID_PATTERN, 'use lowercase letters, digits and "-", starting with a letter or digit', 'north-hall');
const holdTtl = duration({ min: 10 * SECOND, max: DAY });

export const rulesSchema = obj({
  openingHours: openingHours.optional(),
  bufferBefore: duration().optional(),
  bufferAfter: duration().optional(),
  minNotice: duration().optional(),
  maxAdvance: duration().optional(),
  minStay: stay.optional(),
  maxStay: stay.optional(),
});
export type ParsedRules = z.output<typeof rulesSchema>;

export const groupSchema = obj({
  workflow: oneOf(WORKFLOWS, 'workflow'),
  conflictPolicy: oneOf(CONFLICT_POLICIES, 'conflict policy').optional(),
  whenLimited: oneOf(['show', 'hide'], 'whenLimited value').default('show'),
  priority: z
    .array(oneOf(ORIGINS, 'origin'))
    .refine((list) => new Set(list).size === list.length, { error: 'lists an origin twice; use [hub, site] or [site, hub]' })
    .default(['hub', 'site']),
  rules: rulesSchema.default({}),
  holdTtl: holdTtl.optional(),
}).transform((group) => ({
  ...group,
  conflictPolicy: group.conflictPolicy ?? (group.workflow === 'decentralized' ? 'manual' : 'first-come'),
}));
export type ParsedGroup = z.output<typeof groupSchema>;

export const resourceSchema = obj({
  id,
  name: text().optional(),
  kind: oneOf(['unit', 'pool'], 'resource kind'),
  capacity: int(1).optional(),
  group: text(),
  bookedBy: oneOf(['night', 'time'], 'bookedBy value').default('time'),
  rules: rulesSchema.default({}),
  // Where the adapter finds this resource at its source (calendar path, calendar id, room type);
  // the adapter validates the keys it needs.
  source: z.record(z.string(), z.unknown()).default({}),
}).superRefine((resource, ctx) => {
  // Runs even when other fields failed (see `when`), so values may be unparsed: test types.
  if (resource.kind === 'unit' && typeof resource.capacity === 'number' && resource.capacity !== 1) {
    ctx.addIssue({ code: 'custom', path: ['capacity'], message: `a unit has capacity 1; use kind: pool for ${resource.capacity} interchangeable items` });
  }
  if (resource.kind === 'pool' && resource.capacity === undefined) {
    ctx.addIssue({ code: 'custom', path: ['capacity'], message: 'a pool needs a capacity: a whole number 1 or more' });
  }
}, { when: () => true });
export type ParsedResource = z.output<typeof resourceSchema>;

export const adapterSchema = z
  .looseObject({ kind: oneOf(ADAPTER_KINDS, 'adapter kind') })
  .superRefine((adapter, ctx) => {
    if (typeof adapter.kind !== 'string' || !ADAPTER_KINDS.includes(adapter.kind)) return;
    if (!isAdapterAvailable(adapter.kind)) {
      ctx.addIssue({ code: 'custom', path: ['kind'], message: `adapter kind "${adapter.kind}" is not available in this version of the hub; available: ${Object.keys(ADAPTERS).join(', ')}` });
      return;
    }
    // Each adapter validates its own settings; its issues keep their paths under `adapter`.
    const { kind, quota, settings } = splitAdapterConfig(adapter);
    const common = commonAdapterKeys.safeParse({ quota });
    for (const issue of common.success ? [] : common.error.issues) {
      ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message });
    }
    const result = adapterDefinition(kind).settings.safeParse(settings);
    if (result.success) return;
    for (const issue of result.error.issues) {
      const key = issue.code === 'unrecognized_keys' ? issue.keys[0] : undefined;
      ctx.addIssue({
        code: 'custom',
        path: key ? [...issue.path, key] : issue.path,
        message: key ? `unknown key "${key}"; adapter kind ${kind} takes ${settingKeys(kind)}` : `${issue.message} (adapter kind ${kind})`,
      });
    }
  });

function settingKeys(kind: string): string {
  const shape = (adapterDefinition(kind).settings as unknown as { shape?: Record<string, unknown> }).shape;
  const keys = Object.keys(shape ?? {});
  return keys.length > 0 ? `${keys.join(', ')} and quota` : 'no settings';
}

export const siteSchema = obj({
  id,
  name: text().optional(),
  timezone,
  priority: int(0).default(100),
  pollEvery: duration({ min: SECOND }).optional(),
  adapter: adapterSchema,
  resources: z.array(resourceSchema),
}).superRefine((site, ctx) => {
  const kind = (site.adapter as { kind?: unknown } | undefined)?.kind;
  if (typeof kind !== 'string' || !isAdapterAvailable(kind) || !Array.isArray(site.resources)) return;
  site.resources.forEach((resource, j) => {
    const result = adapterDefinition(kind).source.safeParse(resource?.source ?? {});
    if (result.success) return;
    for (const issue of result.error.issues) {
      const key = issue.code === 'unrecognized_keys' ? issue.keys[0] : undefined;
      ctx.addIssue({
        code: 'custom',
        path: ['resources', j, 'source', ...issue.path, ...(key ? [key] : [])],
        message: key ? `unknown key "${key}" for adapter kind ${kind}` : `${issue.message} (where adapter ${kind} finds this resource)`,
      });
    }
  });
}, { when: () => true });

const widgetKeySchema = obj({
  key: text(8),
  origins: z.array(origin).min(1, { error: 'list at least one origin, or "*" for any' }),
  sites: z.array(text()).min(1, { error: 'list at least one site id' }),
  rateLimit: obj({ max: int(1).default(600), per: duration({ min: SECOND }).default(MINUTE) }).prefault({}),
  maxOpenHolds: int(1).default(5),
});

const defaultsSchema = obj({
  pollEvery: duration({ min: SECOND }).default(30 * SECOND),
  holdTtl: holdTtl.default(15 * MINUTE),
  limitedAfter: obj({ failures: int(1).default(3), staleFor: duration({ min: SECOND }).optional() }).prefault({}),
  recoverAfter: int(1).default(2),
  syncWindow: obj({ past: duration().default(7 * DAY), future: duration({ min: DAY }).default(365 * DAY) }).prefault({}),
  fullResyncEvery: duration({ min: MINUTE }).default(DAY),
  writeback: obj({ attempts: int(1, 100).default(8), backoff: duration({ min: 100 }).default(2 * SECOND) }).prefault({}),
});

const workerSchema = obj({
  // Polls one worker process runs at once; several processes add up.
  pollConcurrency: int(1, 1000).default(8),
});

const sharedSchema = obj({
  id,
  members: z
    .array(obj({ site: text(), resource: text() }))
    .min(2, { error: 'a shared resource needs at least 2 members' }),
});

const alertSchema = z
  .looseObject({ kind: oneOf(['webhook', 'slack', 'email'], 'alert kind') })
  .superRefine((alert, ctx) => {
    if (alert.kind === 'email') return;
    const result = httpUrl.safeParse(alert['url']);
    if (!result.success) {
      const message = alert['url'] === undefined ? `a ${alert.kind} alert needs a url, like "https://ops.example.com/hooks/avhub"` : result.error.issues[0]!.message;
      ctx.addIssue({ code: 'custom', path: ['url'], message });
    }
  });

export const hubFileSchema = obj({
  hubId: matching(/^[A-Za-z0-9_-]+$/, 'use letters, digits, "_" and "-"', 'main').default('main'),
  redis: obj({
    url: matching(/^rediss?:\/\/\S*$/, 'use a redis:// or rediss:// URL', 'redis://127.0.0.1:6379').default('redis://127.0.0.1:6379'),
    keyPrefix: matching(/^[A-Za-z0-9_.:-]+$/, 'use letters, digits, ".", ":", "_" and "-"', 'avhub').default('avhub'),
  }).prefault({}),
  http: obj({ host: text().default('127.0.0.1'), port: int(0, 65_535).default(8080), trustProxy: z.boolean().default(false) }).prefault({}),
  log: obj({ level: oneOf(LOG_LEVELS, 'log level').default('info') }).prefault({}),
  auth: obj({
    adminToken: z.string().min(16, { error: 'must be at least 16 characters; pass a random secret from the environment, like ${HUB_ADMIN_TOKEN}' }),
    widgetKeys: z.array(widgetKeySchema).default([]),
  }),
  defaults: defaultsSchema.prefault({}),
  worker: workerSchema.prefault({}),
  groups: z.record(z.string(), groupSchema).default({}),
  sites: z.array(siteSchema).min(1, { error: 'list at least one site' }),
  shared: z.array(sharedSchema).default([]),
  alerts: z.array(alertSchema).default([]),
});
export type ParsedHubFile = z.output<typeof hubFileSchema>;
