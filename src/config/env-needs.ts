import { envReferences } from './env.js';
import type { Env } from './load.js';
import { formatPath, type PathSegment } from './path.js';
import { readYaml } from './source.js';

/** One environment variable a config file reads, with what it is for. */
export interface EnvNeed {
  name: string;
  /** False when every reference to it has a default (`${NAME:-default}`). */
  required: boolean;
  set: boolean;
  /** What the value is for, in words, e.g. "password of site north-hall's caldav adapter". */
  purpose: string;
  /** Where it is used: `auth.adminToken, line 47`, joined with `; ` when used in several places. */
  where: string;
}

/**
 * The environment variables a config file references, one entry per variable in file order, for
 * `avhub check-config` to list when some are missing: a new user copying the example learns in
 * one go what to export and why, instead of one error per field. Values are never read out, only
 * whether they are set. A file that cannot be read or parsed has no list (the loader says why).
 */
export function environmentNeeds(file: string, env: Env): EnvNeed[] {
  let source;
  try {
    source = readYaml(file);
  } catch {
    return [];
  }
  if (source.errors.length > 0 || source.data === null || typeof source.data !== 'object') return [];
  const data = source.data;
  const byName = new Map<string, EnvNeed & { places: string[] }>();
  for (const ref of envReferences(data)) {
    const line = source.lineOf(ref.path);
    const place = `${formatPath(ref.path)}${line === undefined ? '' : `, line ${line}`}`;
    const seen = byName.get(ref.name);
    if (seen) {
      seen.required ||= !ref.hasDefault;
      seen.places.push(place);
      continue;
    }
    const value = env[ref.name];
    byName.set(ref.name, {
      name: ref.name, required: !ref.hasDefault, set: value !== undefined && value !== '',
      purpose: purposeOf(ref.path, data), where: '', places: [place],
    });
  }
  return [...byName.values()].map(({ places, ...need }) => ({ ...need, where: places.join('; ') }));
}

/** One line per variable: name, whether it must be and is set, what it is for and where. */
export function formatEnvNeeds(needs: EnvNeed[]): string[] {
  const width = Math.max(0, ...needs.map((n) => n.name.length));
  return needs.map((n) => {
    const status = n.set ? 'set' : n.required ? 'NOT SET (required)' : 'not set (has a default)';
    return `  ${n.name.padEnd(width)}  ${status.padEnd(23)}  ${n.purpose} (${n.where})`;
  });
}

const FIXED: Record<string, string> = {
  'redis.url': 'Redis URL the hub keeps its data in',
  'redis.keyPrefix': 'prefix of every Redis key of this hub',
  'http.host': 'address the HTTP API listens on',
  'http.port': 'port the HTTP API listens on',
  'auth.adminToken': 'admin token: bearer token of the admin API and the dashboard (at least 16 characters)',
  'log.level': 'log level',
  hubId: 'id of this hub (its Redis hash tag)',
};

/** What the field at `path` is, said from the config's shape (site ids and kinds read from `data`). */
function purposeOf(path: PathSegment[], data: unknown): string {
  const text = formatPath(path);
  const fixed = FIXED[text];
  if (fixed) return fixed;
  const at = (p: PathSegment[]): unknown => p.reduce<unknown>((node, seg) =>
    (node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[String(seg)] : undefined), data);
  const str = (v: unknown) => (typeof v === 'string' && v !== '' && !v.includes('${') ? v : undefined);
  const field = (from: number) => path.slice(from).map(String).join('.');
  const [top, index] = path;
  if (top === 'redis' && path[1] === 'cluster') return 'a Redis Cluster seed node URL';
  if (top === 'auth' && path[1] === 'widgetKeys' && typeof path[2] === 'number') {
    return path[3] === 'key' ? 'widget key: the booking widget sends it in X-Api-Key (at least 8 characters)' : `widget key setting ${field(3)}`;
  }
  if (top === 'sites' && typeof index === 'number') {
    const site = str(at(['sites', index, 'id'])) ?? `#${index + 1}`;
    if (path[2] === 'heartbeatToken') return `heartbeat token site ${site} pushes with (at least 16 characters)`;
    if (path[2] === 'adapter') {
      const kind = str(at(['sites', index, 'adapter', 'kind'])) ?? 'its';
      return `${field(3)} of site ${site}'s ${kind} adapter`;
    }
    return `${field(2)} of site ${site}`;
  }
  if (top === 'alerts' && typeof index === 'number') {
    const kind = str(at(['alerts', index, 'kind'])) ?? 'alert';
    return `${field(2)} of the ${kind} alert channel`;
  }
  return text;
}
