import { resolve as resolvePath } from 'node:path';

import { substituteEnv } from './env.js';
import { type ConfigIssue, ConfigError, formatIssue } from './errors.js';
import { formatPath, type PathIssue } from './path.js';
import type { AdapterKinds } from './adapter-kinds.js';
import { checkReferences } from './references.js';
import { assemble, resolveAllRules } from './resolve.js';
import { hubFileSchema } from './schema.js';
import { readYaml, type YamlSource } from './source.js';
import type { HubConfig } from './types.js';
import { fromZodIssues } from './zod-issues.js';

/** Environment variables as `process.env` holds them. */
export type Env = Readonly<Record<string, string | undefined>>;

/**
 * Loads, validates and resolves a configuration file (DESIGN §8). `${NAME}` references are taken
 * from `env` (pass `process.env`); nothing here reads the process environment. `kinds` are the
 * adapter kinds this process can run (pass the registry's `ADAPTERS`): their schemas validate each
 * site's `adapter:` settings and resources' `source:`, and read-only kinds refuse centralized groups.
 * @throws {ConfigError} with every issue found (environment, shape, references), each with the
 *   file, the path, the line where known, and what would be valid.
 */
export function loadConfig(file: string, env: Env, kinds: AdapterKinds): HubConfig {
  let source: YamlSource;
  try {
    source = readYaml(file);
  } catch (error) {
    throw new ConfigError([{ file, path: '', message: readFailure(error) }]);
  }
  if (source.errors.length > 0) {
    throw new ConfigError(source.errors.map(({ line, message }) => ({ file, path: '', line, message })));
  }
  if (source.data === null || source.data === undefined) {
    throw new ConfigError([{ file, path: '', message: 'the file is empty; see config/hub.example.yaml for every setting' }]);
  }

  const substituted = substituteEnv(withoutExtensions(source.data), env);
  const data = substituted.value;
  const envPaths = substituted.issues.map((issue) => formatPath(issue.path));
  // A field whose variable is missing would also fail validation as empty; report it once.
  const notFromMissingEnv = (issue: PathIssue) => {
    const path = formatPath(issue.path);
    return !envPaths.some((p) => path === p || path.startsWith(`${p}.`) || path.startsWith(`${p}[`));
  };

  const parsed = hubFileSchema(kinds).safeParse(data, { reportInput: true });
  const rules = resolveAllRules(data);
  const issues: PathIssue[] = [
    ...substituted.issues,
    ...(parsed.success ? [] : fromZodIssues(parsed.error.issues, data)).filter(notFromMissingEnv),
    ...checkReferences(data, kinds),
    ...rules.issues,
  ];
  if (issues.length > 0 || !parsed.success) throw new ConfigError(locate(file, source, dedupe(issues)));
  return assemble(resolvePath(file), parsed.data, rules.rules);
}

/**
 * Validates a file for `avhub check-config` (arguments as for {@link loadConfig}): the config, or
 * one formatted line per issue.
 * Unexpected failures (bugs) are thrown, not reported as config errors.
 */
export function checkConfigFile(
  file: string,
  env: Env,
  kinds: AdapterKinds,
): { ok: true; config: HubConfig } | { ok: false; errors: string[] } {
  try {
    return { ok: true, config: loadConfig(file, env, kinds) };
  } catch (error) {
    if (error instanceof ConfigError) return { ok: false, errors: error.issues.map(formatIssue) };
    throw error;
  }
}

/**
 * Drops top-level `x-` keys: like Compose's extension fields, they hold YAML anchors for other
 * entries to merge (`<<: *base`), which `toJS` has already resolved.
 */
function withoutExtensions(data: unknown): unknown {
  if (data === null || typeof data !== 'object' || Array.isArray(data)) return data;
  return Object.fromEntries(Object.entries(data).filter(([key]) => !key.startsWith('x-')));
}

function locate(file: string, source: YamlSource, issues: PathIssue[]): ConfigIssue[] {
  return issues.map(({ path, message }) => {
    const line = source.lineOf(path);
    return { file, path: formatPath(path), ...(line !== undefined && { line }), message };
  });
}

function dedupe(issues: PathIssue[]): PathIssue[] {
  const seen = new Set<string>();
  return issues.filter((issue) => {
    const key = `${formatPath(issue.path)}\n${issue.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function readFailure(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file; pass the path of a configuration file (see config/hub.example.yaml)';
  if (code === 'EISDIR') return 'is a directory; pass the path of a YAML file';
  if (code === 'EACCES') return 'permission denied; the hub cannot read this file';
  return `cannot read the file: ${(error as Error).message}`;
}
