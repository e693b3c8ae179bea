import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';

/** The checkout's root: `src/cli.ts` runs from here through tsx, as `npx avhub` would after a build. */
const REPO_ROOT = resolve(import.meta.dirname, '../..');

export interface HubProcess {
  child: ChildProcess;
  pid: number;
  /** The process's stdout and stderr so far (the last 20,000 characters). */
  output(): string;
  /** Resolves once the output contains `text`; rejects when the process exits first or time runs out. */
  waitFor(text: string | RegExp, ms?: number): Promise<void>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGKILL: no shutdown hooks, no lock release, sockets simply vanish. */
  kill9(): Promise<void>;
  /** SIGTERM and wait (SIGKILL after `ms`). */
  stop(ms?: number): Promise<void>;
}

/**
 * Runs `avhub <command> --config <file>` as its own process (`node --import tsx src/cli.ts ...`,
 * or `node <cli>` when given a compiled `cli.js`), like an operator runs one more worker. Only
 * this process is ever signalled (by its pid).
 */
export function spawnHubProcess(command: 'worker' | 'api' | 'scheduler' | 'start', configFile: string, env: NodeJS.ProcessEnv = {},
  cli?: string): HubProcess {
  const entry = cli ? [cli] : ['--import', 'tsx', 'src/cli.ts'];
  const child = spawn(process.execPath, [...entry, command, '--config', configFile], {
    cwd: REPO_ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const listeners = new Set<() => void>();
  const onData = (d: Buffer) => {
    out = (out + d.toString()).slice(-20_000);
    for (const l of [...listeners]) l();
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((res) => {
    child.once('exit', (code, signal) => { for (const l of [...listeners]) l(); res({ code, signal }); });
  });
  const alive = () => child.exitCode === null && child.signalCode === null;
  return {
    child,
    pid: child.pid ?? -1,
    output: () => out,
    exited,
    waitFor(text, ms = 20_000) {
      return new Promise<void>((res, rej) => {
        const matches = () => (typeof text === 'string' ? out.includes(text) : text.test(out));
        const timer = setTimeout(() => { listeners.delete(check); rej(new Error(`avhub ${command} did not print ${String(text)} within ${ms} ms:\n${out}`)); }, ms);
        const check = () => {
          if (matches()) { clearTimeout(timer); listeners.delete(check); res(); return; }
          if (!alive()) { clearTimeout(timer); listeners.delete(check); rej(new Error(`avhub ${command} exited (${child.exitCode ?? child.signalCode}):\n${out}`)); }
        };
        listeners.add(check);
        check();
      });
    },
    async kill9() {
      if (alive()) child.kill('SIGKILL');
      await exited;
    },
    async stop(ms = 10_000) {
      if (!alive()) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => { if (alive()) child.kill('SIGKILL'); }, ms);
      await exited;
      clearTimeout(timer);
    },
  };
}
