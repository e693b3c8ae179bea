import { cpSync, mkdtempSync, readdirSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';

const REPO_ROOT = resolve(import.meta.dirname, '../..');

/**
 * The hub's sources transpiled file by file with esbuild into a temporary directory (the layout,
 * the Lua scripts and the dashboard's files as `npm run build` leaves them in `dist/`), for tests
 * that start and SIGKILL `avhub` processes again and again: a process started from JavaScript is
 * running in about a third of the time `tsx` needs on a loaded machine, which keeps a crash test's
 * restarts short. The same code as `src/cli.ts`, only without types. Answers the `cli.js` path.
 */
export async function compileHub(): Promise<{ cli: string; dir: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'avhub-compiled-'));
  const entryPoints = ['src', 'adapters'].flatMap((d) => readdirSync(join(REPO_ROOT, d), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts')).map((f) => join(REPO_ROOT, d, f)));
  await build({ entryPoints, outdir: dir, outbase: REPO_ROOT, format: 'esm', platform: 'node', target: 'node20', logLevel: 'warning' });
  for (const d of ['src/store/lua', 'src/web/dashboard']) cpSync(join(REPO_ROOT, d), join(dir, d), { recursive: true });
  // `type: module` for the .js files, and the version the banner prints.
  cpSync(join(REPO_ROOT, 'package.json'), join(dir, 'package.json'));
  symlinkSync(join(REPO_ROOT, 'node_modules'), join(dir, 'node_modules'));
  return { cli: join(dir, 'src/cli.js'), dir };
}
