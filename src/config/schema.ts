import { z } from 'zod';
import { commonAdapterKeys, splitAdapterConfig } from './adapter-config.js';
import { ADAPTER_KINDS, type AdapterKindInfo, type AdapterKinds, kindInfo } from './adapter-kinds.js';
import { ALERT_EVENT_NAMES } from '../domain/alert-events.js';
import type { AlertChannelConfig } from './types.js';

import { duration, httpUrl, int, matching, obj, oneOf, openingHours, origin, publicUrl, stay, text, timezone } from './schema-parts.js';

/*
 * The file's shape (DESIGN §8). Defaults that depend only on the value itself are applied here;
 * defaults that depend on other parts of the file (a site's pollEvery, rules overlay) are applied
 * by the resolver.
 */

const SECOND = 1_000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export const WORKFLOWS = ['centralized', 'hybrid', 'decentralized'] as const;
const CONFLICT_POLICIES = ['first-come', 'last-write-wins', 'priority', 'manual'] as const;
const ORIGINS = ['hub', 'site'] as const;

/** Site, resource, group and shared-resource ids: they appear in URLs and Redis keys. */
export const ID_PATTERN = /^[a-z0-9][a-z0-9-]*$/;
const id = matching(ID_PATTERN, 'use lowercase letters, digits and "-", starting with a letter or digit', 'north-hall');
/** A redis:// or rediss:// URL (credentials and TLS as the URL says). */
const redisUrl = matching(/^rediss?:\/\/\S*$/, 'use a redis:// or rediss:// URL', 'redis://127.0.0.1:6379');

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

const groupSchema = obj({
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

const resourceSchema = obj({
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

/** A site's `adapter:` block: a known kind, the common keys, and the settings that kind validates. */
function adapterSchema(kinds: AdapterKinds) {
  return z
    .looseObject({ kind: oneOf(ADAPTER_KINDS, 'adapter kind') })
    .superRefine((adapter, ctx) => {
      if (typeof adapter.kind !== 'string' || !ADAPTER_KINDS.includes(adapter.kind)) return;
      const info = kindInfo(kinds, adapter.kind);
      if (!info) {
        ctx.addIssue({ code: 'custom', path: ['kind'], message: `adapter kind "${adapter.kind}" is not available in this version of the hub; available: ${Object.keys(kinds).join(', ')}` });
        return;
      }
      // Each adapter validates its own settings; its issues keep their paths under `adapter`.
      const { kind, quota, limits, settings } = splitAdapterConfig(adapter);
      const common = commonAdapterKeys.safeParse({ quota, limits });
      for (const issue of common.success ? [] : common.error.issues) {
        // An unknown key's line is the key's own (as for the adapter's settings below).
        const key = issue.code === 'unrecognized_keys' && issue.keys.length === 1 ? issue.keys[0] : undefined;
        ctx.addIssue({ code: 'custom', path: key ? [...issue.path, key] : issue.path, message: issue.message });
      }
      const result = info.settings.safeParse(settings);
      if (result.success) return;
      for (const issue of result.error.issues) {
        const key = issue.code === 'unrecognized_keys' ? issue.keys[0] : undefined;
        ctx.addIssue({
          code: 'custom',
          path: key ? [...issue.path, key] : issue.path,
          message: key ? `unknown key "${key}"; adapter kind ${kind} takes ${settingKeys(info)}` : `${issue.message} (adapter kind ${kind})`,
        });
      }
    });
}

function settingKeys(info: AdapterKindInfo): string {
  const shape = (info.settings as unknown as { shape?: Record<string, unknown> }).shape;
  const keys = Object.keys(shape ?? {});
  return keys.length > 0 ? `${keys.join(', ')}, quota and limits` : 'no settings';
}

/** One entry of `sites:`; each resource's `source:` is validated by the site's adapter kind. */
export function siteSchema(kinds: AdapterKinds) {
  return obj({
    id,
    name: text().optional(),
    timezone,
    priority: int(0).default(100),
    pollEvery: duration({ min: SECOND }).optional(),
    // Sites whose own system pushes: POST /v1/sites/{id}/heartbeat with this token counts as a good poll.
    heartbeatToken: z.string().min(16, { error: 'at least 16 characters; pass a random secret from the environment' }).optional(),
    // Change notifications (issue 17): they only trigger a poll; see README "Push notifications".
    push: obj({
      secret: z.string().min(16, { error: 'at least 16 characters; pass a random secret from the environment, like ${LAKESIDE_PUSH_SECRET}' }).optional(),
      inactiveAfter: duration({ min: MINUTE }).optional(),
    }).optional(),
    adapter: adapterSchema(kinds),
    resources: z.array(resourceSchema),
  }).superRefine((site, ctx) => {
    const kind = (site.adapter as { kind?: unknown } | undefined)?.kind;
    if (site.push !== undefined && kind === 'none') {
      ctx.addIssue({ code: 'custom', path: ['push'], message: 'a site on adapter none has no system to poll, so a notification would trigger nothing: remove push, or give the site its system\'s adapter' });
    }
    const info = kindInfo(kinds, kind);
    if (!info || !Array.isArray(site.resources)) return;
    site.resources.forEach((resource, j) => {
      const result = info.source.safeParse(resource?.source ?? {});
      if (result.success) return;
      for (const issue of result.error.issues) {
        const key = issue.code === 'unrecognized_keys' ? issue.keys[0] : undefined;
        ctx.addIssue({
          code: 'custom',
          path: ['resources', j, 'source', ...issue.path, ...(key ? [key] : [])],
          message: key ? `unknown key "${key}" for adapter kind ${String(kind)}` : `${issue.message} (where adapter ${String(kind)} finds this resource)`,
        });
      }
    });
  }, { when: () => true });
}

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
  // The longest span one hold item may cover (nights or a time interval).
  maxHoldSpan: duration({ min: HOUR }).default(366 * DAY),
  limitedAfter: obj({ failures: int(1).default(3), staleFor: duration({ min: SECOND }).optional() }).prefault({}),
  recoverAfter: int(1).default(2),
  syncWindow: obj({ past: duration().default(7 * DAY), future: duration({ min: DAY }).default(365 * DAY) }).prefault({}),
  fullResyncEvery: duration({ min: MINUTE }).default(DAY),
  writeback: obj({ attempts: int(1, 100).default(8), backoff: duration({ min: 100 }).default(2 * SECOND) }).prefault({}),
  // An open alert incident is repeated at most this often (src/alerts).
  alertReminderEvery: duration({ min: SECOND }).default(HOUR),
  // Push notifications: a site without one for `inactiveAfter` shows push inactive (polling carries
  // on); a signed notification older or newer than `tolerance` is refused as stale.
  push: obj({
    inactiveAfter: duration({ min: MINUTE }).default(DAY),
    tolerance: duration({ min: SECOND, max: HOUR }).default(5 * MINUTE),
    // Lifetime the hub asks for its Google channels; each is renewed when a quarter of it is left.
    channelTtl: duration({ min: 10 * SECOND, max: 30 * DAY }).default(DAY),
  }).prefault({}),
});

const workerSchema = obj({
  // Polls one worker process runs at once; several processes add up.
  pollConcurrency: int(1, 1000).default(8),
});

const sharedSchema = obj({
  id,
  members: z
    // mirror: true opts a member in to busy blocks of the other members' bookings (decentralized groups).
    .array(obj({ site: text(), resource: text(), mirror: z.boolean().optional() }))
    .min(2, { error: 'a shared resource needs at least 2 members' }),
});

/*
 * Alert channels (DESIGN §7, src/alerts). A channel is picked by `kind`, then validated by that
 * kind's strict schema, so unknown keys name the keys that kind takes. `sites`, `groups` and
 * `events` route: absent means all. Secrets come from the environment; `${NAME:-}` (empty) counts
 * as absent for the optional ones.
 */
const ALERT_KINDS = ['webhook', 'slack', 'email'] as const;
const blankAsAbsent = (value: unknown) => (value === '' ? undefined : value);

function requiredText(message: string) {
  return z.unknown().transform((value, ctx) => {
    if (typeof value === 'string' && value !== '') return value;
    ctx.addIssue({ code: 'custom', message: value === undefined || value === '' ? message : `${message}; got ${JSON.stringify(value)}` });
    return z.NEVER;
  });
}

function alertUrl(missing: string) {
  return z.unknown().transform((value, ctx) => {
    if (value === undefined) {
      ctx.addIssue({ code: 'custom', message: missing });
      return z.NEVER;
    }
    const result = httpUrl.safeParse(value);
    if (result.success) return result.data;
    ctx.addIssue({ code: 'custom', message: result.error.issues[0]!.message });
    return z.NEVER;
  });
}

const EMAIL = /^(?:[^<>@]*<)?[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+>?$/;
const emailAddress = matching(EMAIL, 'write an e-mail address', 'ops@example.com');
const flag = z.unknown().transform((value, ctx) => {
  if (typeof value === 'boolean') return value;
  if (value === 'true' || value === 'false') return value === 'true';
  ctx.addIssue({ code: 'custom', message: `${JSON.stringify(value)} is not valid; use true or false` });
  return z.NEVER;
});
const routing = {
  sites: z.array(text()).min(1, { error: 'list at least one site id, or leave sites out for all sites' }).optional(),
  groups: z.array(text()).min(1, { error: 'list at least one group id, or leave groups out for all groups' }).optional(),
  events: z.array(oneOf(ALERT_EVENT_NAMES, 'alert event')).min(1, { error: 'list at least one event, or leave events out for all events' }).optional(),
};

const webhookAlertSchema = obj({
  kind: z.literal('webhook'),
  url: alertUrl('a webhook alert needs a url, like "https://ops.example.com/hooks/avhub"'),
  secret: requiredText('a webhook alert needs a secret to sign its requests; pass it from the environment, like "${ALERT_SECRET}"'),
  previousSecret: z.preprocess(blankAsAbsent, text().optional()),
  ...routing,
});
const slackAlertSchema = obj({
  kind: z.literal('slack'),
  url: alertUrl('a slack alert needs a url: the incoming webhook URL, from the environment like "${SLACK_WEBHOOK_URL}"'),
  ...routing,
});
const emailAlertSchema = obj({
  kind: z.literal('email'),
  smtp: obj({
    host: text(),
    port: int(1, 65_535).default(587),
    secure: flag.optional(),
    user: z.preprocess(blankAsAbsent, text().optional()),
    password: z.preprocess(blankAsAbsent, text().optional()),
  }).superRefine((smtp, ctx) => {
    if (smtp.user !== undefined && smtp.password === undefined) {
      ctx.addIssue({ code: 'custom', path: ['password'], message: 'smtp.user is set, so a password is needed; pass it from the environment, like "${SMTP_PASSWORD}"' });
    }
    if (smtp.user === undefined && smtp.password !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['user'], message: 'smtp.password is set but no user; set user too, or leave both out' });
    }
  }),
  from: emailAddress,
  to: z.array(emailAddress).min(1, { error: 'list at least one address, like ["ops@example.com"]' }),
  ...routing,
});
const ALERT_SCHEMAS = { webhook: webhookAlertSchema, slack: slackAlertSchema, email: emailAlertSchema } as const;
const alertKind = oneOf(ALERT_KINDS, 'alert kind');

const alertSchema = z.unknown().transform((value, ctx): AlertChannelConfig => {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    ctx.addIssue({ code: 'custom', message: 'expected a mapping like { kind: webhook, url: ..., secret: ... }' });
    return z.NEVER;
  }
  const kind = alertKind.safeParse((value as Record<string, unknown>)['kind']);
  if (!kind.success) {
    ctx.addIssue({ code: 'custom', path: ['kind'], message: kind.error.issues[0]!.message });
    return z.NEVER;
  }
  const result = ALERT_SCHEMAS[kind.data].safeParse(value, { reportInput: true });
  if (result.success) {
    const channel = Object.fromEntries(Object.entries(result.data).filter(([, v]) => v !== undefined)) as unknown as AlertChannelConfig;
    if (channel.kind === 'email') channel.smtp.secure ??= channel.smtp.port === 465;
    return channel;
  }
  // Re-raised with their paths, one issue per unknown key so each gets its own line.
  for (const issue of result.error.issues) {
    const path = issue.path.filter((s): s is string | number => typeof s !== 'symbol');
    if (issue.code === 'unrecognized_keys') {
      const lines = issue.message.split('\n');
      issue.keys.forEach((key, i) => ctx.addIssue({ code: 'custom', path: [...path, key], message: `${lines[i] ?? `unknown key "${key}"`} (alert kind ${kind.data})` }));
    } else if (issue.code === 'invalid_type') {
      const missing = issue.input === undefined;
      ctx.addIssue({ code: 'custom', path, message: missing ? `missing; ${kind.data === 'email' ? 'an' : 'a'} ${kind.data} alert needs it` : `expected ${issue.expected === 'array' ? 'a list' : issue.expected === 'object' ? 'a mapping (key: value)' : `a ${issue.expected}`}` });
    } else {
      ctx.addIssue({ code: 'custom', path, message: issue.message });
    }
  }
  return z.NEVER;
});

/**
 * `feeds:` (src/feeds): an iCalendar feed of one resource's busy blocks for an OTA or booking tool
 * that imports calendars by URL. The token is the URL's secret, from the environment; `exclude`
 * names the sites whose own bookings the feed leaves out (the importer's, so they are not echoed
 * back to it). Which sites may be excluded, and duplicate tokens, are checked in references.ts.
 */
const feedSchema = obj({
  site: text(),
  resource: text(),
  token: z.string().min(16, { error: 'at least 16 characters; pass a random secret from the environment, like "${AIRBNB_FEED_TOKEN}"' }),
  exclude: z.array(text()).default([]),
  // Units of the resource the importer sells through its listing: a night (or time) is busy when
  // fewer than this many are left for it. 1 for a listing of one room, flat or hall.
  units: int(1).default(1),
  // How far ahead the feed lists busy blocks (OTAs import about a year).
  horizon: duration({ min: DAY, max: 3 * 366 * DAY }).default(365 * DAY),
});

/** Adapter kinds whose systems the hub can simulate for the demo (each adapter's `demo` launcher). */
const DEMO_SIMULATOR_KINDS = ['mews', 'apaleo', 'rest', 'google', 'caldav'] as const;

/**
 * Demo and development only: simulated systems the hub starts before its roles, each seeded from
 * the sites of that adapter kind whose settings point at its port on this machine.
 */
const demoSchema = obj({
  simulators: z
    .array(obj({ kind: oneOf(DEMO_SIMULATOR_KINDS, 'simulator kind'), port: int(1, 65_535) }))
    .min(1, { error: 'list at least one simulator, like { kind: mews, port: 8101 }, or leave demo out' })
    .superRefine((list, ctx) => {
      const seen = new Set<number>();
      list.forEach((s, i) => {
        if (seen.has(s.port)) ctx.addIssue({ code: 'custom', path: [i, 'port'], message: `port ${s.port} is taken by another simulator; give each its own` });
        seen.add(s.port);
      });
    }),
});

/** The whole file, validating adapter blocks with the `kinds` this process can run. */
export function hubFileSchema(kinds: AdapterKinds) {
  return obj({
    hubId: matching(/^[A-Za-z0-9_-]+$/, 'use letters, digits, "_" and "-"', 'main').default('main'),
    redis: obj({
      url: redisUrl.optional(),
      // Redis Cluster: seed nodes; the client discovers the rest (DESIGN §8).
      cluster: obj({
        nodes: z.array(redisUrl).min(1, { error: 'list at least one node, like ["redis://10.0.0.1:6379"]' }),
      }).optional(),
      keyPrefix: matching(/^[A-Za-z0-9_.:-]+$/, 'use letters, digits, ".", ":", "_" and "-"', 'avhub').default('avhub'),
      // After each reservation-changing script, wait for this many replicas to acknowledge it.
      waitReplicas: int(0, 16).default(0),
      waitTimeout: duration({ min: 1, max: 60 * SECOND }).default(1_000),
    }).superRefine((redis, ctx) => {
      if (redis.url !== undefined && redis.cluster !== undefined) {
        ctx.addIssue({ code: 'custom', path: ['cluster'], message: 'set either redis.url (one primary) or redis.cluster.nodes (a Redis Cluster), not both: remove redis.url to use the cluster' });
      }
    }).prefault({}),
    http: obj({
      host: text().default('127.0.0.1'), port: int(0, 65_535).default(8080), trustProxy: z.boolean().default(false),
      // Where the sources reach the hub (Google channels, apaleo subscriptions); unset: push is off, polling alone runs.
      publicUrl: publicUrl.optional(),
    }).prefault({}),
    log: obj({ level: oneOf(LOG_LEVELS, 'log level').default('info') }).prefault({}),
    auth: obj({
      adminToken: z.string().min(16, { error: 'must be at least 16 characters; pass a random secret from the environment, like ${HUB_ADMIN_TOKEN}' }),
      widgetKeys: z.array(widgetKeySchema).default([]),
    }),
    defaults: defaultsSchema.prefault({}),
    worker: workerSchema.prefault({}),
    groups: z.record(z.string(), groupSchema).default({}),
    sites: z.array(siteSchema(kinds)).min(1, { error: 'list at least one site' }),
    shared: z.array(sharedSchema).default([]),
    alerts: z.array(alertSchema).default([]),
    feeds: z.array(feedSchema).default([]),
    demo: demoSchema.optional(),
  });
}
export type ParsedHubFile = z.output<ReturnType<typeof hubFileSchema>>;
