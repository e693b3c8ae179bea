import type { DemoContext, DemoSimulator } from '../../src/core/adapter/port.js';
import { demoStays } from '../demo/seed.js';
import type { MewsSettings } from './settings.js';
import { startMewsSimulator } from './simulator/index.js';

/**
 * Demo and development only: the Connector API simulator for one site, with the site's tokens and
 * ids (service, rate, customer, age category), one room type per resource (its
 * `resourceCategoryId`, as many rooms as the resource's capacity) and a few front-desk bookings.
 */
export async function startMewsDemo(ctx: DemoContext<MewsSettings>): Promise<DemoSimulator> {
  const { site, settings } = ctx;
  const categoryOf = new Map(site.resources.map((r) => [r.id, String(r.mapping.resourceCategoryId)]));
  const sim = await startMewsSimulator({
    port: ctx.port,
    clientToken: settings.clientToken,
    accessToken: settings.accessToken,
    timezone: site.timezone,
    categories: site.resources.map((r) => ({ id: categoryOf.get(r.id)!, name: r.id, rooms: r.capacity })),
    ids: {
      serviceId: settings.serviceId,
      ...(settings.enterpriseId && { enterpriseId: settings.enterpriseId }),
      ...(settings.rateId && { rateId: settings.rateId }),
      ...(settings.customerId && { customerId: settings.customerId }),
      ...(settings.ageCategoryId && { ageCategoryId: settings.ageCategoryId }),
    },
  });
  let seeded = 0;
  for (const stay of demoStays(site.resources, site.timezone)) {
    // A Mews reservation is one room.
    for (let i = 0; i < stay.rooms; i++) {
      sim.admin.createReservation({ categoryId: categoryOf.get(stay.resource)!, checkIn: stay.checkIn, checkOut: stay.checkOut, notes: stay.guest });
      seeded += 1;
    }
  }
  ctx.log.info({ url: sim.url, reservations: seeded }, 'Mews demo simulator running');
  return { url: sim.url, stop: () => sim.stop() };
}
