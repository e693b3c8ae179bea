/**
 * Dot paths: the way a config names a value inside a PMS's JSON (`data.nights`, `guest.name`,
 * `rooms.0.type`). A segment that is a whole number indexes an array. No wildcards, no filters:
 * a home-grown PMS is mapped field by field.
 */

/** A dot path is one or more segments of letters, digits, `_`, `-` or `$`, joined by `.`. */
export const DOT_PATH = /^[\w$-]+(\.[\w$-]+)*$/;

/**
 * The value at `path` inside `value`, or undefined when any step is missing. The empty path `''`
 * (and `.`) names `value` itself, for responses that are a bare array.
 */
export function getPath(value: unknown, path: string): unknown {
  if (path === '' || path === '.') return value;
  let current: unknown = value;
  for (const segment of path.split('.')) {
    if (current === null || current === undefined) return undefined;
    if (Array.isArray(current)) {
      if (!/^\d+$/.test(segment)) return undefined;
      current = current[Number(segment)];
    } else if (typeof current === 'object') {
      if (!Object.hasOwn(current, segment)) return undefined;
      current = (current as Record<string, unknown>)[segment];
    } else {
      return undefined;
    }
  }
  return current;
}
