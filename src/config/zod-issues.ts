import type { z } from 'zod';

import type { PathIssue, PathSegment } from './path.js';

/**
 * Turns zod issues into path issues whose messages say what would be valid. Most messages are
 * written by the schema's own error functions; this fills in the generic ones (missing keys, wrong
 * types) using the raw data, and gives each unknown key its own issue so it gets its own line.
 */
export function fromZodIssues(issues: readonly z.core.$ZodIssue[], data: unknown): PathIssue[] {
  const out: PathIssue[] = [];
  for (const issue of issues) {
    const path = issue.path.filter((s): s is PathSegment => typeof s !== 'symbol');
    if (issue.code === 'unrecognized_keys') {
      const messages = issue.message.split('\n');
      issue.keys.forEach((key, i) => out.push({ path: [...path, key], message: messages[i] ?? `unknown key "${key}"` }));
    } else if (issue.code === 'invalid_type') {
      out.push({ path, message: typeMessage(issue.expected, path, data) });
    } else if (issue.code === 'invalid_union') {
      out.push({ path, message: issue.errors.flat()[0]?.message ?? issue.message });
    } else {
      out.push({ path, message: issue.message });
    }
  }
  return out;
}

const EXPECTED: Record<string, string> = {
  object: 'a mapping (key: value)',
  array: 'a list',
  string: 'a string',
  number: 'a number',
  record: 'a mapping (key: value)',
};

function typeMessage(expected: string, path: PathSegment[], data: unknown): string {
  const wanted = EXPECTED[expected] ?? expected;
  const parent = lookup(data, path.slice(0, -1));
  const key = path[path.length - 1];
  const present = key !== undefined && parent.found && parent.value !== null && typeof parent.value === 'object' && key in parent.value;
  if (path.length > 0 && !present) return `missing; expected ${wanted}`;
  const value = lookup(data, path).value;
  return `expected ${wanted}, got ${describe(value)}`;
}

function lookup(data: unknown, path: readonly PathSegment[]): { found: boolean; value: unknown } {
  let value = data;
  for (const segment of path) {
    if (value === null || typeof value !== 'object' || !(segment in value)) return { found: false, value: undefined };
    value = (value as Record<PathSegment, unknown>)[segment];
  }
  return { found: true, value };
}

function describe(value: unknown): string {
  if (value === null || value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return `${typeof value} ${JSON.stringify(value)}`;
}
