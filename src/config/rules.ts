import type { AvailabilityRules, BookedBy } from '../domain/types.js';
import type { PathIssue, PathSegment } from './path.js';
import type { ParsedRules } from './schema.js';
import type { Stay } from './schema-parts.js';

/** A rules mapping as parsed, with the path it was written at (for messages). */
export interface RulesSource {
  rules: ParsedRules;
  path: PathSegment[];
}

/**
 * The effective rules of one resource: its group's rules overlaid key by key with its own, stay
 * lengths converted to nights or milliseconds according to `bookedBy`. Issues point at the rule
 * where it was written, which may be the group's.
 */
export function resolveRules(
  group: RulesSource | undefined,
  resource: RulesSource,
  bookedBy: BookedBy,
  resourceName: string,
): { rules: AvailabilityRules; issues: PathIssue[] } {
  const issues: PathIssue[] = [];
  const origin = (key: keyof ParsedRules): PathSegment[] =>
    resource.rules[key] !== undefined || group === undefined ? [...resource.path, key] : [...group.path, key];
  const merged: ParsedRules = { ...group?.rules, ...resource.rules };
  const { minStay, maxStay, ...plain } = merged;
  const rules: AvailabilityRules = { ...plain };

  const convert = (key: 'minStay' | 'maxStay', value: Stay | undefined): number | undefined => {
    if (value === undefined) return undefined;
    const wanted = bookedBy === 'night' ? 'nights' : 'ms';
    if (value.unit === wanted) return value.value;
    const fix = bookedBy === 'night' ? 'a number of nights, like 2' : `a duration, like "${value.value}h"`;
    const shared = origin(key)[0] === 'groups' ? ' and inherits this group rule' : '';
    issues.push({
      path: origin(key),
      message: `${JSON.stringify(value.raw)} does not fit ${resourceName}, which is booked by ${bookedBy}${shared}; use ${fix}`,
    });
    return undefined;
  };
  const min = convert('minStay', minStay);
  const max = convert('maxStay', maxStay);
  if (min !== undefined) rules.minStay = min;
  if (max !== undefined) rules.maxStay = max;
  if (min !== undefined && max !== undefined && min > max) {
    issues.push({
      path: origin('minStay'),
      message: `minStay ${JSON.stringify(minStay!.raw)} is longer than maxStay ${JSON.stringify(maxStay!.raw)} for ${resourceName}; make minStay at most maxStay`,
    });
  }
  return { rules, issues };
}
