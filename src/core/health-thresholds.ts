import type { HubConfig } from '../config/types.js';

/** When a site turns limited and when it is trusted again, as the health-record script takes them. */
export function healthThresholds(config: HubConfig): { failures: number; recover: number } {
  return { failures: config.defaults.limitedAfter.failures, recover: config.defaults.recoverAfter };
}
