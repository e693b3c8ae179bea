import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { startApaleoSimulator, type ApaleoSimulator } from '../../adapters/apaleo/simulator/index.js';
import { startMewsSimulator, type MewsSimulator } from '../../adapters/mews/simulator/index.js';
import { startRestPmsSimulator, type RestPmsSimulator } from '../../adapters/rest/simulator/index.js';
import { bearer, call } from './hub.js';
import { startRadicale, type RadicaleServer } from './radicale.js';

/**
 * The four kinds of writable source the hub talks to, started locally for end-to-end tests: a
 * Mews property (Connector API simulator), an apaleo property (simulator), a PMS behind the REST
 * adapter (its simulator, with the README's example mapping) and a CalDAV calendar on a real
 * Radicale. Each `*Site()` returns the site's config block (as parsed YAML) pointing at it.
 */

const MEWS_CLIENT_TOKEN = 'mews-client-token';
const MEWS_ACCESS_TOKEN = 'mews-access-token';
const APALEO_CLIENT = { clientId: 'avhub-e2e', clientSecret: 'apaleo-e2e-secret' };
export const REST_TOKEN = 'pms-secret-token';
export const HALL_CALENDAR = '/north/main-hall/';

/** The REST adapter's example site (adapters/rest/fixtures/example-site.yaml) aimed at `baseUrl`. */
export function restSite(baseUrl: string, over: { id?: string; pollEvery?: string; resources?: unknown[] } = {}): Record<string, any> {
  const site = parse(readFileSync(new URL('../../adapters/rest/fixtures/example-site.yaml', import.meta.url), 'utf8')) as Record<string, any>;
  site.adapter.baseUrl = baseUrl;
  site.adapter.auth.value = `Bearer ${REST_TOKEN}`;
  site.pollEvery = over.pollEvery ?? '1s';
  if (over.id) site.id = over.id;
  if (over.resources) site.resources = over.resources;
  return site;
}

export function mewsSite(sim: MewsSimulator, over: { id?: string; pollEvery?: string; category?: string } = {}): Record<string, unknown> {
  const e = sim.admin.enterprise;
  return {
    id: over.id ?? 'mews-berlin', name: 'Mews Berlin', timezone: 'Europe/Berlin', pollEvery: over.pollEvery ?? '1s',
    adapter: {
      kind: 'mews', baseUrl: sim.url, clientToken: MEWS_CLIENT_TOKEN, accessToken: MEWS_ACCESS_TOKEN,
      serviceId: e.serviceId, rateId: e.rateId, customerId: e.customerId, ageCategoryId: e.ageCategoryId,
    },
    resources: [{
      id: 'double', kind: 'pool', capacity: 12, group: 'rooms', bookedBy: 'night',
      source: { resourceCategoryId: sim.admin.categoryId(over.category ?? 'Double') },
    }],
  };
}

export function apaleoSite(sim: ApaleoSimulator, over: { id?: string; pollEvery?: string } = {}): Record<string, unknown> {
  const p = sim.admin.state.propertyId;
  return {
    id: over.id ?? 'apaleo-muc', name: 'apaleo Munich', timezone: sim.admin.state.timeZone, pollEvery: over.pollEvery ?? '1s',
    adapter: {
      kind: 'apaleo', baseUrl: sim.url, tokenUrl: sim.tokenUrl, ...APALEO_CLIENT, propertyId: p, ratePlanId: `${p}-FLEX-DBL`,
    },
    resources: [{ id: 'double', kind: 'pool', capacity: 12, group: 'rooms', bookedBy: 'night', source: { unitGroupId: `${p}-DBL` } }],
  };
}

export function caldavSite(radicale: RadicaleServer, over: { id?: string; pollEvery?: string } = {}): Record<string, unknown> {
  return {
    id: over.id ?? 'north-hall', name: 'North Hall', timezone: 'Europe/Berlin', pollEvery: over.pollEvery ?? '1s',
    adapter: { kind: 'caldav', url: radicale.url, username: radicale.username, password: radicale.password, calendarHome: '/north/' },
    resources: [{ id: 'main-hall', kind: 'unit', group: 'halls', source: { calendar: HALL_CALENDAR } }],
  };
}

export interface Sources {
  mews: MewsSimulator;
  apaleo: ApaleoSimulator;
  rest: RestPmsSimulator;
  radicale: RadicaleServer;
  stop(): Promise<void>;
}

/** Starts all four sources; every pool has `rooms` rooms of its one room type. */
export async function startSources(opts: { rooms?: number } = {}): Promise<Sources> {
  const rooms = opts.rooms ?? 4;
  const started: Array<{ stop(): Promise<void> }> = [];
  try {
    const mews = await startMewsSimulator({
      clientToken: MEWS_CLIENT_TOKEN, accessToken: MEWS_ACCESS_TOKEN, timezone: 'Europe/Berlin', categories: [{ name: 'Double', rooms }],
    });
    started.push(mews);
    const apaleo = await startApaleoSimulator({
      ...APALEO_CLIENT, seed: { propertyId: 'MUC', timeZone: 'Europe/Berlin', unitGroups: [{ id: 'MUC-DBL', name: 'Double', count: rooms }] },
    });
    started.push(apaleo);
    const rest = await startRestPmsSimulator({ token: REST_TOKEN, seed: { roomTypes: { DBL: rooms, SGL: rooms } } });
    started.push(rest);
    const radicale = await startRadicale();
    started.push(radicale);
    await radicale.makeCalendar(HALL_CALENDAR, 'Main hall');
    return {
      mews, apaleo, rest, radicale,
      async stop() {
        for (const s of started.reverse()) await s.stop().catch(() => undefined);
      },
    };
  } catch (err) {
    for (const s of started.reverse()) await s.stop().catch(() => undefined);
    throw err;
  }
}

/**
 * Polls a site now through the admin API and waits for the outcome; repeats while the poll was
 * skipped (another poll held the site's lease), so on return one poll that was queued after this
 * call started has been applied.
 */
export async function pollNow(base: string, adminToken: string, site: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const answers = new Map<string, number>();
  while (Date.now() < deadline) {
    const r = await call(base, 'POST', `/v1/sites/${site}/sync?wait=true`, { headers: bearer(adminToken) });
    if (r.status === 200 && r.body.status === 'completed' && r.body.result?.kind === 'ok') return;
    const text = JSON.stringify({ status: r.status, outcome: r.body.status, result: r.body.result, error: r.body.error });
    answers.set(text, (answers.get(text) ?? 0) + 1);
    await new Promise((res) => setTimeout(res, 50));
  }
  throw new Error(`no successful poll of ${site} within ${timeoutMs} ms; answers (× times): ${[...answers].map(([a, n]) => `${a} × ${n}`).join(', ')}`);
}

/**
 * Two successful polls in a row: the second one was queued after the first had finished, so
 * it started after everything that happened before this call (a poll-now job that was already
 * running when we asked is deduplicated into the first).
 */
export async function freshPoll(base: string, adminToken: string, site: string): Promise<void> {
  await pollNow(base, adminToken, site);
  await pollNow(base, adminToken, site);
}
