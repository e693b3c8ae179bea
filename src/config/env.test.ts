import { describe, expect, it } from 'vitest';

import { substituteEnv } from './env.js';

describe('substituteEnv', () => {
  it('replaces variables in nested string scalars and leaves other values alone', () => {
    const tree = { a: '${A}', list: ['x-${B}-y', 3, true, null], keys: { '${A}': 'k' } };
    const { value, issues } = substituteEnv(tree, { A: 'one', B: 'two' });
    expect(issues).toEqual([]);
    expect(value).toEqual({ a: 'one', list: ['x-two-y', 3, true, null], keys: { '${A}': 'k' } });
  });

  it('uses the default when the variable is unset or empty', () => {
    const tree = { a: '${A:-fallback}', b: '${B:-redis://h:6379}', c: '${C:-}' };
    expect(substituteEnv(tree, { B: '' }).value).toEqual({ a: 'fallback', b: 'redis://h:6379', c: '' });
    expect(substituteEnv(tree, { A: 'set' }).value).toMatchObject({ a: 'set' });
  });

  it('keeps values with YAML-special characters intact', () => {
    expect(substituteEnv({ t: '${T}' }, { T: 'a: b # c, {d}' }).value).toEqual({ t: 'a: b # c, {d}' });
  });

  it('reports an unset variable with its name and the path where it is used', () => {
    const { value, issues } = substituteEnv({ auth: { keys: [{ key: '${WIDGET_KEY}' }] } }, {});
    expect(issues).toEqual([
      { path: ['auth', 'keys', 0, 'key'], message: expect.stringContaining('environment variable WIDGET_KEY is not set') },
    ]);
    expect(issues[0]!.message).toContain('${WIDGET_KEY:-default}');
    expect(value).toEqual({ auth: { keys: [{ key: '' }] } });
  });

  it('treats an empty but set variable without default as set', () => {
    expect(substituteEnv({ a: '${A}' }, { A: '' })).toEqual({ value: { a: '' }, issues: [] });
  });

  it('turns $${ into a literal ${', () => {
    expect(substituteEnv({ a: 'cost $${PRICE} and ${A}' }, { A: 'x' }).value).toEqual({ a: 'cost ${PRICE} and x' });
  });

  it('reports malformed references', () => {
    const { issues } = substituteEnv({ a: '${1BAD}', b: 'open ${NAME' }, {});
    expect(issues.map((i) => i.path)).toEqual([['a'], ['b']]);
    expect(issues[0]!.message).toContain('not a valid variable reference');
    expect(issues[1]!.message).toContain('unterminated');
  });
});
