import type { DemoContext, DemoSimulator } from '../../src/core/adapter/port.js';
import { demoEvents, demoStays, localIso } from '../demo/seed.js';
import { isOAuth, type GoogleSettings } from './settings.js';
import { startGoogleSimulator } from './simulator/index.js';

/**
 * Demo and development only: the Google Calendar simulator (API and token endpoint on one port)
 * for one site, accepting the site's OAuth client and refresh token, with one calendar per
 * resource (its `calendarId`, in the site's zone) holding a few events: meetings and a weekly
 * class for resources booked by time, all-day stays for those booked by night.
 */
export async function startGoogleDemo(ctx: DemoContext<GoogleSettings>): Promise<DemoSimulator> {
  const { site, settings } = ctx;
  const sim = await startGoogleSimulator({ port: ctx.port });
  const c = settings.credentials;
  if (isOAuth(c)) {
    sim.createOAuthClient({ clientId: c.clientId, clientSecret: c.clientSecret, refreshToken: c.refreshToken });
  } else {
    ctx.log.warn({ site: site.id }, 'the Google demo simulator takes OAuth credentials (clientId, clientSecret, refreshToken) only; this site will fail to authenticate');
  }
  const calendarOf = new Map(site.resources.map((r) => [r.id, String(r.mapping.calendarId)]));
  for (const r of site.resources) sim.createCalendar(calendarOf.get(r.id)!, { timeZone: site.timezone, summary: r.id });
  const tz = site.timezone;
  let seeded = 0;
  for (const e of demoEvents(site.resources, tz)) {
    sim.insertEvent(calendarOf.get(e.resource)!, {
      summary: e.title,
      start: { dateTime: localIso(e.date, e.from, tz), timeZone: tz },
      end: { dateTime: localIso(e.date, e.to, tz), timeZone: tz },
      ...(e.weekly ? { recurrence: [`RRULE:FREQ=WEEKLY;COUNT=${e.weekly}`] } : {}),
    });
    seeded += 1;
  }
  for (const s of demoStays(site.resources, tz)) {
    // A calendar holds one unit: one event per stay.
    sim.insertEvent(calendarOf.get(s.resource)!, { summary: s.guest, start: { date: s.checkIn }, end: { date: s.checkOut } });
    seeded += 1;
  }
  ctx.log.info({ url: sim.url, events: seeded }, 'Google Calendar demo simulator running');
  return { url: sim.url, stop: () => sim.stop() };
}
