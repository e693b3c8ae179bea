import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, startTestHub, type TestHub } from '../helpers/hub.js';

/**
 * The served /openapi.json against Redocly's `recommended` rules, as the people who generate
 * clients from it would lint it: no errors, and the warnings we chose to allow are named here.
 */
// Run as a file, not a binary on PATH (knip.json lists the package: it is used only here).
const REDOCLY = createRequire(import.meta.url).resolve('@redocly/cli/bin/cli.js');

interface Problem { ruleId: string; severity: 'error' | 'warn'; message: string; location: Array<{ pointer: string }> }

let hub: TestHub;
let dir: string;

describe('OpenAPI document and Redocly', () => {
  beforeAll(async () => {
    hub = await startTestHub({ roles: ['api'] });
    dir = mkdtempSync(join(tmpdir(), 'avhub-openapi-'));
  }, 60_000);
  afterAll(async () => {
    await hub?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('passes `redocly lint` (recommended rules) with no errors and no warnings', async () => {
    const doc = await call(hub.base, 'GET', '/openapi.json');
    expect(doc.status).toBe(200);
    const file = join(dir, 'openapi.json');
    writeFileSync(file, JSON.stringify(doc.body, null, 2));
    writeFileSync(join(dir, 'redocly.yaml'), 'extends:\n  - recommended\n');
    const run = await promisify(execFile)(process.execPath, [REDOCLY, 'lint', '--format=json', '--config', join(dir, 'redocly.yaml'), file], {
      cwd: dir, env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' }, maxBuffer: 32 * 1024 * 1024,
    }).catch((err: { stdout?: string; stderr?: string }) => ({ stdout: err.stdout ?? '', stderr: err.stderr ?? '' }));
    const report = JSON.parse(run.stdout.slice(run.stdout.indexOf('{'))) as { problems: Problem[] };
    const lines = report.problems.map((p) => `${p.severity} ${p.ruleId} ${p.location[0]?.pointer ?? ''}: ${p.message}`);
    expect(lines).toEqual([]);
  }, 60_000);

  it('lists API operations only, each with its own operationId; the conflicts endpoints are there, the pages\' files are not', async () => {
    const doc = (await call(hub.base, 'GET', '/openapi.json')).body as { paths: Record<string, Record<string, { operationId: string }>> };
    const paths = Object.keys(doc.paths);
    expect(paths).toEqual(expect.arrayContaining(['/v1/conflicts', '/v1/conflicts/{id}', '/v1/conflicts/{id}/resolve', '/v1/sites/{id}/sync', '/widget.js']));
    expect(paths.filter((p) => p.startsWith('/dashboard') || p.startsWith('/docs'))).toEqual([]);
    const ids = Object.values(doc.paths).flatMap((ops) => Object.values(ops).map((op) => op.operationId));
    expect(new Set(ids).size).toBe(ids.length);
    expect(doc.paths['/v1/holds/{id}/confirm']!.post!.operationId).toBe('postHoldsByIdConfirm');
  });
});
