import { describe, expect, it } from 'vitest';

import { ConfigError, formatIssue } from './errors.js';

describe('ConfigError', () => {
  it('formats one line per issue, in file order', () => {
    const error = new ConfigError([
      { file: 'config/hub.yaml', path: 'sites[2].timezone', line: 14, message: 'bad zone' },
      { file: 'config/hub.yaml', path: 'alerts', message: 'no line' },
      { file: 'config/hub.yaml', path: 'hubId', line: 1, message: 'bad id' },
    ]);
    expect(error.format()).toBe(
      ['config/hub.yaml:1 hubId: bad id', 'config/hub.yaml:14 sites[2].timezone: bad zone', 'config/hub.yaml alerts: no line'].join('\n'),
    );
    expect(error.message).toContain('config/hub.yaml:14 sites[2].timezone: bad zone');
  });

  it('formats whole-file issues without a path', () => {
    expect(formatIssue({ file: 'x.yaml', path: '', message: 'no such file' })).toBe('x.yaml: no such file');
  });
});
