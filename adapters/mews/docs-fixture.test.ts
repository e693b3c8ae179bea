import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { mewsReservation, reservationsPage, toBooking } from './mapper.js';

/**
 * The response example Mews publishes for `reservations/getAll/2023-06-06`
 * (MewsSystems/gitbook-connector-api, operations/reservations.md, "Get all reservations
 * (ver 2023-06-06)" → Response), kept as is in fixtures/: the mapper must read the vendor's own
 * payload, not only the simulator's.
 */
const DOC = JSON.parse(readFileSync(new URL('./fixtures/reservations-getall-2023-06-06.docs.json', import.meta.url), 'utf8')) as unknown;

describe('mews mapper on the documented getAll 2023-06-06 example', () => {
  it('reads the page and maps its reservation to a confirmed booking by night', () => {
    const page = reservationsPage.parse(DOC);
    expect(page.Reservations).toHaveLength(1);
    const r = mewsReservation.parse(page.Reservations[0]);
    expect(toBooking(r, 'double', 'Europe/Prague')).toEqual({
      externalId: '0f515589-99b4-423d-b83a-b237009f0509', resource: 'double', quantity: 1,
      status: 'confirmed', busy: true, span: { by: 'night', nights: ['2023-04-23', '2023-04-24'] },
      createdAt: Date.parse('2023-03-23T16:00:00Z'), updatedAt: Date.parse('2023-04-22T17:00:00Z'),
    });
  });
});
