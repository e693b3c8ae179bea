export { loadConfig, checkConfigFile, type Env } from './load.js';
export { ConfigError, formatIssue, type ConfigIssue } from './errors.js';
export { parseDuration, tryParseDuration, formatDuration } from './duration.js';
export { substituteEnv } from './env.js';
export { parseOpeningHours } from './opening-hours.js';
export { ADAPTER_KINDS, READ_ONLY_ADAPTER_KINDS } from './schema.js';
export type * from './types.js';
