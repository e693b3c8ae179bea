export { loadConfig, checkConfigFile, type Env } from './load.js';
export { ConfigError } from './errors.js';
export { substituteEnv } from './env.js';
export { environmentNeeds, formatEnvNeeds } from './env-needs.js';
export type * from './types.js';
