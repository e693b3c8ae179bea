import type { DemoContext, DemoSimulator } from '../../src/core/adapter/port.js';
import { demoStays } from '../demo/seed.js';
import type { ApaleoSettings } from './settings.js';
import { startApaleoSimulator } from './simulator/index.js';

/**
 * Demo and development only: the apaleo simulator (identity server and API on one port) for one
 * site, accepting the site's client credentials, with its property, one unit group per resource
 * (as many units as the resource's capacity), the rate plans the site books with, and a few
 * front-desk bookings.
 */
export async function startApaleoDemo(ctx: DemoContext<ApaleoSettings>): Promise<DemoSimulator> {
  const { site, settings } = ctx;
  const groupOf = new Map(site.resources.map((r) => [r.id, String(r.mapping.unitGroupId)]));
  const ratePlans: Array<{ id: string; unitGroupId: string }> = [];
  for (const r of site.resources) {
    const unitGroupId = groupOf.get(r.id)!;
    const wanted = typeof r.mapping.ratePlanId === 'string' ? r.mapping.ratePlanId : settings.ratePlanId;
    // In apaleo a rate plan sells one unit group: a plan named twice is given to the first only.
    const id = wanted && !ratePlans.some((p) => p.id === wanted) ? wanted : `${unitGroupId}-FLEX`;
    if (!ratePlans.some((p) => p.id === id)) ratePlans.push({ id, unitGroupId });
  }
  const sim = await startApaleoSimulator({
    port: ctx.port,
    clientId: settings.clientId,
    clientSecret: settings.clientSecret,
    seed: {
      propertyId: settings.propertyId,
      timeZone: site.timezone,
      unitGroups: site.resources.map((r) => ({ id: groupOf.get(r.id)!, name: r.id, count: r.capacity })),
      ratePlans,
    },
  });
  let seeded = 0;
  for (const stay of demoStays(site.resources, site.timezone)) {
    for (let i = 0; i < stay.rooms; i++) {
      sim.admin.createReservation({ unitGroupId: groupOf.get(stay.resource)!, arrival: stay.checkIn, departure: stay.checkOut });
      seeded += 1;
    }
  }
  ctx.log.info({ url: sim.url, reservations: seeded }, 'apaleo demo simulator running');
  return { url: sim.url, stop: () => sim.stop() };
}
