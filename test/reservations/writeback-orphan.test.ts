import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { startRestPmsSimulator, type RestPmsSimulator } from '../../adapters/rest/simulator/index.js';
import { bearer, call, eventually, startTestHub, type TestHub } from '../helpers/hub.js';
import { startInterceptProxy, type InterceptProxy } from '../helpers/intercept-proxy.js';
import { REST_TOKEN, restSite } from '../helpers/sources.js';

/**
 * A reservation cancelled while its write-back is in flight must leave nothing at the source, also
 * when that write-back's answer is lost: the create call reaches the PMS and the booking is made,
 * but the answer never arrives (timeout, reset, or the worker killed at that moment, see
 * worker-crash.test.ts), and meanwhile the guest cancels. The write-back's retry then sees the
 * reservation cancelled, finds the booking by its own idempotency key (reserve() looks up the hub's
 * reference before it creates) and withdraws it (src/reservations/writeback-worker.ts).
 */

const ADMIN = 'writeback-orphan-admin-token';
const DAY = 86_400_000;
const date = (offsetDays: number) => new Date(Math.floor(Date.now() / DAY) * DAY + offsetDays * DAY).toISOString().slice(0, 10);
const IN = date(12);
const OUT = date(13);

let pms: RestPmsSimulator;
let proxy: InterceptProxy;
let hub: TestHub;

const isCreate = (e: { method: string; path: string }) => e.method === 'POST' && /\/bookings\/?$/.test(e.path.split('?')[0]!);
const atPms = (id: string) => pms.admin.bookings()
  .filter((b) => b.externalRef === `avhub-${id}` || (b.externalRef ?? '').startsWith(`avhub-${id}.`));

describe('a cancel while the write-back\'s answer is lost', () => {
  beforeAll(async () => {
    pms = await startRestPmsSimulator({ token: REST_TOKEN, seed: { roomTypes: { DBL: 3 } } });
    proxy = await startInterceptProxy(pms.url);
    const site = restSite(`${proxy.url}/api/`, { resources: [{ id: 'double', kind: 'pool', bookedBy: 'night', capacity: 3, group: 'rooms', source: { id: 'DBL' } }] });
    site.adapter.timeoutMs = 1000; // the lost answer surfaces as a timeout after 1 s
    hub = await startTestHub({
      yaml: stringify({
        auth: { adminToken: ADMIN },
        defaults: { writeback: { attempts: 3, backoff: '100ms' }, syncWindow: { past: '1d', future: '20d' } },
        groups: { rooms: { workflow: 'centralized' } },
        sites: [site],
      }),
      roles: ['api', 'worker'],
    });
  });
  afterAll(async () => {
    await hub?.stop();
    await proxy?.stop();
    await pms?.stop();
  });

  it('the booking a lost attempt made is found and cancelled at the PMS when the reservation is cancelled', async () => {
    proxy.setRule((req) => (isCreate(req) ? 'hold-response' : 'pass'));
    const hold = await call(hub.base, 'POST', '/v1/holds', { headers: bearer(ADMIN), body: { site: 'lakeside', resource: 'double', checkIn: IN, checkOut: OUT } });
    expect(hold.status).toBe(201);
    const confirm = await call(hub.base, 'POST', `/v1/holds/${hold.body.id}/confirm`, { headers: bearer(ADMIN) });
    const id = confirm.body.reservationId as string;
    // The PMS has made the booking; its answer is held back.
    await eventually(async () => expect(atPms(id)).toHaveLength(1), 10_000);
    const cancel = await call(hub.base, 'DELETE', `/v1/reservations/${id}`, { headers: bearer(ADMIN) });
    expect(cancel.body.status).toBe('cancelled');
    proxy.setRule(null);
    await eventually(async () => expect(atPms(id).map((b) => b.state)).toEqual(['CANCELLED']), 10_000);
    // Found by its reference, not booked a second time.
    expect(proxy.seen().filter(isCreate)).toHaveLength(1);
    expect((await call(hub.base, 'GET', `/v1/reservations/${id}`, { headers: bearer(ADMIN) })).body.status).toBe('cancelled');
  }, 20_000);
});
