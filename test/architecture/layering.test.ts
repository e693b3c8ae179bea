import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve, dirname } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(new URL('../../', import.meta.url).pathname);

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(join(ROOT, dir))) {
    const path = join(dir, name);
    if (statSync(join(ROOT, path)).isDirectory()) out.push(...sources(path));
    else if (name.endsWith('.ts') && !name.endsWith('.test.ts')) out.push(path);
  }
  return out;
}

/** Project-relative paths of the relative imports of one file. */
function importsOf(file: string): string[] {
  const text = readFileSync(join(ROOT, file), 'utf8');
  return [...text.matchAll(/(?:import|export)[^'"]*?from\s+'(\.[^']+)'/g)]
    .map((m) => relative(ROOT, resolve(dirname(join(ROOT, file)), m[1]!)).replace(/\.js$/, '.ts'));
}

describe('layering (DESIGN §3)', () => {
  it('the domain imports nothing outside the domain', () => {
    const bad = sources('src/domain').flatMap((f) => importsOf(f).filter((i) => !i.startsWith('src/domain/')).map((i) => `${f} → ${i}`));
    expect(bad).toEqual([]);
  });

  it('adapters import only the domain types and the adapter port', () => {
    const allowed = (i: string) => i.startsWith('src/domain/') || i === 'src/sync/port.ts'
      || i.startsWith('src/sync/errors/') || i.startsWith('adapters/');
    const bad = sources('adapters').flatMap((f) => importsOf(f).filter((i) => !allowed(i)).map((i) => `${f} → ${i}`));
    expect(bad).toEqual([]);
  });

  it('the core reaches adapters only through the registry', () => {
    const bad = sources('src').filter((f) => f !== 'src/sync/registry.ts')
      .flatMap((f) => importsOf(f).filter((i) => i.startsWith('adapters/')).map((i) => `${f} → ${i}`));
    expect(bad).toEqual([]);
  });

  it('has no import cycles', () => {
    const files = [...sources('src'), ...sources('adapters')];
    const graph = new Map(files.map((f) => [f, importsOf(f).filter((i) => files.includes(i))]));
    const cycles: string[] = [];
    const state = new Map<string, 'visiting' | 'done'>();
    const visit = (f: string, path: string[]) => {
      if (state.get(f) === 'done') return;
      if (state.get(f) === 'visiting') { cycles.push([...path.slice(path.indexOf(f)), f].join(' → ')); return; }
      state.set(f, 'visiting');
      for (const next of graph.get(f) ?? []) visit(next, [...path, f]);
      state.set(f, 'done');
    };
    for (const f of files) visit(f, []);
    expect(cycles).toEqual([]);
  });
});
