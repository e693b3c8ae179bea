import { randomBytes } from 'node:crypto';
import type { DemoContext, DemoSimulator } from '../../src/core/adapter/port.js';
import { demoStays } from '../demo/seed.js';
import type { RestSettings } from './settings.js';
import { startRestPmsSimulator } from './simulator/index.js';
import type { SimAuthOptions } from './simulator/auth.js';

/**
 * Demo and development only: the home-grown PMS simulator (it speaks the README's example mapping)
 * for one site, accepting the site's bearer token, with one room type per resource (its source
 * `id`, as many rooms as the resource's capacity) and a few front-desk bookings.
 */
export async function startRestDemo(ctx: DemoContext<RestSettings>): Promise<DemoSimulator> {
  const { site, settings } = ctx;
  // The simulator takes the credential the site is configured with (header bearer, query key, or
  // OAuth2 client credentials at its own /oauth/token).
  const a = settings.auth;
  const bearer = a?.header?.toLowerCase() === 'authorization' ? /^Bearer (.+)$/.exec(a.value ?? '')?.[1] : undefined;
  const auth: SimAuthOptions | undefined = a?.query !== undefined ? { kind: 'query', param: a.query }
    : a?.oauth2 !== undefined ? { kind: 'oauth2', clientId: a.oauth2.clientId } : bearer !== undefined ? { kind: 'bearer' } : undefined;
  const secret = a?.query !== undefined ? a.value : a?.oauth2 !== undefined ? a.oauth2.clientSecret : bearer;
  if (auth === undefined || secret === undefined) {
    ctx.log.warn({ site: site.id }, 'the REST demo simulator accepts "Authorization: Bearer <token>", an API key in the query or OAuth2 client credentials; this site will fail to authenticate');
  }
  const typeOf = new Map(site.resources.map((r) => [r.id, String(r.mapping.id)]));
  const sim = await startRestPmsSimulator({
    port: ctx.port,
    token: secret ?? randomBytes(16).toString('hex'),
    ...(auth ? { auth } : {}),
    seed: {
      roomTypes: Object.fromEntries(site.resources.map((r) => [typeOf.get(r.id)!, r.capacity])),
      bookings: demoStays(site.resources, site.timezone).map((s) => ({
        roomType: typeOf.get(s.resource)!, arrival: s.checkIn, departure: s.checkOut, rooms: s.rooms, guest: s.guest,
      })),
    },
  });
  ctx.log.info({ url: sim.url, bookings: sim.admin.bookings().length }, 'REST PMS demo simulator running');
  return { url: sim.url, stop: () => sim.stop() };
}
