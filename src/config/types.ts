import type {
  AvailabilityRules, BookedBy, ConflictPolicy, ResourceKind, WhenLimited, Workflow,
} from '../domain/types.js';

/**
 * The validated, resolved configuration (DESIGN §8). Durations are milliseconds here; the YAML
 * spells them `30s`, `15m`, `7d`. Every default is already applied.
 */
export interface HubConfig {
  /** Absolute path of the file this came from, for messages. */
  file: string;
  /** Hash tag shared by all booking state of this hub (Redis Cluster slot). */
  hubId: string;
  redis: { url: string; keyPrefix: string };
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
  log: { level: string };
}

export interface WidgetKeyConfig {
  key: string;
  origins: string[];
  sites: string[];
  rateLimit: { max: number; per: number };
  maxOpenHolds: number;
}

export interface DefaultsConfig {
  pollEvery: number;
  holdTtl: number;
  limitedAfter: { failures: number; staleFor?: number };
  recoverAfter: number;
  syncWindow: { past: number; future: number };
  /** A full pull of the window replaces incremental sync this often (catches what feeds miss). */
  fullResyncEvery: number;
  /** Write-back retries: attempts in all, and the first backoff (exponential, full jitter). */
  writeback: { attempts: number; backoff: number };
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

export interface AdapterConfig {
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

export interface SharedConfig {
  id: string;
  members: Array<{ site: string; resource: string }>;
}

export interface AlertChannelConfig {
  kind: 'webhook' | 'slack' | 'email';
  [key: string]: unknown;
}
