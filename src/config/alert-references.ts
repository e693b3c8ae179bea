import type { PathIssue } from './path.js';
import { arr, rec, str } from './raw.js';
import { didYouMean } from './suggest.js';

/**
 * Alert routes that name a site or group the file does not have (a typo would silently route
 * nothing). Runs on the unvalidated tree like src/config/references.ts, which calls it.
 */
export function alertReferenceIssues(data: unknown): PathIssue[] {
  const root = rec(data) ?? {};
  const sites = arr(root['sites']).map((s) => str(rec(s)?.['id'])).filter((id): id is string => id !== undefined);
  const groups = Object.keys(rec(root['groups']) ?? {});
  const issues: PathIssue[] = [];
  arr(root['alerts']).forEach((raw, i) => {
    const alert = rec(raw);
    for (const [field, known, what] of [['sites', sites, 'site'], ['groups', groups, 'group']] as const) {
      arr(alert?.[field]).forEach((value, j) => {
        const id = str(value);
        if (id === undefined || known.includes(id)) return;
        issues.push({ path: ['alerts', i, field, j], message: `no ${what} "${id}" in this file; ${didYouMean(id, known)}known ${what}s: ${known.join(', ') || 'none'}` });
      });
    }
  });
  return issues;
}
