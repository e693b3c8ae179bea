import type { AvailabilityRules } from '../domain/types.js';
import type { PathIssue } from './path.js';
import { arr, member, rec, str } from './raw.js';
import { resolveRules } from './rules.js';
import { type ParsedHubFile, rulesSchema } from './schema.js';
import type { GroupConfig, HubConfig, ResourceConfig, SiteConfig } from './types.js';

/** Effective rules keyed by `"siteIndex/resourceIndex"`. */
export type RulesByResource = Map<string, AvailabilityRules>;

/**
 * Resolves every resource's effective rules from the unvalidated tree, parsing each rules mapping
 * on its own so rule problems are reported even while other parts of the file are invalid. Rules
 * that do not parse are skipped: the schema reports them.
 */
export function resolveAllRules(data: unknown): { rules: RulesByResource; issues: PathIssue[] } {
  const root = rec(data) ?? {};
  const groups = rec(root['groups']) ?? {};
  const rules: RulesByResource = new Map();
  const issues: PathIssue[] = [];
  arr(root['sites']).forEach((rawSite, i) => {
    const siteId = str(rec(rawSite)?.['id']) ?? `sites[${i}]`;
    arr(rec(rawSite)?.['resources']).forEach((rawResource, j) => {
      const resource = rec(rawResource);
      const own = rulesSchema.default({}).safeParse(resource?.['rules']);
      const bookedBy = resource?.['bookedBy'] === undefined ? 'time' : member(resource['bookedBy'], ['night', 'time'] as const);
      const groupId = str(resource?.['group']);
      const group = groupId !== undefined && Object.hasOwn(groups, groupId) ? rec(groups[groupId]) : undefined;
      const inherited = rulesSchema.default({}).safeParse(group?.['rules']);
      if (!own.success || !inherited.success || bookedBy === undefined) return;
      const resolved = resolveRules(
        group && { rules: inherited.data, path: ['groups', groupId!, 'rules'] },
        { rules: own.data, path: ['sites', i, 'resources', j, 'rules'] },
        bookedBy,
        `${siteId}/${str(resource?.['id']) ?? `resources[${j}]`}`,
      );
      rules.set(`${i}/${j}`, resolved.rules);
      issues.push(...resolved.issues);
    });
  });
  return { rules, issues };
}

/** Builds the final config from a file that passed every check. */
export function assemble(file: string, parsed: ParsedHubFile, rules: RulesByResource): HubConfig {
  const groups: Record<string, GroupConfig> = {};
  for (const [id, group] of Object.entries(parsed.groups)) {
    const { minStay, maxStay, ...plain } = group.rules;
    groups[id] = {
      id,
      workflow: group.workflow,
      conflictPolicy: group.conflictPolicy,
      whenLimited: group.whenLimited,
      priority: group.priority,
      // A group's stay lengths keep the unit they were written in; resources carry the resolved ones.
      rules: { ...plain, ...(minStay && { minStay: minStay.value }), ...(maxStay && { maxStay: maxStay.value }) },
      ...(group.holdTtl !== undefined && { holdTtl: group.holdTtl }),
    };
  }
  const sites: SiteConfig[] = parsed.sites.map((site, i) => ({
    id: site.id,
    name: site.name ?? site.id,
    timezone: site.timezone,
    priority: site.priority,
    pollEvery: site.pollEvery ?? parsed.defaults.pollEvery,
    ...(site.heartbeatToken ? { heartbeatToken: site.heartbeatToken } : {}),
    adapter: site.adapter,
    resources: site.resources.map((resource, j): ResourceConfig => ({
      id: resource.id,
      name: resource.name ?? resource.id,
      kind: resource.kind,
      capacity: resource.capacity ?? 1,
      group: resource.group,
      bookedBy: resource.bookedBy,
      rules: rules.get(`${i}/${j}`) ?? {},
      source: resource.source,
    })),
  }));
  return {
    file,
    hubId: parsed.hubId,
    redis: { ...parsed.redis, url: parsed.redis.url ?? 'redis://127.0.0.1:6379' },
    http: parsed.http,
    auth: parsed.auth,
    defaults: parsed.defaults,
    worker: parsed.worker,
    groups,
    sites,
    shared: parsed.shared,
    alerts: parsed.alerts,
    feeds: parsed.feeds,
    log: parsed.log,
    ...(parsed.demo && { demo: parsed.demo }),
  };
}
