import { afterAll, beforeAll, expect, it } from 'vitest';
import { monitorCommands, recordCommands } from '../helpers/record-commands.js';
import { startTestHub, type TestHub } from '../helpers/hub.js';
import { TEST_REDIS_URL } from '../helpers/redis.js';

// The widget path: a widget key, so every request is rate-limited. Each Redis command the API's
// connection sends is recorded (commands are an upper bound on round trips), and MONITOR confirms
// what reached the server.
const headers = { 'X-Api-Key': 'demo-widget-key', 'content-type': 'application/json' };

let hub: TestHub;
beforeAll(async () => { hub = await startTestHub({ roles: ['api'] }); });
afterAll(async () => { await hub.stop(); });

async function commandsOf(request: () => Promise<Response>, status: number): Promise<string[]> {
  expect((await request()).status).toBe(status); // loads the scripts
  let sent: string[] = [];
  const monitored = await monitorCommands(TEST_REDIS_URL, hub.redis, async () => {
    const recorder = recordCommands(hub.redis);
    try {
      const res = await request();
      expect(res.status, await res.clone().text()).toBe(status);
      sent = recorder.take();
    } finally {
      recorder.restore();
    }
  });
  expect(monitored).toEqual(sent);
  return sent;
}

it('answers a widget availability read for one site and 31 nights in one Redis command, rate limit included', async () => {
  const url = `${hub.base}/v1/availability?site=mitte&from=2027-03-01&to=2027-04-01`;
  const seen = await commandsOf(() => fetch(url, { headers }), 200);
  expect(seen).toHaveLength(1);
  const body = await (await fetch(url, { headers })).json() as { sites: Array<{ resources: Array<{ nights?: unknown[] }> }> };
  expect(body.sites[0]!.resources[0]!.nights).toHaveLength(31);
});

it('reads several sites, nights and opening hours in one Redis command', async () => {
  const url = `${hub.base}/v1/availability?site=mitte,harbor,alpine&from=2027-03-01&to=2027-03-08`;
  expect(await commandsOf(() => fetch(url, { headers }), 200)).toHaveLength(1);
});

it('makes a widget hold in one Redis command: rate limit, clock, health of a polled centralized site and the claim', async () => {
  let day = 10;
  const hold = (site: string) => () => fetch(`${hub.base}/v1/holds`, {
    method: 'POST', headers,
    body: JSON.stringify({ site, resource: 'double', checkIn: `2027-05-${day}`, checkOut: `2027-05-${++day}` }),
  });
  expect(await commandsOf(hold('mitte'), 201)).toHaveLength(1);
  // alpine is polled (mews) in a centralized group: a limited site would refuse, so its health is read too.
  expect(await commandsOf(hold('alpine'), 201)).toHaveLength(1);
});

it('answers concurrent widget reads in fewer Redis commands than requests (one read call per query per turn, one batch in flight)', async () => {
  const url = `${hub.base}/v1/availability?site=mitte&from=2027-06-01&to=2027-06-08`;
  const single = await (await fetch(url, { headers })).json() as { sites: Array<{ resources: unknown }> };
  const sent = await commandsOf(async () => {
    const answers = await Promise.all(Array.from({ length: 30 }, () => fetch(url, { headers })));
    for (const res of answers) {
      expect(res.status).toBe(200);
      expect(((await res.json()) as typeof single).sites[0]!.resources).toEqual(single.sites[0]!.resources);
    }
    return new Response(null, { status: 204 });
  }, 204);
  // Concurrent holds share batches the same way: test/store/batch.test.ts.
  expect(sent.length).toBeLessThan(15);
});
