import { noneAdapter } from '../../adapters/none/index.js';
import type { SourceSite } from '../../src/core/adapter/port.js';
import { adapterContract } from './contract.js';

/**
 * The adapter contract for `kind: none`: no source behind it (the hub is the system of record),
 * so only the cases that need none run: an empty full pull, and writes whose answers are stable
 * (the table in contract.ts says which).
 */
const site: SourceSite = {
  id: 'hub-only', timezone: 'Europe/Berlin',
  resources: [{ id: 'room', kind: 'pool', bookedBy: 'night', capacity: 4, mapping: {} }],
};

adapterContract('none (the hub is the system of record)', async () => {
  const adapter = noneAdapter.create({ siteId: site.id, timezone: site.timezone, settings: {}, log: { warn() {}, info() {} } });
  return { site, adapter, noSource: true, close: () => adapter.close() };
});
