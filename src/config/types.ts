import type {
  AvailabilityRules, BookedBy, ConflictPolicy, ResourceKind, WhenLimited, Workflow,
} from '../domain/types.js';
import type { AlertEventName } from '../domain/alert-events.js';

/**
 * The validated, resolved configuration (DESIGN §8). Durations are milliseconds here; the YAML
 * spells them `30s`, `15m`, `7d`. Every default is already applied.
 */
export interface HubConfig {
  /** Absolute path of the file this came from, for messages. */
  file: string;
  /** Hash tag shared by all booking state of this hub (Redis Cluster slot). */
  hubId: string;
  redis: {
    /** One primary; also set (to the default) when `cluster` is used, where it is ignored. */
    url: string;
    /** Redis Cluster seed nodes; when set, the hub connects to the cluster, not to `url`. */
    cluster?: { nodes: string[] } | undefined;
    keyPrefix: string;
    /** Replicas that must acknowledge each reservation-changing script (WAIT); 0 = do not wait. */
    waitReplicas: number;
    /** How long to wait for them (ms). */
    waitTimeout: number;
  };
  /** trustProxy: take the client address from X-Forwarded-For (behind a reverse proxy). */
  http: { host: string; port: number; trustProxy?: boolean };
  auth: {
    adminToken: string;
    widgetKeys: WidgetKeyConfig[];
  };
  defaults: DefaultsConfig;
  worker: { pollConcurrency: number };
  groups: Record<string, GroupConfig>;
  sites: SiteConfig[];
  shared: SharedConfig[];
  alerts: AlertChannelConfig[];
  /** iCalendar feeds of busy blocks for OTAs (src/feeds); empty when none are configured. */
  feeds: FeedConfig[];
  log: { level: string };
  /** Demo and development only: simulated systems started before the roles (src/runtime/demo.ts). */
  demo?: DemoConfig;
}

interface DemoConfig {
  simulators: Array<{ kind: 'mews' | 'apaleo' | 'rest' | 'google' | 'caldav'; port: number }>;
}

export interface WidgetKeyConfig {
  key: string;
  origins: string[];
  sites: string[];
  rateLimit: { max: number; per: number };
  maxOpenHolds: number;
}

interface DefaultsConfig {
  pollEvery: number;
  holdTtl: number;
  /** The longest span one hold item may cover, ms (366 days by default). */
  maxHoldSpan: number;
  limitedAfter: { failures: number; staleFor?: number };
  recoverAfter: number;
  syncWindow: { past: number; future: number };
  /** A full pull of the window replaces incremental sync this often (catches what feeds miss). */
  fullResyncEvery: number;
  /** Write-back retries: attempts in all, and the first backoff (exponential, full jitter). */
  writeback: { attempts: number; backoff: number };
  /** An open alert incident is repeated (a reminder) at most this often, in ms. */
  alertReminderEvery: number;
}

export interface GroupConfig {
  id: string;
  workflow: Workflow;
  conflictPolicy: ConflictPolicy;
  whenLimited: WhenLimited;
  /** Origins in precedence order for the `priority` policy. */
  priority: string[];
  rules: AvailabilityRules;
  holdTtl?: number;
}

interface AdapterConfig {
  kind: string;
  /** Adapter-specific settings, validated by the adapter's own schema. */
  [key: string]: unknown;
}

export interface SiteConfig {
  id: string;
  name: string;
  timezone: string;
  priority: number;
  pollEvery: number;
  /** Secret a pushing site sends with its heartbeats. */
  heartbeatToken?: string;
  adapter: AdapterConfig;
  resources: ResourceConfig[];
}

export interface ResourceConfig {
  id: string;
  name: string;
  kind: ResourceKind;
  capacity: number;
  group: string;
  bookedBy: BookedBy;
  /** Group rules overlaid with the resource's own. */
  rules: AvailabilityRules;
  /** Where the site's adapter finds this resource (adapter-specific keys). */
  source: Record<string, unknown>;
}

/**
 * One iCalendar feed (`GET /v1/feeds/{site}/{resource}.ics?token=…`) for the OTA or tool that
 * imports it. Several feeds may serve one resource, each with its own token and exclusions.
 */
export interface FeedConfig {
  site: string;
  resource: string;
  /** The URL's secret (at least 16 characters, from the environment); never logged. */
  token: string;
  /** Sites whose own bookings the feed leaves out: the importer's, so they are not echoed back to it. */
  exclude: string[];
  /**
   * Units the importer sells through its listing (default 1): busy where fewer than this many are
   * left. An iCal import can only close or open a listing, so a listing that sells up to `units`
   * of a pool must close as soon as fewer than `units` remain for it.
   */
  units: number;
  /** How far ahead of today (the site's local date) the feed lists busy blocks, ms. */
  horizon: number;
}

interface SharedConfig {
  id: string;
  /**
   * `mirror: true` (decentralized groups): the hub keeps busy blocks of the other members'
   * bookings in this member's own calendar, marked as the hub's (src/conflicts/mirror.ts).
   */
  members: Array<{ site: string; resource: string; mirror?: boolean }>;
}

/**
 * Which events a channel receives; an absent filter lets everything through. A filter applies only
 * to events that carry that dimension: an event without a site (`workers.missing`) passes a
 * `sites` filter, one without a group passes a `groups` filter.
 */
interface AlertRouting {
  sites?: string[];
  groups?: string[];
  events?: AlertEventName[];
}

/** POSTs signed JSON (DESIGN §7). `previousSecret`: see src/alerts/README.md, secret rotation. */
export interface WebhookChannelConfig extends AlertRouting {
  kind: 'webhook';
  url: string;
  secret: string;
  previousSecret?: string;
}

/** A Slack incoming webhook; its URL is itself a secret. */
export interface SlackChannelConfig extends AlertRouting {
  kind: 'slack';
  url: string;
}

export interface EmailChannelConfig extends AlertRouting {
  kind: 'email';
  /** `secure`: TLS from the start (port 465); otherwise STARTTLS when the server offers it. */
  smtp: { host: string; port: number; secure: boolean; user?: string; password?: string };
  from: string;
  to: string[];
}

export type AlertChannelConfig = WebhookChannelConfig | SlackChannelConfig | EmailChannelConfig;
