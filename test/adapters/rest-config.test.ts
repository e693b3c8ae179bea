import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { substituteEnv } from '../../src/config/index.js';
import { siteSchema } from '../../src/config/schema.js';
import { restAdapter } from '../../adapters/rest/index.js';
import { ADAPTERS } from '../../src/sync/registry.js';

const text = readFileSync(new URL('../../adapters/rest/fixtures/example-site.yaml', import.meta.url), 'utf8');

describe('rest adapter: the README example through the config schema', () => {
  it('the example site is valid, with the secret from the environment', () => {
    const { value, issues } = substituteEnv(parse(text), { PMS_TOKEN: 't0ken' });
    expect(issues).toEqual([]);
    const result = siteSchema(ADAPTERS).safeParse(value);
    expect(result.success ? [] : result.error.issues).toEqual([]);
    const { kind: _kind, ...settings } = (value as { adapter: Record<string, unknown> }).adapter;
    expect(restAdapter.settings.parse(settings).auth?.value).toBe('Bearer t0ken');
  });

  it('a mistake in the mapping is reported under adapter with the field\'s path', () => {
    const { value } = substituteEnv(parse(text.replace('path: /bookings?updatedSince={since}&page={page}', 'path: /bookings?since={updated}&page={page}')), { PMS_TOKEN: 't' });
    const result = siteSchema(ADAPTERS).safeParse(value);
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => [i.path.join('.'), i.message])).toEqual([
      ['adapter.bookings.path', expect.stringContaining('unknown placeholder {updated}')],
    ]);
  });

  it('a wrong resource source is reported on the resource', () => {
    const { value } = substituteEnv(parse(text.replace('source: { id: DBL }', 'source: { roomType: DBL }')), { PMS_TOKEN: 't' });
    const result = siteSchema(ADAPTERS).safeParse(value);
    expect(result.error?.issues.map((i) => i.path.join('.'))).toContain('resources.0.source.roomType');
  });
});
