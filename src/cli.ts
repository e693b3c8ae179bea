import { parseArgs } from 'node:util';
import { checkConfigFile, ConfigError, loadConfig } from './config/index.js';
import type { HubConfig } from './config/types.js';
import { startDemoSimulators, type RunningDemo } from './runtime/demo.js';
import { startHub, type Role } from './runtime/hub.js';
import { createLogger } from './runtime/logger.js';
import { openStoreConnection } from './runtime/store-connection.js';
import { printBanner } from './runtime/banner.js';
import { VERSION } from './runtime/version.js';
import { ADAPTERS } from './sync/registry.js';

const USAGE = `avhub ${VERSION}: the Availability Hub

usage: avhub <command> [--config FILE] [--data-dir DIR]

commands:
  start          every role in one process (api, worker, scheduler)
  api            the HTTP API only
  worker         the worker only (polls and write-backs)
  scheduler      the poll schedulers only
  check-config   validate FILE: exit 0, or print every error and exit 1

The config file is --config, else $AVHUB_CONFIG, else config/hub.yaml. When \`start\` finds no
Redis at a plain local redis.url, it starts redis-server there with its data under --data-dir
(default ./data) and stops it on exit.`;

const ROLES: Record<string, Role[]> = {
  start: ['api', 'worker', 'scheduler'], api: ['api'], worker: ['worker'], scheduler: ['scheduler'],
};

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv, allowPositionals: true,
    options: { config: { type: 'string', short: 'c' }, 'data-dir': { type: 'string' }, help: { type: 'boolean', short: 'h' }, version: { type: 'boolean' } },
  });
  if (values.version) { console.log(VERSION); return 0; }
  const command = positionals[0];
  if (values.help || !command) { console.log(USAGE); return command || values.help ? 0 : 2; }
  const file = values.config ?? positionals[1] ?? process.env.AVHUB_CONFIG ?? 'config/hub.yaml';

  if (command === 'check-config') {
    const result = checkConfigFile(file, process.env, ADAPTERS);
    if (result.ok) {
      console.log(`${file}: OK (${result.config.sites.length} sites, ${Object.keys(result.config.groups).length} groups)`);
      return 0;
    }
    console.error(result.errors.join('\n'));
    console.error(`${file}: ${result.errors.length} error(s)`);
    return 1;
  }
  const roles = ROLES[command];
  if (!roles) { console.error(`unknown command "${command}"\n\n${USAGE}`); return 2; }
  return run(file, new Set(roles), values['data-dir'] ?? 'data');
}

async function run(file: string, roles: ReadonlySet<Role>, dataDir: string): Promise<number> {
  let config: HubConfig;
  try {
    config = loadConfig(file, process.env, ADAPTERS);
  } catch (err) {
    if (err instanceof ConfigError) { console.error(err.message); return 1; }
    throw err;
  }
  const logger = createLogger(config.log.level);
  const store = await openStoreConnection(config, { file, roles, dataDir, logger });
  if (!store) return 1;

  // Demo and development only: the simulated systems the demo's sites poll and write to.
  let demo: RunningDemo | undefined;
  if (config.demo) demo = await startDemoSimulators(config, dataDir, logger);

  let hub;
  try {
    hub = await startHub(config, store.redis, roles, logger);
  } catch (err) {
    logger.error((err as Error).message);
    await demo?.stop();
    await store.close();
    return 1;
  }
  if (hub.address) printBanner(config, hub.address, file);

  await new Promise<void>((resolve) => {
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) { logger.warn('second signal: exiting now'); process.exit(1); }
      stopping = true;
      logger.info({ signal }, 'shutting down');
      resolve();
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
  // One SIGTERM ends the process within 10 s whatever Redis does: parts that wait for an absent
  // Redis are given up on, and connections still retrying afterwards do not keep it alive.
  let stopped = false;
  setTimeout(() => {
    logger.warn(stopped ? 'connections still open after stopping; exiting' : `shutdown did not finish within ${EXIT_WITHIN_MS / 1000} s; exiting`);
    process.exit(stopped ? 0 : 1);
  }, EXIT_WITHIN_MS).unref();
  await hub.stop();
  await demo?.stop();
  await store.close();
  stopped = true;
  logger.info('stopped');
  return 0;
}

/** A SIGTERM ends the process within this time (issue 14: within 10 s, whatever Redis does). */
const EXIT_WITHIN_MS = 9_000;

main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (err: unknown) => {
    console.error(`avhub: ${(err as Error).message}`);
    process.exitCode = 1;
  },
);
