import type { PathIssue, PathSegment } from './path.js';

/** `$${` (escape), or `${NAME}` / `${NAME:-default}`, or an unterminated `${`. */
const REFERENCE = /\$\$\{|\$\{([^}]*)\}|\$\{/g;
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Replaces `${NAME}` and `${NAME:-default}` in every string scalar of a parsed YAML tree; `$${`
 * stands for a literal `${`. Like the shell, the default applies when the variable is unset or
 * empty. Substitution runs after parsing, so a value containing `:` or `#` cannot change the
 * document's structure. Mapping keys are left alone.
 *
 * An unset variable without a default is reported with the variable's name and the field's path;
 * the field then holds an empty string so validation can carry on.
 */
export function substituteEnv(
  tree: unknown,
  env: Readonly<Record<string, string | undefined>>,
): { value: unknown; issues: PathIssue[] } {
  const issues: PathIssue[] = [];
  const visit = (node: unknown, path: PathSegment[]): unknown => {
    if (typeof node === 'string') return substituteString(node, env, path, issues);
    if (Array.isArray(node)) return node.map((item, i) => visit(item, [...path, i]));
    if (node !== null && typeof node === 'object') {
      const out: Record<string, unknown> = {};
      for (const [key, value] of Object.entries(node)) out[key] = visit(value, [...path, key]);
      return out;
    }
    return node;
  };
  return { value: visit(tree, []), issues };
}

function substituteString(
  text: string,
  env: Readonly<Record<string, string | undefined>>,
  path: PathSegment[],
  issues: PathIssue[],
): string {
  return text.replace(REFERENCE, (match, body: string | undefined) => {
    if (match === '$${') return '${';
    if (body === undefined) {
      issues.push({ path, message: 'unterminated "${"; write ${NAME}, ${NAME:-default}, or $${ for a literal "${"' });
      return match;
    }
    const split = body.indexOf(':-');
    const name = split === -1 ? body : body.slice(0, split);
    if (!NAME.test(name)) {
      issues.push({
        path,
        message: `"${match}" is not a valid variable reference; write \${NAME} or \${NAME:-default} with NAME made of letters, digits and _`,
      });
      return match;
    }
    const value = env[name];
    if (split !== -1) return value === undefined || value === '' ? body.slice(split + 2) : value;
    if (value === undefined) {
      issues.push({
        path,
        message: `environment variable ${name} is not set; set it, or write \${${name}:-default} to give a default`,
      });
      return '';
    }
    return value;
  });
}

/** One `${NAME}` reference in a config file. */
export interface EnvReference {
  name: string;
  path: PathSegment[];
  /** `${NAME:-default}`: the file works without the variable. */
  hasDefault: boolean;
}

/** Every well-formed `${NAME}` / `${NAME:-default}` in the string scalars of a parsed YAML tree, in file order. */
export function envReferences(tree: unknown): EnvReference[] {
  const out: EnvReference[] = [];
  const visit = (node: unknown, path: PathSegment[]): void => {
    if (typeof node === 'string') {
      for (const m of node.matchAll(REFERENCE)) {
        const body = m[1];
        if (m[0] === '$${' || body === undefined) continue;
        const split = body.indexOf(':-');
        const name = split === -1 ? body : body.slice(0, split);
        if (NAME.test(name)) out.push({ name, path, hasDefault: split !== -1 });
      }
    } else if (Array.isArray(node)) {
      node.forEach((item, i) => visit(item, [...path, i]));
    } else if (node !== null && typeof node === 'object') {
      for (const [key, value] of Object.entries(node)) visit(value, [...path, key]);
    }
  };
  visit(tree, []);
  return out;
}
