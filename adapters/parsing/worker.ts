import { serveTasks } from '../../src/core/adapter/off-thread-worker.js';
import { normalizeObjects, readMultistatus } from '../caldav/multistatus.js';
import { readFeedBody } from '../ical-feed/read.js';

/**
 * The parse pool's worker script (see index.ts): every task a worker thread runs, by name.
 * Loaded only by the pool, never imported.
 */
serveTasks({
  'ical-feed/read': readFeedBody,
  'caldav/multistatus': readMultistatus,
  'caldav/normalize': normalizeObjects,
});
