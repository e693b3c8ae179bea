import { afterAll, beforeAll, expect, it } from 'vitest';
import { recordCommands } from '../helpers/record-commands.js';
import { startTestHub, type TestHub } from '../helpers/hub.js';

let hub: TestHub;
beforeAll(async () => { hub = await startTestHub({ roles: ['api'] }); });
afterAll(async () => { await hub.stop(); });

it('answers an availability read for one site and 31 nights in at most two Redis round trips', async () => {
  const headers = { 'X-Api-Key': 'demo-widget-key' };
  const url = `${hub.base}/v1/availability?site=mitte&from=2027-03-01&to=2027-04-01`;
  expect((await fetch(url, { headers })).status).toBe(200); // loads the scripts
  const recorder = recordCommands(hub.redis);
  try {
    const res = await fetch(url, { headers });
    const body = await res.json() as { sites: Array<{ resources: Array<{ nights?: unknown[] }> }> };
    expect(res.status).toBe(200);
    expect(body.sites[0]!.resources[0]!.nights).toHaveLength(31);
    expect(recorder.take().length).toBeLessThanOrEqual(2);
  } finally {
    recorder.restore();
  }
});
