import type { SiteConfig } from '../config/types.js';
import type { PullResult } from './adapter/port.js';
import type { SiteAdapters } from './adapter/site-adapters.js';

/**
 * What runs after a poll applied and before the site's health is recorded (conflict detection,
 * mirroring). Sync calls it without knowing who listens; runtime wires the conflict service in.
 */
export interface PollObserver {
  afterPoll(site: SiteConfig, result: PullResult, adapters?: SiteAdapters): Promise<void>;
}
