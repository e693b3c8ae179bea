import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, call, eventually } from '../helpers/hub.js';
import { freePort, itWithRadicale, radicaleInstalled } from '../helpers/radicale.js';
import { deleteByPrefix, TEST_REDIS_URL, uniquePrefix } from '../helpers/redis.js';

/**
 * `npm start`'s configuration as the CLI runs it: config/demo.yaml with its simulators (Mews,
 * apaleo, the REST PMS, Radicale for CalDAV, Google Calendar) started by the hub itself, on free
 * ports, a free HTTP port and a private key prefix.
 */

const ROOT = new URL('../../', import.meta.url).pathname;
const ADMIN = bearer('demo-admin-token-change-me');
const DEMO_PORTS = [8101, 8102, 8103, 8104, 8105];
const POLLED = ['alpine', 'bayside', 'lakeside', 'studio', ...(radicaleInstalled ? ['riverside-hall'] : [])];

interface Night { date: string; available: number }
interface Piece { start: string; end: string; available: number }
interface ResourceView { id: string; capacity: number; nights?: Night[]; intervals?: Piece[] }
interface SiteView { id: string; timezone: string; health: string; asOf: string; resources: ResourceView[] }

let dir: string;
let prefix: string;
let child: ChildProcess;
let output = '';
let base: string;
let pmsPort: number;
let started: number;

const today = (tz: string) => DateTime.now().setZone(tz).toISODate()!;
const plus = (date: string, days: number) => DateTime.fromISO(date, { zone: 'UTC' }).plus({ days }).toISODate()!;

async function availability(sites: string[], from: string, to: string): Promise<SiteView[]> {
  const res = await call(base, 'GET', `/v1/availability?site=${sites.join(',')}&from=${from}&to=${to}`, { headers: ADMIN });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.sites as SiteView[];
}

/** Every listed site polled since the hub started and healthy; the answer for its next two weeks. */
async function polledAndHealthy(sites: string[]): Promise<SiteView[]> {
  return eventually(async () => {
    // From today in UTC: the day after in New York (where the studio's class is) is never earlier,
    // even in the hours when UTC has already reached that day.
    const now = DateTime.utc().toISODate();
    const views = await availability(sites, now, plus(now, 15));
    for (const s of views) {
      expect({ site: s.id, health: s.health }).toEqual({ site: s.id, health: 'healthy' });
      expect(Date.parse(s.asOf), `${s.id} polled`).toBeGreaterThan(started);
    }
    return views;
  }, 20_000, 250).catch((err: unknown) => {
    throw new Error(`${(err as Error).message}\n--- hub output ---\n${output.slice(-4000)}`);
  });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'avhub-demo-'));
  prefix = uniquePrefix();
  let yaml = readFileSync(join(ROOT, 'config/demo.yaml'), 'utf8').replace(/^( {2}keyPrefix:) avhub-demo$/m, `$1 ${prefix}`);
  expect(yaml).toContain(prefix);
  const ports = new Map<number, number>();
  for (const port of DEMO_PORTS) {
    let free = await freePort();
    while ([...ports.values()].includes(free)) free = await freePort();
    ports.set(port, free);
    // The simulator entry and the site's URLs that point at it.
    yaml = yaml.replaceAll(`127.0.0.1:${port}`, `127.0.0.1:${free}`).replace(new RegExp(`port: ${port} \\}`), `port: ${free} }`);
  }
  pmsPort = ports.get(8103)!;
  const file = join(dir, 'demo.yaml');
  writeFileSync(file, yaml);

  started = Date.now();
  child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'start', '--config', file, '--data-dir', join(dir, 'data')], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', PORT: '0', REDIS_URL: TEST_REDIS_URL, LOG_LEVEL: 'info' },
  });
  child.stdout!.on('data', (d) => { output += String(d); });
  child.stderr!.on('data', (d) => { output += String(d); });
  base = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no banner within 30 s:\n${output}`)), 30_000);
    const check = () => {
      const m = /Availability Hub is running: (http:\/\/\S+)/.exec(output);
      if (m) { clearTimeout(timer); resolve(m[1]!); }
    };
    child.stdout!.on('data', check);
    child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`the hub exited with ${code}:\n${output}`)); });
  });
}, 40_000);

afterAll(async () => {
  if (child && child.exitCode === null) {
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
  }
  const redis = new Redis(TEST_REDIS_URL);
  await deleteByPrefix(redis, prefix).finally(() => redis.disconnect());
  rmSync(dir, { recursive: true, force: true });
});

describe('npm start (config/demo.yaml with its simulators)', () => {
  it('polls every simulated site within seconds, and their bookings show', async () => {
    const views = await polledAndHealthy(POLLED);
    for (const s of views.filter((v) => v.id !== 'studio' && v.id !== 'riverside-hall')) {
      for (const r of s.resources) {
        // Seeded stays in the coming two weeks take rooms; a trade fair sells the first type out.
        expect(r.nights!.some((n) => n.available < r.capacity), `${s.id}/${r.id}`).toBe(true);
      }
      expect(s.resources[0]!.nights!.some((n) => n.available === 0), `${s.id} sold out once`).toBe(true);
    }
    // Ana teaches a seeded class tomorrow from 10:00 to 12:00, New York time.
    const studio = views.find((v) => v.id === 'studio')!;
    expect(busyAt(studio, 'instructor-ana', plus(today(studio.timezone), 1), '11:00')).toBe(true);
    expect(busyAt(studio, 'instructor-ana', plus(today(studio.timezone), 1), '15:00')).toBe(false);
    // Her weekly evening class stays at 18:00 New York time across 14 March 2027.
    const [march] = await availability(['studio'], '2027-03-08', '2027-03-18');
    for (const date of ['2027-03-09', '2027-03-16']) expect(busyAt(march!, 'instructor-ana', date, '18:30'), date).toBe(true);
    expect(busyAt(march!, 'instructor-ana', '2027-03-16', '17:30')).toBe(false);
  }, 30_000);

  itWithRadicale('the CalDAV venue (Radicale) shows its seeded events, and the same local hour across the DST change', async () => {
    const [hall] = await polledAndHealthy(['riverside-hall']);
    const day = plus(today(hall!.timezone), 1);
    expect(busyAt(hall!, 'great-hall', day, '11:00')).toBe(true);
    expect(busyAt(hall!, 'great-hall', day, '15:00')).toBe(false);
    // A weekly evening class at 18:00 London time, before and after 28 March 2027.
    const [march] = await availability(['riverside-hall'], '2027-03-20', '2027-04-01');
    expect(busyAt(march!, 'great-hall', '2027-03-23', '18:30')).toBe(true);
    expect(busyAt(march!, 'great-hall', '2027-03-30', '18:30')).toBe(true);
    expect(busyAt(march!, 'great-hall', '2027-03-30', '17:30')).toBe(false);
  }, 30_000);

  it('a reservation at each PMS and calendar is written back into its simulator and confirmed', async () => {
    await polledAndHealthy(POLLED);
    const checkIn = plus(DateTime.now().toISODate(), 8);
    const stays = [
      ['alpine', 'double'], ['bayside', 'king'], ['lakeside', 'double'], ['studio', 'instructor-ana'],
      ...(radicaleInstalled ? [['riverside-hall', 'great-hall'] as const] : []),
    ] as const;
    const ids = await Promise.all(stays.map(async ([site, resource], i) => {
      // Nights at the hotels; two hours in the afternoon, local time, at the studio and the hall.
      const when = site === 'studio' || site === 'riverside-hall'
        ? { start: `${checkIn}T14:00`, end: `${checkIn}T16:00` }
        : { checkIn, checkOut: plus(checkIn, 2) };
      const hold = await call(base, 'POST', '/v1/holds', {
        headers: { ...ADMIN, 'idempotency-key': `demo-test-${i}` },
        body: { site, resource, ...when, customer: { name: 'Ada Lovelace' } },
      });
      expect(hold.status, JSON.stringify(hold.body)).toBe(201);
      const confirm = await call(base, 'POST', `/v1/holds/${hold.body.id}/confirm`, { headers: ADMIN });
      expect(confirm.status, JSON.stringify(confirm.body)).toBe(202);
      return confirm.body.reservationId as string;
    }));
    for (const [i, id] of ids.entries()) {
      await eventually(async () => {
        const r = await call(base, 'GET', `/v1/reservations/${id}`, { headers: ADMIN });
        expect({ site: stays[i]![0], status: r.body.status, error: r.body.error }).toEqual({ site: stays[i]![0], status: 'confirmed', error: undefined });
      }, 15_000, 250);
    }
    // The REST PMS holds the booking under the hub's reference.
    const res = await fetch(`http://127.0.0.1:${pmsPort}/api/bookings`, { headers: { Authorization: 'Bearer demo-pms-token' } });
    const { data } = await res.json() as { data: { bookings: Array<{ roomType: string; arrival: string; state: string; externalRef: string | null }> } };
    expect(data.bookings.filter((b) => b.externalRef?.startsWith(`avhub-${ids[2]}`)))
      .toEqual([expect.objectContaining({ roomType: 'DBL', arrival: checkIn, state: 'CONFIRMED' })]);
  }, 40_000);

  it('stops the hub and its simulators on SIGTERM and exits 0', async () => {
    const code = await new Promise<number | null>((resolve) => { child.once('exit', resolve); child.kill('SIGTERM'); });
    expect(code, output.slice(-2000)).toBe(0);
    expect(output).toContain('stopped');
    await expect(fetch(`http://127.0.0.1:${pmsPort}/api/bookings`)).rejects.toThrow();
  }, 20_000);
});

/** Whether the resource is taken at local `time` on `date` (an interval with nothing available). */
function busyAt(site: SiteView, resource: string, date: string, time: string): boolean {
  const at = DateTime.fromISO(`${date}T${time}`, { zone: site.timezone }).toMillis();
  const r = site.resources.find((x) => x.id === resource)!;
  const piece = r.intervals!.find((p) => Date.parse(p.start) <= at && at < Date.parse(p.end));
  if (!piece) throw new Error(`${site.id}/${resource}: no interval covers ${date} ${time}`);
  return piece.available === 0;
}
