import type { RedisClient } from './connection.js';
import type { HubKeys } from './keys.js';

/** Why one resource of a site failed in its latest poll (never a token: origins are scheme://host or a path). */
interface ResourceFailure {
  origin: string;
  code: string;
  message: string;
  /** When it started failing (ms), kept while it keeps failing. */
  since: number;
}

/** What one poll said about each resource of a site. */
export interface ResourceReport {
  /** Every resource of the site the poll covered. */
  resources: readonly string[];
  failures: ReadonlyArray<{ resource: string; origin: string; code: string; message: string }>;
  skipped: ReadonlyArray<{ resource?: string | undefined; externalId: string; reason: string }>;
  /** A full poll replaces the list of skipped entries; a delta poll adds to it. */
  full: boolean;
  now: number;
}

/** A resource's status as staff see it (GET /v1/sites/{id}, the dashboard, metrics). */
export interface ResourceStatus {
  resource: string;
  failure: ResourceFailure | null;
  /** The latest entries skipped or capped at the source (newest first, at most KEEP_SKIPPED). */
  skipped: Array<{ externalId: string; reason: string }>;
}

const KEEP_SKIPPED = 50;

/**
 * Per-resource outcome of a site's polls: a feed or calendar that failed (its resource keeps its
 * last good data) and what was skipped, so staff see them per resource and not only in a log line.
 * One poll per site runs at a time (the poll lease), so a read-modify-write is safe here.
 */
export class ResourceStatusStore {
  constructor(private readonly redis: RedisClient, private readonly keys: HubKeys) {}

  async record(site: string, report: ResourceReport): Promise<void> {
    const before = await this.read(site);
    const byResource = new Map(before.map((s) => [s.resource, s]));
    const update: Record<string, string> = {};
    for (const resource of report.resources) {
      const old = byResource.get(resource);
      const failed = report.failures.find((f) => f.resource === resource);
      const fresh = report.skipped.filter((s) => s.resource === resource).map((s) => ({ externalId: s.externalId, reason: s.reason }));
      const status: ResourceStatus = {
        resource,
        failure: failed ? { origin: failed.origin, code: failed.code, message: failed.message, since: old?.failure?.since ?? report.now } : null,
        // A failed resource was not read: what it skipped before still stands.
        skipped: failed ? old?.skipped ?? [] : [...fresh, ...(report.full ? [] : old?.skipped ?? [])].slice(0, KEEP_SKIPPED),
      };
      const encoded = JSON.stringify(status);
      // Most polls change nothing here: write only what differs from what is stored.
      if (!old || JSON.stringify(old) !== encoded) update[resource] = encoded;
    }
    if (Object.keys(update).length > 0) await this.redis.hset(this.keys.resourceStatus(site), update);
  }

  async read(site: string): Promise<ResourceStatus[]> {
    const raw = await this.redis.hgetall(this.keys.resourceStatus(site));
    return Object.values(raw).flatMap((v) => {
      try {
        return [JSON.parse(v) as ResourceStatus];
      } catch {
        return [];
      }
    });
  }
}
