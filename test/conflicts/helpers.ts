import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parse } from 'yaml';
import { expect } from 'vitest';
import { ConflictStore } from '../../src/store/conflicts/index.js';
import { HubKeys } from '../../src/store/keys.js';
import { SyncStore } from '../../src/store/sync-store.js';
import { bearer, call, eventually, type TestHub } from '../helpers/hub.js';

export const ADMIN = '0123456789abcdef-conflicts';
export const PMS_TOKEN = 'pms-secret-token';
const DAY = 86_400_000;
export const date = (offsetDays: number) => new Date(Math.floor(Date.now() / DAY) * DAY + offsetDays * DAY).toISOString().slice(0, 10);

/** A site on the REST PMS simulator, as the rest adapter's README example maps it (room type DBL only). */
export function restSite(id: string, baseUrl: string, group: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const site = parse(readFileSync(new URL('../../adapters/rest/fixtures/example-site.yaml', import.meta.url), 'utf8')) as Record<string, any>;
  site.id = id;
  site.name = `Hotel ${id}`;
  site.adapter.baseUrl = baseUrl;
  site.adapter.auth.value = `Bearer ${PMS_TOKEN}`;
  site.pollEvery = '1s';
  site.resources = [{ id: 'double', kind: 'pool', bookedBy: 'night', capacity: 1, group, source: { id: 'DBL' } }];
  return { ...site, ...extra };
}

export const admin = bearer(ADMIN);

export async function nightsAvailable(hub: TestHub, site: string, from: string, to: string): Promise<number[]> {
  const r = await call(hub.base, 'GET', `/v1/availability?site=${site}&from=${from}&to=${to}`, { headers: admin });
  expect(r.status).toBe(200);
  return r.body.sites[0].resources[0].nights.map((n: { available: number }) => n.available);
}

/** Waits for a site's first successful poll (its source's counts are in), then for this availability. */
export async function polledWith(hub: TestHub, site: string, from: string, to: string, expected: number[]): Promise<void> {
  await eventually(async () => {
    const s = await call(hub.base, 'GET', `/v1/sites/${site}`, { headers: admin });
    expect(s.body.sync.lastSuccessAt).toBeTruthy();
    expect(await nightsAvailable(hub, site, from, to)).toEqual(expected);
  }, 15_000);
}

export async function holdAndConfirm(hub: TestHub, body: Record<string, unknown>): Promise<string> {
  const hold = await call(hub.base, 'POST', '/v1/holds', { headers: admin, body });
  expect(hold.status, JSON.stringify(hold.body)).toBe(201);
  const confirm = await call(hub.base, 'POST', `/v1/holds/${hold.body.id}/confirm`, { headers: admin });
  expect(confirm.status, JSON.stringify(confirm.body)).toBe(202);
  return confirm.body.reservationId as string;
}

export const reservation = async (hub: TestHub, id: string) =>
  (await call(hub.base, 'GET', `/v1/reservations/${id}`, { headers: admin })).body;

export async function conflicts(hub: TestHub, status?: 'open' | 'resolved'): Promise<any[]> {
  const r = await call(hub.base, 'GET', `/v1/conflicts${status ? `?status=${status}` : ''}`, { headers: admin });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body.conflicts;
}

/** Waits for the one conflict of a site in the given state. */
export function conflictOf(hub: TestHub, site: string, status: 'open' | 'resolved', ms = 15_000, check?: (c: any) => void): Promise<any> {
  return eventually(async () => {
    const found = (await conflicts(hub, status)).filter((c) => c.sites.includes(site));
    expect(found).toHaveLength(1);
    check?.(found[0]);
    return found[0];
  }, ms);
}

const keysOf = (hub: TestHub) => new HubKeys(hub.config.redis.keyPrefix, hub.config.hubId);

/** The conflict's record as the store keeps it, and whether the store indexes it as open. */
export async function stored(hub: TestHub, id: string): Promise<{ status: string; open: boolean; data: any }> {
  const store = new ConflictStore(hub.redis, keysOf(hub));
  const rec = await store.get(id);
  return { status: rec?.status ?? '', open: await store.isOpen(id), data: rec };
}

/** Successful polls of a site so far (counted after the poll's conflict detection ran). */
async function pollsOf(hub: TestHub, site: string): Promise<number> {
  return (await new SyncStore(hub.redis, keysOf(hub)).pollStats(site)).ok;
}

/**
 * Waits for two more successful polls of the site. Polls of one site never overlap (a lease), so
 * the second of them started after this call: it saw everything the source held before it.
 */
export async function polledAgain(hub: TestHub, site: string, ms = 15_000): Promise<void> {
  const before = await pollsOf(hub, site);
  await eventually(async () => expect(await pollsOf(hub, site)).toBeGreaterThanOrEqual(before + 2), ms);
}

/** A webhook receiver for alert events (unsigned check: the alerts module tests signatures). */
export async function startReceiver(): Promise<{ url: string; events: Array<Record<string, any>>; close(): Promise<void> }> {
  const events: Array<Record<string, any>> = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      try { events.push(JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, any>); } catch { /* ignored */ }
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`, events,
    close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }),
  };
}
