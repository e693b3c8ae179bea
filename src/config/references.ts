import type { BookedBy, Workflow } from '../domain/types.js';
import { formatPath, type PathIssue, type PathSegment } from './path.js';
import { arr, member, rec, str } from './raw.js';
import { alertReferenceIssues } from './alert-references.js';
import { type AdapterKinds, kindInfo } from './adapter-kinds.js';
import { ID_PATTERN, WORKFLOWS } from './schema.js';
import { didYouMean } from './suggest.js';

interface ResourceRef {
  site: string;
  id: string;
  group?: string;
  bookedBy?: BookedBy;
  /** As written (a pool's), 1 for a unit; undefined when not yet valid. */
  capacity?: number | undefined;
  path: PathSegment[];
}

/**
 * Checks what the schema cannot see one value at a time: duplicate ids, references between
 * sections, shared members' consistency and centralized groups on read-only adapters (DESIGN §6;
 * `kinds` says which are read-only).
 * Runs on the unvalidated tree and skips values the schema will report anyway.
 */
export function checkReferences(data: unknown, kinds: AdapterKinds): PathIssue[] {
  const root = rec(data) ?? {};
  const issues: PathIssue[] = [];
  const groups = checkGroups(rec(root['groups']) ?? {}, issues);
  const sites = checkSites(arr(root['sites']), groups, kinds, issues);
  checkWidgetKeys(arr(rec(root['auth'])?.['widgetKeys']), sites, issues);
  checkShared(arr(root['shared']), sites, groups, issues);
  checkFeeds(arr(root['feeds']), arr(root['shared']), sites, issues);
  issues.push(...alertReferenceIssues(data));
  return issues;
}

function checkGroups(raw: Record<string, unknown>, issues: PathIssue[]): Map<string, Workflow | undefined> {
  const groups = new Map<string, Workflow | undefined>();
  for (const [id, group] of Object.entries(raw)) {
    if (!ID_PATTERN.test(id)) {
      issues.push({ path: ['groups', id], message: `"${id}" is not a valid group id; use lowercase letters, digits and "-", like "rooms"` });
    }
    groups.set(id, member(rec(group)?.['workflow'], WORKFLOWS));
  }
  return groups;
}

function checkSites(
  raw: unknown[],
  groups: Map<string, Workflow | undefined>,
  kinds: AdapterKinds,
  issues: PathIssue[],
): Map<string, Map<string, ResourceRef>> {
  const sites = new Map<string, Map<string, ResourceRef>>();
  const sitePaths = new Map<string, PathSegment[]>();
  raw.forEach((rawSite, i) => {
    const site = rec(rawSite);
    const id = str(site?.['id']);
    if (id === undefined) return;
    const previous = sitePaths.get(id);
    if (previous !== undefined) {
      issues.push({ path: ['sites', i, 'id'], message: `duplicate site id "${id}" (also ${formatPath(previous)}); site ids must be unique` });
      return;
    }
    sitePaths.set(id, ['sites', i]);
    const resources = new Map<string, ResourceRef>();
    sites.set(id, resources);
    const adapterKind = str(rec(site?.['adapter'])?.['kind']);
    const readOnly = kindInfo(kinds, adapterKind)?.writable === false;
    arr(site?.['resources']).forEach((rawResource, j) => {
      const resource = rec(rawResource);
      const path: PathSegment[] = ['sites', i, 'resources', j];
      const resourceId = str(resource?.['id']);
      const group = str(resource?.['group']);
      const bookedBy = resource?.['bookedBy'] === undefined ? 'time' : member(resource['bookedBy'], ['night', 'time'] as const);
      if (resourceId !== undefined) {
        const other = resources.get(resourceId);
        if (other !== undefined) {
          issues.push({ path: [...path, 'id'], message: `duplicate resource id "${resourceId}" (also ${formatPath(other.path)}); resource ids must be unique within a site` });
        } else {
          const capacity = resource?.['kind'] === 'unit' ? 1 : Number(resource?.['capacity']);
          resources.set(resourceId, { site: id, id: resourceId, path, group, bookedBy, capacity: Number.isInteger(capacity) ? capacity : undefined });
        }
      }
      if (group === undefined) return;
      if (!groups.has(group)) {
        const known = [...groups.keys()];
        const message = known.length === 0
          ? `unknown group "${group}"; no groups are defined, add one under "groups:"`
          : `unknown group "${group}"; ${didYouMean(group, known)}defined groups: ${known.join(', ')}`;
        issues.push({ path: [...path, 'group'], message });
      } else if (groups.get(group) === 'centralized' && readOnly) {
        issues.push({
          path: [...path, 'group'],
          message: `group "${group}" is centralized, but site "${id}" uses the read-only adapter ${adapterKind}, so the hub could not write reservations back; use a hybrid or decentralized group`,
        });
      }
    });
  });
  return sites;
}

function checkWidgetKeys(raw: unknown[], sites: Map<string, unknown>, issues: PathIssue[]): void {
  const seen = new Map<string, number>();
  raw.forEach((rawKey, i) => {
    const widgetKey = rec(rawKey);
    const key = str(widgetKey?.['key']);
    if (key !== undefined) {
      const previous = seen.get(key);
      if (previous !== undefined) {
        issues.push({ path: ['auth', 'widgetKeys', i, 'key'], message: `same key as auth.widgetKeys[${previous}]; each widget key must be distinct` });
      } else {
        seen.set(key, i);
      }
    }
    arr(widgetKey?.['sites']).forEach((site, j) => {
      if (typeof site === 'string' && !sites.has(site)) {
        issues.push({ path: ['auth', 'widgetKeys', i, 'sites', j], message: unknownSite(site, sites) });
      }
    });
  });
}

function checkShared(
  raw: unknown[],
  sites: Map<string, Map<string, ResourceRef>>,
  groups: Map<string, Workflow | undefined>,
  issues: PathIssue[],
): void {
  const ids = new Map<string, number>();
  const owner = new Map<ResourceRef, string>();
  raw.forEach((rawShared, i) => {
    const shared = rec(rawShared);
    const id = str(shared?.['id']) ?? `#${i}`;
    if (ids.has(id)) {
      issues.push({ path: ['shared', i, 'id'], message: `duplicate shared id "${id}" (also shared[${ids.get(id)}]); shared ids must be unique` });
    }
    ids.set(id, i);
    let first: { ref: ResourceRef; path: PathSegment[] } | undefined;
    arr(shared?.['members']).forEach((rawMember, j) => {
      const path: PathSegment[] = ['shared', i, 'members', j];
      const ref = findMember(rec(rawMember), path, sites, issues);
      if (ref === undefined) return;
      const label = `${ref.site}/${ref.id}`;
      const taken = owner.get(ref);
      if (taken !== undefined) {
        const where = taken === id ? 'already listed in this shared resource' : `already a member of shared "${taken}"`;
        issues.push({ path, message: `${label} is ${where}; a resource can belong to one shared resource only, once` });
        return;
      }
      owner.set(ref, id);
      if (first === undefined) {
        first = { ref, path };
        return;
      }
      const firstLabel = `${first.ref.site}/${first.ref.id} (${formatPath(first.path)})`;
      if (ref.bookedBy !== undefined && first.ref.bookedBy !== undefined && ref.bookedBy !== first.ref.bookedBy) {
        issues.push({ path, message: `${label} is booked by ${ref.bookedBy} but ${firstLabel} by ${first.ref.bookedBy}; all members of a shared resource must have the same bookedBy` });
      }
      const workflow = ref.group === undefined ? undefined : groups.get(ref.group);
      const firstWorkflow = first.ref.group === undefined ? undefined : groups.get(first.ref.group);
      if (workflow !== undefined && firstWorkflow !== undefined && workflow !== firstWorkflow) {
        issues.push({
          path,
          message: `${label} is in group "${ref.group}" (${workflow}) but ${firstLabel} is in group "${first.ref.group}" (${firstWorkflow}); members of a shared resource must be in groups with the same workflow`,
        });
      }
    });
  });
}

/**
 * Each feed names a resource that exists, and excludes only sites whose bookings can be on that
 * resource's ledger (its own site, or a site with a member of the same shared resource): any other
 * name is a typo that would silently echo the importer's bookings back to it. Tokens are distinct,
 * since the token picks the feed.
 */
function checkFeeds(
  raw: unknown[],
  rawShared: unknown[],
  sites: Map<string, Map<string, ResourceRef>>,
  issues: PathIssue[],
): void {
  const sharedOf = new Map<string, string>();
  rawShared.forEach((rawEntry, i) => {
    const id = str(rec(rawEntry)?.['id']) ?? `#${i}`;
    for (const m of arr(rec(rawEntry)?.['members'])) {
      const site = str(rec(m)?.['site']);
      const resource = str(rec(m)?.['resource']);
      if (site !== undefined && resource !== undefined) sharedOf.set(`${site}/${resource}`, id);
    }
  });
  const tokens = new Map<string, number>();
  raw.forEach((rawFeed, i) => {
    const feed = rec(rawFeed);
    const path: PathSegment[] = ['feeds', i];
    const token = str(feed?.['token']);
    if (token !== undefined) {
      const previous = tokens.get(token);
      if (previous !== undefined) {
        issues.push({ path: [...path, 'token'], message: `same token as feeds[${previous}]; each feed needs its own token (the token picks the feed)` });
      } else {
        tokens.set(token, i);
      }
    }
    const site = str(feed?.['site']);
    const resource = str(feed?.['resource']);
    if (site === undefined || resource === undefined) return;
    const ref = findMember({ site, resource }, path, sites, issues);
    if (ref === undefined) return;
    const units = Number(feed?.['units']);
    if (Number.isInteger(units) && ref.capacity !== undefined && units > ref.capacity) {
      issues.push({ path: [...path, 'units'], message: `${units} is more than ${site}/${resource} has (capacity ${ref.capacity}), so the feed would always be busy; use at most ${ref.capacity}` });
    }
    const shared = sharedOf.get(`${site}/${resource}`);
    const reachable = new Set([site, ...[...sharedOf].filter(([, id]) => id === shared && shared !== undefined).map(([key]) => key.split('/')[0]!)]);
    arr(feed?.['exclude']).forEach((excluded, j) => {
      if (typeof excluded !== 'string' || excluded === '') return;
      if (!sites.has(excluded)) {
        issues.push({ path: [...path, 'exclude', j], message: unknownSite(excluded, sites) });
      } else if (!reachable.has(excluded)) {
        issues.push({
          path: [...path, 'exclude', j],
          message: `site "${excluded}" has no bookings on ${site}/${resource}, so excluding it changes nothing; exclude the site whose own bookings the importer already has: ${[...reachable].join(', ')} (a site shares a resource through "shared:")`,
        });
      }
    });
  });
}

function findMember(
  member: Record<string, unknown> | undefined,
  path: PathSegment[],
  sites: Map<string, Map<string, ResourceRef>>,
  issues: PathIssue[],
): ResourceRef | undefined {
  const site = str(member?.['site']);
  const resource = str(member?.['resource']);
  if (site === undefined || resource === undefined) return undefined;
  const resources = sites.get(site);
  if (resources === undefined) {
    issues.push({ path: [...path, 'site'], message: unknownSite(site, sites) });
    return undefined;
  }
  const ref = resources.get(resource);
  if (ref === undefined) {
    const known = [...resources.keys()];
    issues.push({
      path: [...path, 'resource'],
      message: `site "${site}" has no resource "${resource}"; ${didYouMean(resource, known)}its resources: ${known.join(', ') || '(none)'}`,
    });
  }
  return ref;
}

function unknownSite(site: string, sites: Map<string, unknown>): string {
  const known = [...sites.keys()];
  return `unknown site "${site}"; ${didYouMean(site, known)}defined sites: ${known.join(', ') || '(none)'}`;
}
