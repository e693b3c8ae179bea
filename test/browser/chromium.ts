import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { describeWithBinary, type Requirement } from '../helpers/requires-binary.js';

/** Debian's chromium (FIELD-NOTES: never download a browser; CI installs this package). */
const CHROMIUM = '/usr/bin/chromium';

const CHROMIUM_ARGS = [
  '--no-sandbox', '--headless', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

const CHROMIUM_REQUIREMENT: Requirement = {
  binary: CHROMIUM, install: 'sudo apt-get install -y --no-install-recommends chromium', suites: 'browser tests',
};

/**
 * A browser suite: only a missing binary keeps it from running, and then it is skipped with a
 * banner locally and fails under CI (see requires-binary.ts).
 */
export const describeWithChromium = (name: string, body: () => void) => describeWithBinary(CHROMIUM_REQUIREMENT, name, body);

export interface Chromium {
  context: BrowserContext;
  /** Closes the browser and deletes its profile directory. */
  close(): Promise<void>;
}

/**
 * Launches Chromium headless with a fresh profile in a temp directory. Playwright refuses
 * `--user-data-dir` among the args, so the profile is its persistent-context directory.
 */
export async function launchChromium(options: Parameters<typeof chromium.launchPersistentContext>[1] = {}): Promise<Chromium> {
  const dir = mkdtempSync(join(tmpdir(), 'avhub-chromium-'));
  try {
    const context = await chromium.launchPersistentContext(dir, {
      executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true, ...options,
    });
    return {
      context,
      async close() {
        await context.close().catch(() => undefined);
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}
