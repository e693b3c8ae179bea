import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

/** The checkout's root. */
export const ROOT = resolve(new URL('../../', import.meta.url).pathname);

/** Project-relative paths of the TypeScript sources under `dir` (tests excluded). */
export function sources(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(join(ROOT, dir))) {
    const path = join(dir, name);
    if (statSync(join(ROOT, path)).isDirectory()) out.push(...sources(path));
    else if (name.endsWith('.ts') && !name.endsWith('.test.ts')) out.push(path);
  }
  return out;
}

export interface Imports {
  /** Project-relative paths of the file's relative imports (`.ts`). */
  local: string[];
  /** Package names the file imports (`ioredis`, `bullmq`, `node:fs` …). */
  packages: string[];
}

const IMPORT = /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s+'([^']+)'|import\(\s*'([^']+)'\s*\)/g;

/** What one file imports, type-only imports included (they still tie the folders together). */
export function importsOf(file: string): Imports {
  const text = readFileSync(join(ROOT, file), 'utf8');
  const local: string[] = [];
  const packages: string[] = [];
  for (const m of text.matchAll(IMPORT)) {
    const spec = (m[1] ?? m[2])!;
    if (spec.startsWith('.')) local.push(relative(ROOT, resolve(dirname(join(ROOT, file)), spec)).replace(/\.js$/, '.ts'));
    else packages.push(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!);
  }
  return { local, packages };
}

/**
 * The layer a file belongs to: `src/<folder>/…` is `<folder>`, a file directly in `src/` is its
 * name (`cli`), everything under `adapters/` is `adapters`.
 */
function folderOf(file: string): string {
  const parts = file.split('/');
  if (parts[0] === 'adapters') return 'adapters';
  return parts.length > 2 ? parts[1]! : parts[1]!.replace(/\.ts$/, '');
}

/** Folder → the folders it imports, with one example import per edge for the failure message. */
export function folderGraph(files: readonly string[], imports: (f: string) => string[]): Map<string, Map<string, string>> {
  const graph = new Map<string, Map<string, string>>();
  for (const file of files) {
    const from = folderOf(file);
    const edges = graph.get(from) ?? new Map<string, string>();
    graph.set(from, edges);
    for (const target of imports(file)) {
      const to = folderOf(target);
      if (to !== from && !edges.has(to)) edges.set(to, `${file} → ${target}`);
    }
  }
  return graph;
}

/** Every cycle found by a depth-first walk, as `a → b → a`. */
export function cyclesOf(graph: ReadonlyMap<string, Iterable<string>>): string[] {
  const cycles: string[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (node: string, path: string[]) => {
    if (state.get(node) === 'done') return;
    if (state.get(node) === 'visiting') { cycles.push([...path.slice(path.indexOf(node)), node].join(' → ')); return; }
    state.set(node, 'visiting');
    for (const next of graph.get(node) ?? []) visit(next, [...path, node]);
    state.set(node, 'done');
  };
  for (const node of graph.keys()) visit(node, []);
  return cycles;
}

/**
 * Imports that go up the layer order: a folder may import folders of a lower rank, and folders
 * of its own rank only where no folder cycle results (checked separately).
 */
export function upwardImports(graph: ReadonlyMap<string, ReadonlyMap<string, string>>, rank: Readonly<Record<string, number>>): string[] {
  const bad: string[] = [];
  for (const [from, edges] of graph) {
    for (const [to, example] of edges) {
      const a = rank[from];
      const b = rank[to];
      if (a === undefined) bad.push(`folder "${from}" has no layer (add it to LAYERS): ${example}`);
      else if (b === undefined) bad.push(`folder "${to}" has no layer (add it to LAYERS): ${example}`);
      else if (b > a) bad.push(`${from} (layer ${a}) imports ${to} (layer ${b}): ${example}`);
    }
  }
  return bad;
}
