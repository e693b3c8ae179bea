import { existsSync } from 'node:fs';
import { describe, it } from 'vitest';

/** A system binary some suites need (Debian packages, never downloaded by the tests). */
export interface Requirement {
  /** Absolute path the suites run. */
  binary: string;
  /** What installs it, e.g. `apt-get install -y radicale`. */
  install: string;
  /** What cannot run without it, for the message. */
  suites: string;
}

/**
 * Under CI a missing binary fails the run: a green CI with a whole layer of tests skipped
 * proves nothing. `CI` counts as set unless empty or `false`.
 */
export const inCi = (): boolean => {
  const ci = process.env.CI;
  return ci !== undefined && ci !== '' && ci !== 'false';
};

export const isInstalled = (req: Requirement): boolean => existsSync(req.binary);

function missingMessage(req: Requirement): string {
  return `${req.binary} is missing, so the ${req.suites} cannot run: install it with \`${req.install}\``;
}

/** A banner that stands out in the test output (a one-line warning is easy to miss). */
function announce(req: Requirement, name: string): void {
  const lines = [
    `${inCi() ? 'FAILING (CI is set)' : 'SKIPPED'}: ${name}`,
    `${req.binary} is missing (${req.suites})`,
    `install: ${req.install}`,
  ];
  const width = Math.max(...lines.map((l) => l.length));
  const bar = '!'.repeat(width + 4);
  console.warn(['', bar, ...lines.map((l) => `! ${l.padEnd(width)} !`), bar, ''].join('\n'));
}

/**
 * Registers a suite that needs `req`: as is when the binary is there; otherwise a suite of the
 * same name that is skipped with a banner, or that fails with the install command under CI.
 * `register` must define the suite (one `describe`, or a shared contract suite).
 */
export function withBinary(req: Requirement, name: string, register: () => void): void {
  if (isInstalled(req)) {
    register();
    return;
  }
  announce(req, name);
  const message = missingMessage(req);
  if (inCi()) describe(name, () => it(`needs ${req.binary}`, () => { throw new Error(message); }));
  else describe.skip(name, () => it(message, () => undefined));
}

export function describeWithBinary(req: Requirement, name: string, body: () => void): void {
  withBinary(req, name, () => describe(name, body));
}

/** One test that needs `req`, inside a suite that runs without it. */
export function itWithBinary(req: Requirement, name: string, fn: () => Promise<void>, timeout?: number): void {
  if (isInstalled(req)) {
    it(name, fn, timeout);
    return;
  }
  announce(req, name);
  const message = missingMessage(req);
  if (inCi()) it(name, () => { throw new Error(message); });
  else it.skip(name, fn);
}
