import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, ADMIN_TOKEN, call, startTestHub, type TestHub } from '../helpers/hub.js';

/**
 * Issue 14 (6): requests at the edges get clear, documented answers: a hold item longer than
 * `defaults.maxHoldSpan`, a local start the clocks skip (DST gap), confirming a hold whose
 * reservation was since cancelled, and URLs the router refuses before any route sees them.
 */

const YAML = (maxHoldSpan = '') => `
auth: { adminToken: ${ADMIN_TOKEN} }
${maxHoldSpan ? `defaults: { maxHoldSpan: ${maxHoldSpan} }` : ''}
groups:
  halls: { workflow: centralized }
sites:
  - id: berlin
    timezone: Europe/Berlin
    adapter: { kind: none }
    resources:
      - { id: hall, kind: unit, group: halls }
      - { id: double, kind: pool, capacity: 4, group: halls, bookedBy: night }
`;

const year = new Date().getUTCFullYear() + 1;
/** The last Sunday of March: Berlin's clocks jump from 02:00 to 03:00. */
const springForward = (() => {
  const d = new Date(Date.UTC(year, 2, 31));
  d.setUTCDate(31 - d.getUTCDay());
  return d.toISOString().slice(0, 10);
})();

let hub: TestHub;
beforeAll(async () => { hub = await startTestHub({ yaml: YAML(), roles: ['api'] }); });
afterAll(async () => { await hub?.stop(); });

const hold = (body: Record<string, unknown>) => call(hub.base, 'POST', '/v1/holds', { headers: ADMIN, body: { site: 'berlin', ...body } });

describe('maximum hold span', () => {
  it('a unit held for ten years is 422 max-span; a year is fine', async () => {
    const ten = await hold({ resource: 'hall', start: `${year}-06-01T10:00:00Z`, end: `${year + 10}-06-01T10:00:00Z` });
    expect(ten.status).toBe(422);
    expect(ten.body).toMatchObject({ type: 'max-span', field: 'end' });
    const nights = await hold({ resource: 'double', checkIn: `${year}-06-01`, checkOut: `${year + 2}-06-01` });
    expect(nights.status).toBe(422);
    expect(nights.body.type).toBe('max-span');
    const one = await hold({ resource: 'hall', start: `${year}-06-01T10:00:00Z`, end: `${year + 1}-05-30T10:00:00Z` });
    expect(one.status).toBe(201);
  });

  it('is configurable: defaults.maxHoldSpan', async () => {
    const strict = await startTestHub({ yaml: YAML('1d'), roles: ['api'] });
    try {
      const two = await call(strict.base, 'POST', '/v1/holds', { headers: ADMIN, body: { site: 'berlin', resource: 'double', checkIn: `${year}-07-01`, checkOut: `${year}-07-03` } });
      expect(two.status).toBe(422);
      expect(two.body.detail).toContain('1 days');
    } finally {
      await strict.stop();
    }
  });
});

describe('a local start inside a DST gap', () => {
  it(`${springForward}T02:30 in Berlin does not exist: 422 nonexistent-local-time, not "end must be after start"`, async () => {
    const gap = await hold({ resource: 'hall', start: `${springForward}T02:30:00`, end: `${springForward}T03:00:00` });
    expect(gap.status).toBe(422);
    expect(gap.body).toMatchObject({ type: 'nonexistent-local-time', field: 'start' });
    expect(gap.body.detail).toContain('daylight saving');
    // Not silently moved an hour on either.
    const moved = await hold({ resource: 'hall', start: `${springForward}T02:30:00`, end: `${springForward}T05:00:00` });
    expect(moved.status).toBe(422);
    // The same instant with an offset, and the hour after the gap, are fine.
    expect((await hold({ resource: 'hall', start: `${springForward}T00:30:00Z`, end: `${springForward}T01:30:00Z` })).status).toBe(201);
    expect((await hold({ resource: 'hall', start: `${springForward}T04:00:00`, end: `${springForward}T05:00:00` })).status).toBe(201);
  });
});

describe('confirm after the reservation was cancelled', () => {
  it('is 409 reservation-cancelled (documented), not 202 with status "cancelled"', async () => {
    const held = await hold({ resource: 'double', checkIn: `${year}-08-01`, checkOut: `${year}-08-02` });
    expect(held.status).toBe(201);
    const confirmed = await call(hub.base, 'POST', `/v1/holds/${held.body.id}/confirm`, { headers: ADMIN });
    expect(confirmed.status).toBe(202);
    // Confirming again while it stands is the same reservation (a retried confirm).
    const again = await call(hub.base, 'POST', `/v1/holds/${held.body.id}/confirm`, { headers: ADMIN });
    expect(again.status).toBe(202);
    expect(again.body.reservationId).toBe(confirmed.body.reservationId);
    const cancelled = await call(hub.base, 'DELETE', `/v1/reservations/${confirmed.body.reservationId}`, { headers: ADMIN });
    expect(cancelled.status).toBeLessThan(300);
    const late = await call(hub.base, 'POST', `/v1/holds/${held.body.id}/confirm`, { headers: ADMIN });
    expect(late.status).toBe(409);
    expect(late.body).toMatchObject({ type: 'reservation-cancelled', status: 409, reservationId: confirmed.body.reservationId, reservationStatus: 'cancelled' });
    const spec = (await call(hub.base, 'GET', '/openapi.json')).body;
    expect(JSON.stringify(spec.paths['/v1/holds/{id}/confirm'].post.responses['409'])).toContain('reservation-cancelled');
  });
});

describe('URLs the router refuses', () => {
  it('answer as problem documents: a broken percent-encoding 400, a path segment over the router\'s limit 414', async () => {
    const broken = await call(hub.base, 'GET', '/v1/reservations/a%ZZb', { headers: ADMIN });
    expect(broken.status).toBe(400);
    expect(broken.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(broken.body).toMatchObject({ type: 'invalid-request', status: 400 });
    const long = await call(hub.base, 'POST', `/v1/holds/${'x'.repeat(150)}/confirm`, { headers: ADMIN });
    expect(long.status).toBe(414);
    expect(long.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(long.body).toMatchObject({ type: 'uri-too-long', status: 414 });
  });
});
