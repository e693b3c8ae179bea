import { parseArgs } from 'node:util';
import { checkConfigFile, ConfigError, environmentNeeds, formatEnvNeeds, loadConfig } from './config/index.js';
import type { HubConfig } from './config/types.js';
import { startDemoSimulators, type RunningDemo } from './runtime/demo.js';
import { startHub, type Role } from './runtime/hub.js';
import { createLogger } from './runtime/logger.js';
import { openStoreConnection } from './runtime/store-connection.js';
import { printBanner } from './runtime/banner.js';
import { VERSION } from './runtime/version.js';
import { ADAPTERS } from './sync/registry.js';

const USAGE = `avhub ${VERSION}: the Availability Hub

usage: avhub <command> [options]

commands:
  start [--config FILE] [--data-dir DIR]
                 every role in one process: api, worker and scheduler. With a config that has a
                 demo: section (config/demo.yaml) it also starts the demo's simulated systems.
  api [--config FILE]
                 the HTTP API only (public and admin API, /dashboard/, /docs, /metrics)
  worker [--config FILE]
                 a worker only: polls and write-backs (run as many as you like)
  scheduler [--config FILE]
                 the per-site poll schedulers, the watchdog and the conflict sweeper only
  check-config [FILE | --config FILE]
                 validates a file: exits 0, or prints every error and exits 1. When variables
                 the file references are not set, it lists every environment variable the file
                 needs, one a line, with what each is for.
  help           this text (also --help, -h)

options:
  -c, --config FILE   the config file: --config, else $AVHUB_CONFIG, else config/hub.yaml
  --data-dir DIR      where \`start\` keeps the Redis it starts itself and the demo's files
                      (default ./data)
  --version           prints the version

When \`start\` finds no Redis at a plain local redis.url (redis://127.0.0.1:<port>, no password),
it starts redis-server there with its data under --data-dir and stops it on exit. SIGTERM and
SIGINT shut down cleanly; a second signal exits at once.`;

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
  if (values.help || command === 'help') { console.log(USAGE); return 0; }
  // No command at all is a mistake worth a non-zero exit (a script that forgot it), with the usage.
  if (!command) { console.error(USAGE); return 2; }
  const file = values.config ?? positionals[1] ?? process.env.AVHUB_CONFIG ?? 'config/hub.yaml';

  if (command === 'check-config') return checkConfig(file);
  const roles = ROLES[command];
  if (!roles) { console.error(`unknown command "${command}"\n\n${USAGE}`); return 2; }
  // Only `start` runs the demo's simulated systems: `api`, `worker` and `scheduler` are the roles of
  // a real deployment, where the sites' own systems answer (and ports 8101… may be taken).
  return run(file, new Set(roles), values['data-dir'] ?? 'data', command === 'start');
}

/**
 * `check-config`: exit 0 for a file the hub would run with, else every error and exit 1. Unset
 * variables are errors too (start would refuse the file), but a user trying the example needs
 * the whole list at once, with what each is for: so when any is missing, every variable the file
 * reads is listed, set or not.
 */
function checkConfig(file: string): number {
  const result = checkConfigFile(file, process.env, ADAPTERS);
  if (result.ok) {
    console.log(`${file}: OK (${result.config.sites.length} sites, ${Object.keys(result.config.groups).length} groups)`);
    return 0;
  }
  console.error(result.errors.join('\n'));
  const needs = environmentNeeds(file, process.env);
  const missing = needs.filter((n) => n.required && !n.set);
  if (missing.length > 0) {
    const others = result.errors.length - missing.length;
    console.error([
      '',
      `${file} reads these environment variables (${missing.length} required one${missing.length === 1 ? ' is' : 's are'} not set):`,
      ...formatEnvNeeds(needs),
      '',
      others > 0
        ? `Set the missing ones (e.g. export ${missing[0]!.name}=…) and fix the ${others} other error(s) above.`
        : `Set the missing ones (e.g. export ${missing[0]!.name}=…); apart from them the file is valid.`,
    ].join('\n'));
  }
  console.error(`${file}: ${result.errors.length} error(s)`);
  return 1;
}

async function run(file: string, roles: ReadonlySet<Role>, dataDir: string, withDemo: boolean): Promise<number> {
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
  if (config.demo && withDemo) demo = await startDemoSimulators(config, dataDir, logger);

  let hub;
  try {
    hub = await startHub(config, store.redis, roles, logger);
  } catch (err) {
    logger.error((err as Error).message);
    await demo?.stop();
    await store.close();
    return 1;
  }
  if (hub.address) printBanner(config, hub.address, file, demo !== undefined);

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
