import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, call, eventually, startTestHub, type TestHub } from '../helpers/hub.js';

const ADMIN = '0123456789abcdef';
const BEAT = 'heartbeat-secret-0123';
const YAML = `
auth: { adminToken: "${ADMIN}" }
defaults: { limitedAfter: { staleFor: 2s }, recoverAfter: 1 }
groups:
  rooms: { workflow: hybrid, whenLimited: hide }
  halls: { workflow: hybrid, whenLimited: show }
sites:
  - id: kiosk
    timezone: Europe/Berlin
    heartbeatToken: "${BEAT}"
    adapter: { kind: none }
    resources:
      - { id: double, kind: pool, capacity: 4, group: rooms, bookedBy: night }
      - { id: hall, kind: unit, group: halls }
`;

let hub: TestHub;
beforeAll(async () => { hub = await startTestHub({ yaml: YAML, roles: ['api', 'worker', 'scheduler'] }); });
afterAll(async () => { await hub.stop(); });

const site = async () => (await call(hub.base, 'GET', '/v1/availability?site=kiosk&from=2027-01-10&to=2027-01-11', { headers: bearer(ADMIN) })).body.sites[0];
const beat = (token = BEAT) => call(hub.base, 'POST', '/v1/sites/kiosk/heartbeat', { headers: { authorization: `Bearer ${token}` } });

describe('heartbeats and limited availability', () => {
  it('refuses a wrong heartbeat token and takes the right one as fresh data', async () => {
    expect((await beat('wrong-token-000000000')).status).toBe(401);
    expect((await beat()).status).toBe(204);
    const s = await site();
    expect(s.health).toBe('healthy');
    expect(Date.now() - Date.parse(s.asOf)).toBeLessThan(5_000);
  });

  it('goes limited when heartbeats stop, hides the group that hides, shows the group that shows', async () => {
    const s = await eventually(async () => {
      const now = await site();
      expect(now.limited).toBe(true);
      return now;
    }, 10_000, 250);
    const rooms = s.resources.find((r: { id: string }) => r.id === 'double');
    const hall = s.resources.find((r: { id: string }) => r.id === 'hall');
    expect(rooms).toMatchObject({ withheld: true, nights: [{ date: '2027-01-10', available: 0 }] });
    expect(hall.withheld).toBeUndefined();
    expect(hall.intervals.some((p: { available: number }) => p.available === 1)).toBe(true);
    const detail = await call(hub.base, 'GET', '/v1/sites/kiosk', { headers: bearer(ADMIN) });
    expect(detail.body.history[0]).toMatchObject({ to: 'limited' });
    expect(detail.body.history[0].reason).toMatch(/no good data/);
  });

  it('recovers on the next heartbeat', async () => {
    expect((await beat()).status).toBe(204);
    const s = await site();
    expect(s.health).toBe('healthy');
    expect(s.resources[0].withheld).toBeUndefined();
  });
});
