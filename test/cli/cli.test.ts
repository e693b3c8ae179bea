import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = new URL('../../', import.meta.url).pathname;

/** Runs the CLI from source (tsx), so the test never sees a stale build. */
function avhub(args: string[], env: Record<string, string> = {}, timeoutMs = 20_000): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], {
      cwd: ROOT, env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => { stdout += String(d); });
    child.stderr.on('data', (d) => { stderr += String(d); });
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`avhub ${args.join(' ')} timed out:\n${stdout}\n${stderr}`)); }, timeoutMs);
    child.on('exit', (code) => { clearTimeout(timer); resolve({ code, stdout, stderr }); });
  });
}

function tempConfig(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'avhub-cli-'));
  const file = join(dir, 'hub.yaml');
  writeFileSync(file, text);
  return file;
}

const VALID = `auth: { adminToken: "0123456789abcdef" }
groups: { rooms: { workflow: centralized } }
sites:
  - { id: mitte, timezone: Europe/Berlin, adapter: { kind: none },
      resources: [ { id: double, kind: pool, capacity: 2, group: rooms, bookedBy: night } ] }
`;

describe('avhub check-config', () => {
  it('exits 0 for the demo and example files', async () => {
    const demo = await avhub(['check-config', 'config/demo.yaml']);
    expect(demo.code).toBe(0);
    expect(demo.stdout).toContain('OK (8 sites');
    const example = await avhub(['check-config', 'config/hub.example.yaml'],
      { HUB_ADMIN_TOKEN: 'example-admin-token-123', WIDGET_KEY: 'example-widget-key', NORTH_HALL_DAV_USER: 'u', NORTH_HALL_DAV_PASSWORD: 'p', ALERT_SECRET: 's', SLACK_WEBHOOK_URL: 'https://hooks.slack.com/x' });
    expect(example.stderr).toBe('');
    expect(example.code).toBe(0);
  });

  it('prints every error with file, line, field and the fix, and exits 1', async () => {
    const file = tempConfig(VALID.replace('Europe/Berlin', 'Europe/Berln').replace('"0123456789abcdef"', '"${MISSING_TOKEN}"'));
    const r = await avhub(['check-config', file]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${file}:1 auth.adminToken: environment variable MISSING_TOKEN is not set`);
    expect(r.stderr).toMatch(/:4 sites\[0\]\.timezone: "Europe\/Berln" is not an IANA time zone; did you mean "Europe\/Berlin"\?/);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });
});

describe('avhub start', () => {
  it('refuses a bad configuration with the same messages and no stack trace', async () => {
    const file = tempConfig(VALID.replace('capacity: 2', 'capacity: two'));
    const r = await avhub(['start', '--config', file]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/sites\[0\]\.resources\[0\]\.capacity: .*whole number/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('says clearly when the configured Redis cannot be reached', async () => {
    // Not the local default address, so the hub must not start a Redis of its own.
    const file = tempConfig(`redis: { url: "redis://127.0.0.1:1" }\nhttp: { port: 0 }\n${VALID}`);
    const r = await avhub(['api', '--config', file]);
    expect(r.code).toBe(1);
    expect(r.stdout + r.stderr).toMatch(/cannot reach Redis at redis:\/\/127\.0\.0\.1:1.*start Redis or set redis\.url/);
    expect(r.stdout + r.stderr).not.toMatch(/\n\s+at /);
  });

  it('runs, answers, and shuts down cleanly on SIGTERM', async () => {
    const prefix = `avhub-test-cli-${process.pid}`;
    const file = tempConfig(VALID.replace('auth:', `redis: { keyPrefix: ${prefix} }\nhttp: { port: 0 }\nauth:`));
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'start', '--config', file], { cwd: ROOT });
    let out = '';
    child.stdout.on('data', (d) => { out += String(d); });
    child.stderr.on('data', (d) => { out += String(d); });
    const address = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no banner:\n${out}`)), 20_000);
      const check = () => {
        const m = /Availability Hub is running: (http:\/\/\S+)/.exec(out);
        if (m) { clearTimeout(timer); resolve(m[1]!); }
      };
      child.stdout.on('data', check);
      child.stderr.on('data', check);
    });
    const res = await fetch(`${address}/healthz`);
    expect(res.status).toBe(200);
    const code = await new Promise<number | null>((resolve) => { child.on('exit', resolve); child.kill('SIGTERM'); });
    expect(code).toBe(0);
    expect(out).toContain('stopped');
  });
});

describe('avhub start without a Redis', () => {
  it('starts redis-server itself at a local address, with AOF under --data-dir, and stops it on exit', async () => {
    const port = 6440 + (process.pid % 50);
    const data = mkdtempSync(join(tmpdir(), 'avhub-data-'));
    const file = tempConfig(`redis: { url: "redis://127.0.0.1:${port}" }\nhttp: { port: 0 }\n${VALID}`);
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'start', '--config', file, '--data-dir', data], { cwd: ROOT });
    let out = '';
    child.stdout.on('data', (d) => { out += String(d); });
    child.stderr.on('data', (d) => { out += String(d); });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no banner:\n${out}`)), 20_000);
      const check = () => { if (out.includes('Availability Hub is running')) { clearTimeout(timer); resolve(); } };
      child.stdout.on('data', check);
      child.stderr.on('data', check);
    });
    expect(out).toContain('starting redis-server');
    const { Redis } = await import('ioredis');
    const probe = new Redis(`redis://127.0.0.1:${port}`, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    await probe.connect();
    expect(await probe.config('GET', 'appendonly')).toEqual(['appendonly', 'yes']);
    expect(await probe.config('GET', 'dir')).toEqual(['dir', data]);
    probe.disconnect();
    const code = await new Promise<number | null>((resolve) => { child.on('exit', resolve); child.kill('SIGTERM'); });
    expect(code).toBe(0);
    const after = new Redis(`redis://127.0.0.1:${port}`, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    after.on('error', () => undefined);
    await expect(after.connect()).rejects.toThrow();
    after.disconnect();
  });
});
