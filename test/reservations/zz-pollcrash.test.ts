import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'vitest';
import { stringify } from 'yaml';
import { startRestPmsSimulator } from '../../adapters/rest/simulator/index.js';
import { bearer, call, startTestHub } from '../helpers/hub.js';
import { spawnHubProcess } from '../helpers/hub-process.js';
import { TEST_REDIS_URL, uniquePrefix } from '../helpers/redis.js';
import { REST_TOKEN, restSite } from '../helpers/sources.js';
it('experiment: worker killed mid-poll', async () => {
  const pms = await startRestPmsSimulator({ token: REST_TOKEN, seed: { roomTypes: { DBL: 4 } } });
  const prefix = uniquePrefix();
  const dir = mkdtempSync(join(tmpdir(), 'avhub-x-'));
  const file = join(dir, 'hub.yaml');
  writeFileSync(file, stringify({ redis: { url: TEST_REDIS_URL, keyPrefix: prefix }, log: { level: 'warn' }, auth: { adminToken: 'xxxxxxxxxxxxxxxxxxxx' },
    defaults: { syncWindow: { past: '1d', future: '20d' } }, groups: { rooms: { workflow: 'centralized' } }, sites: [restSite(pms.url)] }));
  const hub = await startTestHub({ yaml: readFileSync(file, 'utf8'), prefix, roles: ['api', 'scheduler'] });
  const w1 = spawnHubProcess('worker', file);
  const site = async () => (await call(hub.base, 'GET', '/v1/sites/lakeside', { headers: bearer('xxxxxxxxxxxxxxxxxxxx') })).body;
  for (let i = 0; i < 50 && !(await site()).sync.lastSuccessAt; i++) await new Promise((r) => setTimeout(r, 200));
  const before = pms.requestCount();
  pms.admin.delayNext(20_000);
  while (pms.requestCount() === before) await new Promise((r) => setTimeout(r, 20));
  await new Promise((r) => setTimeout(r, 100));
  const killed = Date.now();
  await w1.kill9();
  const w2 = spawnHubProcess('worker', file);
  let lastState = '';
  const firstSuccess = Date.parse((await site()).sync.lastSuccessAt);
  for (;;) {
    const s = await site();
    if (s.health !== lastState) { console.log(((Date.now() - killed) / 1000).toFixed(1), 'health', s.health); lastState = s.health; }
    if (Date.parse(s.sync.lastSuccessAt) > killed && s.health === 'healthy') { console.log(((Date.now() - killed) / 1000).toFixed(1), 'polled again + healthy'); break; }
    if (Date.now() - killed > 80_000) { console.log('gave up', JSON.stringify(s.sync)); break; }
    await new Promise((r) => setTimeout(r, 250));
  }
  const hold = await call(hub.base, 'POST', '/v1/holds', { headers: bearer('xxxxxxxxxxxxxxxxxxxx'), body: { site: 'lakeside', resource: 'double', checkIn: '2099-01-01', checkOut: '2099-01-02' } });
  console.log('first', firstSuccess);
  await w2.stop(); await hub.stop(); await pms.stop();
}, 120_000);
