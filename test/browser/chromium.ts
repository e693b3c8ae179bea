import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';

/** Debian's chromium (FIELD-NOTES: never download a browser; CI installs this package). */
const CHROMIUM = '/usr/bin/chromium';

const CHROMIUM_ARGS = [
  '--no-sandbox', '--headless', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

/** Why browser suites skip, or null when Chromium is there. Only a missing binary skips. */
export function chromiumMissing(): string | null {
  return existsSync(CHROMIUM)
    ? null
    : `browser tests skipped: ${CHROMIUM} is missing (apt-get install -y --no-install-recommends chromium)`;
}

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
