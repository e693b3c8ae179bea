import { afterAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { startRestPmsSimulator, type RestPmsSimulator } from '../../adapters/rest/simulator/index.js';
import { HubKeys } from '../../src/store/keys.js';
import { bearer, call, eventually, startTestHub, type TestHub } from '../helpers/hub.js';
import { REST_TOKEN, restSite } from '../helpers/sources.js';

/**
 * An outbox entry a worker's relay had read but not yet handed on when the worker died (SIGKILL
 * between XREADGROUP and XACK) is taken over by another worker's relay within seconds, not after
 * a minute: a minute kept the guest's reservation pending, or a cancelled booking live at its
 * source, that long (found by test/chaos/hub-crash.test.ts).
 */

const ADMIN = 'outbox-abandoned-admin-token';
const DAY = 86_400_000;
const date = (offsetDays: number) => new Date(Math.floor(Date.now() / DAY) * DAY + offsetDays * DAY).toISOString().slice(0, 10);

let pms: RestPmsSimulator | undefined;
const hubs: TestHub[] = [];
afterAll(async () => {
  for (const h of hubs.reverse()) await h.stop();
  await pms?.stop();
});

describe('an outbox entry abandoned by a dead relay', () => {
  it('is written back by another worker within seconds', async () => {
    pms = await startRestPmsSimulator({ token: REST_TOKEN, port: 9178, seed: { roomTypes: { DBL: 4, SGL: 2 } } });
    const yaml = stringify({
      auth: { adminToken: ADMIN },
      defaults: { writeback: { attempts: 3, backoff: '100ms' }, syncWindow: { past: '1d', future: '30d' } },
      groups: { rooms: { workflow: 'centralized' } },
      sites: [restSite(pms.url, { id: 'lakeside', pollEvery: '1h' })],
    });
    // The API alone first: the confirm writes the outbox entry, and no relay is there to take it.
    const api = await startTestHub({ yaml, roles: ['api'] });
    hubs.push(api);
    const hold = await call(api.base, 'POST', '/v1/holds', { headers: bearer(ADMIN), body: { site: 'lakeside', resource: 'double', checkIn: date(10), checkOut: date(12) } });
    expect(hold.status).toBe(201);
    const confirm = await call(api.base, 'POST', `/v1/holds/${hold.body.id}/confirm`, { headers: bearer(ADMIN) });
    expect(confirm.body.status).toBe('pending');

    // A relay that read the entry and died: its consumer never acknowledges it.
    const stream = new HubKeys(api.prefix, api.config.hubId).outbox();
    await api.redis.xgroup('CREATE', stream, 'relay', '0', 'MKSTREAM').catch(() => undefined);
    const taken = await api.redis.xreadgroup('GROUP', 'relay', 'dead-worker', 'COUNT', 10, 'STREAMS', stream, '>') as Array<[string, unknown[]]> | null;
    expect(taken?.[0]?.[1]).toHaveLength(1);

    const startedAt = Date.now();
    hubs.push(await startTestHub({ yaml, prefix: api.prefix, roles: ['worker'] }));
    await eventually(async () => {
      const r = await call(api.base, 'GET', `/v1/reservations/${confirm.body.reservationId}`, { headers: bearer(ADMIN) });
      expect(r.body.status).toBe('confirmed');
    }, 40_000, 250);
    // Taken over after 10 s of idleness (it was 60 s); a loaded machine may add a few.
    expect(Date.now() - startedAt).toBeLessThan(30_000);
    expect(pms.admin.bookings().filter((b) => b.externalRef?.startsWith(`avhub-${confirm.body.reservationId}`))).toHaveLength(1);
  }, 60_000);
});
