import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { environmentNeeds, formatEnvNeeds } from './env-needs.js';

function file(text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'avhub-env-')), 'hub.yaml');
  writeFileSync(path, text);
  return path;
}

const YAML = `redis: { url: "\${REDIS_URL:-redis://127.0.0.1:6379}" }
auth:
  adminToken: \${TOKEN}
sites:
  - id: lake
    adapter: { kind: rest, auth: { header: Authorization, value: "Bearer \${PMS_TOKEN}" } }
  - id: beach
    adapter: { kind: rest, auth: { header: Authorization, value: "Bearer \${PMS_TOKEN:-}" } }
alerts:
  - { kind: slack, url: "\${SLACK}" }
literal: "$\${NOT_A_VARIABLE}"
`;

describe('environmentNeeds', () => {
  it('lists each variable once in file order, required when any reference lacks a default, with what it is for and where', () => {
    const needs = environmentNeeds(file(YAML), { TOKEN: 'secret-value-0123456789', SLACK: '' });
    expect(needs).toEqual([
      { name: 'REDIS_URL', required: false, set: false, purpose: 'Redis URL the hub keeps its data in', where: 'redis.url, line 1' },
      { name: 'TOKEN', required: true, set: true, purpose: expect.stringMatching(/^admin token/), where: 'auth.adminToken, line 3' },
      { name: 'PMS_TOKEN', required: true, set: false, purpose: 'auth.value of site lake\'s rest adapter',
        where: 'sites[0].adapter.auth.value, line 6; sites[1].adapter.auth.value, line 8' },
      // Set but empty counts as not set, as for ${NAME:-default}.
      { name: 'SLACK', required: true, set: false, purpose: 'url of the slack alert channel', where: 'alerts[0].url, line 10' },
    ]);
  });

  it('formats one line per variable and never prints a value', () => {
    const lines = formatEnvNeeds(environmentNeeds(file(YAML), { TOKEN: 'secret-value-0123456789' }));
    expect(lines).toHaveLength(4);
    expect(lines[1]).toMatch(/^ {2}TOKEN {6}set {22}admin token/);
    expect(lines.join('\n')).not.toContain('secret-value');
  });

  it('has nothing to say about a file it cannot read or parse (the loader reports that)', () => {
    expect(environmentNeeds('/nonexistent/hub.yaml', {})).toEqual([]);
    expect(environmentNeeds(file('a: [b'), {})).toEqual([]);
  });
});
