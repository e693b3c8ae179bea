/**
 * Dot paths: the way a config names a value inside a PMS's JSON (`data.nights`, `guest.name`,
 * `rooms.0.type`). A segment that is a whole number indexes an array. Two additions for nested
 * home-grown shapes (README, "Nested arrays"): in `items`, a segment ending in `[]` walks every
 * element of that array (`data.roomTypes[].nights`), and in a field, each leading `^.` steps out
 * to the enclosing element of such a walk (`^.code`: the room type a night belongs to). No
 * filters: a home-grown PMS is mapped field by field.
 */

/** A dot path is one or more segments of letters, digits, `_`, `-` or `$`, joined by `.`. */
export const DOT_PATH = /^[\w$-]+(\.[\w$-]+)*$/;
/** A field: a dot path, optionally after `^.` steps out to enclosing elements. */
export const FIELD_PATH = /^(\^\.)*[\w$-]+(\.[\w$-]+)*$/;
/** Where items are: a dot path whose segments may end in `[]` (walk every element). */
export const ITEMS_PATH = /^[\w$-]+(\[\])?(\.[\w$-]+(\[\])?)*$/;

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

/** One item of a response, with the elements it was found inside (nearest first) for `^.` fields. */
export interface Located {
  value: unknown;
  parents: readonly unknown[];
  /** Its position in the innermost array (a booking's room number within `rooms[]`). */
  index: number;
}

/**
 * The items at an `items` path. Without `[]` this is the array at the path; with `a[].b`, the
 * elements of every `b` array inside every element of `a`, each knowing its enclosing `a`. An
 * element without the inner array contributes nothing. Undefined when the outermost array is
 * missing (the response is not the shape the config describes).
 */
export function selectItems(root: unknown, path: string): Located[] | undefined {
  const steps = path === '' || path === '.' ? [''] : path.replace(/\[\]$/, '').split(/\[\]\./);
  const out: Located[] = [];
  const walk = (value: unknown, depth: number, parents: readonly unknown[]): boolean => {
    const list = getPath(value, steps[depth]!);
    if (!Array.isArray(list)) return false;
    list.forEach((element, index) => {
      if (depth === steps.length - 1) out.push({ value: element, parents, index });
      else walk(element, depth + 1, [element, ...parents]);
    });
    return true;
  };
  return walk(root, 0, []) ? out : undefined;
}

/** A field of an item: `^.` steps out to its enclosing elements first (undefined past the outermost). */
export function readField(item: unknown, parents: readonly unknown[], path: string): unknown {
  let up = 0;
  let rest = path;
  while (rest.startsWith('^.')) { up += 1; rest = rest.slice(2); }
  if (up === 0) return getPath(item, rest);
  return up > parents.length ? undefined : getPath(parents[up - 1], rest);
}
