export { loadConfig, checkConfigFile, type Env } from './load.js';
export { ConfigError, formatIssue, type ConfigIssue } from './errors.js';
export { parseDuration, tryParseDuration, formatDuration } from './duration.js';
export { substituteEnv } from './env.js';
export { parseOpeningHours } from './opening-hours.js';
export { ADAPTER_KINDS, type AdapterKind, type AdapterKindInfo, type AdapterKinds } from './adapter-kinds.js';
export type * from './types.js';
