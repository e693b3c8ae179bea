/** One step into the parsed YAML tree: a mapping key or a sequence index. */
export type PathSegment = string | number;

const PLAIN_KEY = /^[A-Za-z0-9_-]+$/;

/** Renders a path the way a reader finds it in the file: `sites[2].rules.openingHours.mon-fri`. */
export function formatPath(path: readonly PathSegment[]): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (PLAIN_KEY.test(segment)) out += out === '' ? segment : `.${segment}`;
    else out += `[${JSON.stringify(segment)}]`;
  }
  return out;
}

/** An issue before the loader attaches the file name and line. */
export interface PathIssue {
  path: PathSegment[];
  message: string;
}
