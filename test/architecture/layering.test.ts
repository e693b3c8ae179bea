import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HubKeys } from '../../src/store/keys.js';
import { cyclesOf, folderGraph, importsOf, ROOT, sources, upwardImports } from './imports.js';

/**
 * The layers of DESIGN §3, lowest first. A folder imports only folders of lower layers, or of its
 * own layer where that makes no folder cycle. `web` is browser code that imports nothing of the
 * hub; `adapters` sit beside the core and are reached only through the registry (below).
 */
const LAYERS: Record<string, number> = {
  domain: 0,
  config: 1,
  core: 2,
  adapters: 3,
  store: 3,
  sync: 4, reservations: 4, conflicts: 4, health: 4, alerts: 4, feeds: 4,
  api: 5, web: 5,
  runtime: 6,
  cli: 7,
};

/** Only these folders may talk to Redis directly; everything else goes through src/store. */
const REDIS_OWNERS = ['store', 'runtime'];

/** Over this many lines a source file says in its header why it is long. */
const LONG_FILE_LINES = 400;

const files = [...sources('src'), ...sources('adapters')];
const imports = new Map(files.map((f) => [f, importsOf(f)]));
const local = (f: string) => (imports.get(f)?.local ?? []).filter((i) => imports.has(i));

describe('layering (DESIGN §3)', () => {
  it('no folder imports a folder of a higher layer', () => {
    expect(upwardImports(folderGraph(files, local), LAYERS)).toEqual([]);
  });

  it('has no cycles between folders', () => {
    const graph = folderGraph(files, local);
    expect(cyclesOf(new Map([...graph].map(([k, v]) => [k, [...v.keys()]])))).toEqual([]);
  });

  it('has no import cycles between files', () => {
    expect(cyclesOf(new Map(files.map((f) => [f, local(f)])))).toEqual([]);
  });

  it('only src/store and src/runtime import ioredis', () => {
    const bad = files.filter((f) => imports.get(f)!.packages.includes('ioredis'))
      .filter((f) => !REDIS_OWNERS.some((o) => f.startsWith(`src/${o}/`)));
    expect(bad).toEqual([]);
  });

  it('the domain imports no package but luxon, and nothing outside the domain', () => {
    const bad = sources('src/domain').flatMap((f) => [
      ...imports.get(f)!.local.filter((i) => !i.startsWith('src/domain/')),
      ...imports.get(f)!.packages.filter((p) => p !== 'luxon' && !p.startsWith('node:')),
    ].map((i) => `${f} → ${i}`));
    expect(bad).toEqual([]);
  });

  it('config imports only the domain: loading a config does not load the adapters', () => {
    const bad = sources('src/config').flatMap((f) => imports.get(f)!.local
      .filter((i) => !i.startsWith('src/config/') && !i.startsWith('src/domain/')).map((i) => `${f} → ${i}`));
    expect(bad).toEqual([]);
  });

  it('adapters import only the domain, the adapter port beside it, and other adapters', () => {
    const allowed = (i: string) => i.startsWith('src/domain/') || i.startsWith('src/core/adapter/') || i.startsWith('adapters/');
    const bad = sources('adapters').flatMap((f) => imports.get(f)!.local.filter((i) => !allowed(i)).map((i) => `${f} → ${i}`));
    expect(bad).toEqual([]);
  });

  it('the core reaches adapters only through the registry', () => {
    const bad = sources('src').filter((f) => f !== 'src/sync/registry.ts')
      .flatMap((f) => imports.get(f)!.local.filter((i) => i.startsWith('adapters/')).map((i) => `${f} → ${i}`));
    expect(bad).toEqual([]);
  });

  it(`a source file over ${LONG_FILE_LINES} lines says why in its header`, () => {
    const bad = files.filter((f) => {
      const text = readFileSync(join(ROOT, f), 'utf8');
      return text.split('\n').length > LONG_FILE_LINES && !/long because/i.test(text.split('\n').slice(0, 15).join('\n'));
    });
    expect(bad).toEqual([]);
  });
});

describe('one key layout (src/store/keys.ts)', () => {
  it('names every key a Lua script builds from the prefix', () => {
    const keys = new HubKeys('t', 'h');
    const methods = Object.getOwnPropertyNames(HubKeys.prototype)
      .filter((m) => m !== 'constructor' && m !== 'queuePrefix')
      .map((m) => (keys as unknown as Record<string, (...a: string[]) => string>)[m]!.call(keys, 'X', 'X', 'X').slice(keys.prefix.length));
    const dir = join(ROOT, 'src/store/lua');
    const lua = [...readdirSync(dir).filter((n) => n.endsWith('.lua')).map((n) => join(dir, n)),
      ...readdirSync(join(dir, 'includes')).map((n) => join(dir, 'includes', n))];
    const built = new Set(lua.flatMap((file) => [...readFileSync(file, 'utf8').matchAll(/\bp \.\. '([^']+)'/g)].map((m) => m[1]!)));
    const unnamed = [...built].filter((k) => !methods.some((name) => name === k || name.startsWith(k)));
    expect(unnamed).toEqual([]);
  });
});

describe('the layering checks can fail', () => {
  // A rule that cannot fail proves nothing: feed each check a graph that breaks it.
  it('finds an upward import and a folder cycle', () => {
    const graph = folderGraph(['src/store/a.ts', 'src/api/b.ts'], (f) => (f === 'src/store/a.ts' ? ['src/api/b.ts'] : ['src/store/a.ts']));
    expect(upwardImports(graph, LAYERS)).toEqual(['store (layer 3) imports api (layer 5): src/store/a.ts → src/api/b.ts']);
    expect(cyclesOf(new Map([...graph].map(([k, v]) => [k, [...v.keys()]])))).toEqual(['store → api → store']);
  });

  it('finds a folder that has no layer', () => {
    const graph = folderGraph(['src/misc/a.ts'], () => ['src/domain/types.ts']);
    expect(upwardImports(graph, LAYERS)).toEqual(['folder "misc" has no layer (add it to LAYERS): src/misc/a.ts → src/domain/types.ts']);
  });
});
