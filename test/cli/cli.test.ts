import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TEST_REDIS_URL } from '../helpers/redis.js';

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

describe('avhub help', () => {
  it('`avhub help`, `--help` and `-h` print the usage of every command and exit 0; no command at all exits 2 with the usage', async () => {
    // One test, processes side by side: each start of the CLI from source costs seconds here.
    const [help, long, short, none] = await Promise.all([['help'], ['--help'], ['-h'], []].map((args) => avhub(args, {}, 60_000)));
    for (const r of [help!, long!, short!]) {
      expect(r.code).toBe(0);
      for (const command of ['start', 'api', 'worker', 'scheduler', 'check-config', 'help']) expect(r.stdout).toMatch(new RegExp(`^  ${command}\\b`, 'm'));
      expect(r.stdout).toContain('--config FILE');
      expect(r.stdout).toContain('--data-dir DIR');
    }
    expect(none!.code).toBe(2);
    expect(none!.stderr).toContain('usage: avhub <command>');
  }, 70_000);
});

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

  it('lists every environment variable the example needs, one a line with what it is for, and exits 1 while required ones are unset', async () => {
    const r = await avhub(['check-config', 'config/hub.example.yaml'], { WIDGET_KEY: 'example-widget-key' });
    expect(r.code).toBe(1);
    const lines = r.stderr.split('\n');
    const line = (name: string) => lines.find((l) => new RegExp(`^  ${name} `).test(l));
    expect(r.stderr).toContain('config/hub.example.yaml reads these environment variables (5 required ones are not set):');
    expect(line('HUB_ADMIN_TOKEN')).toMatch(/NOT SET \(required\)\s+admin token: bearer token of the admin API and the dashboard .*\(auth\.adminToken, line \d+\)$/);
    expect(line('WIDGET_KEY')).toMatch(/ set\s+widget key: the booking widget sends it in X-Api-Key/);
    expect(line('NORTH_HALL_DAV_PASSWORD')).toMatch(/NOT SET \(required\)\s+password of site north-hall's caldav adapter \(sites\[1\]\.adapter\.password, line \d+\)/);
    expect(line('SLACK_WEBHOOK_URL')).toMatch(/NOT SET \(required\)\s+url of the slack alert channel/);
    expect(line('REDIS_URL')).toMatch(/not set \(has a default\)\s+Redis URL/);
    // Every reference in the file is listed once; values are never printed.
    const names = [...readFileSync('config/hub.example.yaml', 'utf8').split('\n').filter((l) => !/^\s*#/.test(l)).join('\n')
      .matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => m[1]!);
    expect(lines.filter((l) => /^ {2}[A-Z_]+ {2}/.test(l)).map((l) => l.trim().split(/\s+/)[0])).toEqual([...new Set(names)]);
    expect(r.stderr).not.toContain('example-widget-key');
    expect(r.stderr).toContain('apart from them the file is valid');
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

describe('avhub api', () => {
  it('on the demo config serves the API without the demo simulators; GET / sends browsers to the dashboard and scripts a JSON index', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'avhub-cli-'));
    const file = join(dir, 'demo.yaml');
    writeFileSync(file, readFileSync('config/demo.yaml', 'utf8').replace('keyPrefix: avhub-demo', `keyPrefix: avhub-test-cli-api-${process.pid}`));
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'api', '--config', file], {
      cwd: ROOT, env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', PORT: '0', REDIS_URL: TEST_REDIS_URL },
    });
    let out = '';
    child.stdout.on('data', (d) => { out += String(d); });
    child.stderr.on('data', (d) => { out += String(d); });
    try {
      const address = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no banner:\n${out}`)), 20_000);
        const check = () => {
          const m = /Availability Hub is running: (http:\/\/\S+)/.exec(out);
          if (m && out.includes('Try:')) { clearTimeout(timer); resolve(m[1]!); }
        };
        child.stdout.on('data', check);
        child.stderr.on('data', check);
      });
      expect(out).toContain(`dashboard     ${address}/dashboard/`);
      expect(out).toContain(`API docs      ${address}/docs`);
      // No simulator was started (or tried: a taken port would be logged by the demo component too).
      expect(out).not.toContain('"component":"demo"');
      expect(out).not.toMatch(/simulated/);

      const index = await fetch(`${address}/`);
      expect(index.status).toBe(200);
      expect(await index.json()).toMatchObject({ name: 'Availability Hub', links: { dashboard: '/dashboard/', docs: '/docs', openapi: '/openapi.json', metrics: '/metrics' } });
      const browser = await fetch(`${address}/`, { redirect: 'manual', headers: { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' } });
      expect(browser.status).toBe(302);
      expect(new URL(browser.headers.get('location')!, `${address}/`).pathname).toBe('/dashboard/');
    } finally {
      const code = await new Promise<number | null>((resolve) => { child.on('exit', resolve); child.kill('SIGTERM'); });
      expect(code).toBe(0);
    }
  }, 40_000);
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
