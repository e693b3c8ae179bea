import type { z } from 'zod';
import { HubError } from '../core/errors.js';

/** `items[0].start` from zod's `['items', 0, 'start']`. */
function fieldPath(path: ReadonlyArray<PropertyKey>, root: string): string {
  let out = root;
  for (const part of path) {
    out += typeof part === 'number' ? `[${part}]` : `${out ? '.' : ''}${String(part)}`;
  }
  return out || root;
}

/**
 * Parses with a schema or answers 400 naming every bad field (`fields`), the first in the detail.
 */
export function parseOr400<S extends z.ZodType>(schema: S, data: unknown, root: string): z.output<S> {
  const result = schema.safeParse(data);
  if (result.success) return result.data;
  const fields = result.error.issues.flatMap((issue) => (issue.code === 'unrecognized_keys'
    // An unknown key's issue sits on the object; name each key itself.
    ? issue.keys.map((key) => ({ field: fieldPath([...issue.path, key], root), message: 'unknown key' }))
    : [{ field: fieldPath(issue.path, root), message: issue.message }]));
  const first = fields[0]!;
  throw new HubError(400, 'invalid-request', 'Invalid request', `${first.field}: ${first.message}`,
    { field: first.field, fields });
}
