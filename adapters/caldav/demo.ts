import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import type { DemoContext, DemoSimulator } from '../../src/core/adapter/port.js';
import { demoEvents, demoStays } from '../demo/seed.js';
import type { CaldavSettings } from './settings.js';

/** Debian's Radicale (`apt-get install radicale`). */
const RADICALE = '/usr/bin/radicale';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Demo and development only: a real CalDAV server for one site, Radicale on `port` as a child
 * process, with its storage under `<dataDir>/radicale` (fresh at every start, like the in-process
 * simulators), the site's user and password, one calendar per resource (its `source.calendar`:
 * a path under `/<username>/`, or a display name, which gets a calendar named after the resource)
 * and a few events put over HTTP. Without Radicale installed it warns and starts nothing, and the
 * site shows as limited.
 */
export async function startCaldavDemo(ctx: DemoContext<CaldavSettings>): Promise<DemoSimulator> {
  const { site, settings, port } = ctx;
  const url = `http://127.0.0.1:${port}/`;
  if (!existsSync(RADICALE)) {
    ctx.log.warn({ site: site.id, missing: RADICALE }, 'apt-get install radicale to run the CalDAV demo site; until then it shows as limited');
    return { url, async stop() {} };
  }
  await ensureFree(port);
  const dir = resolve(ctx.dataDir, 'radicale');
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'users'), `${settings.username}:${settings.password}\n`, { mode: 0o600 });
  await writeFile(join(dir, 'config'), [
    '[server]', `hosts = 127.0.0.1:${port}`,
    '[auth]', 'type = htpasswd', `htpasswd_filename = ${join(dir, 'users')}`, 'htpasswd_encryption = plain', 'delay = 0',
    '[rights]', 'type = owner_only',
    '[storage]', `filesystem_folder = ${join(dir, 'collections')}`,
    '[web]', 'type = none',
    '[logging]', 'level = warning', '',
  ].join('\n'));

  let output = '';
  const child = spawn(RADICALE, ['--config', join(dir, 'config')], { stdio: ['ignore', 'pipe', 'pipe'] });
  const keep = (d: Buffer) => { output = (output + d.toString()).slice(-4000); };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  // Never leave Radicale behind, even when the hub exits without stopping it.
  const killOnExit = () => { child.kill('SIGKILL'); };
  process.once('exit', killOnExit);
  let stopping = false;
  child.once('exit', (code, signal) => {
    if (stopping) return;
    // Ctrl-C in a terminal reaches Radicale too (same process group): that is no failure.
    if (signal === 'SIGINT' || signal === 'SIGTERM') ctx.log.info({ site: site.id, signal }, 'Radicale (CalDAV demo) stopped');
    else ctx.log.warn({ site: site.id, code, signal, output: output.trim().slice(-500) }, 'Radicale (CalDAV demo) exited');
  });
  const stop = async () => {
    stopping = true;
    process.removeListener('exit', killOnExit);
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    child.kill('SIGTERM');
    await Promise.race([exited, sleep(3000)]);
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };

  try {
    await waitUntilUp(url, () => child.exitCode !== null, () => output);
    await seed(ctx, url);
  } catch (err) {
    await stop();
    throw err;
  }
  return { url, stop };
}

/** Fails with EADDRINUSE when something already listens there (it would answer in Radicale's place). */
function ensureFree(port: number): Promise<void> {
  return new Promise((ok, fail) => {
    const probe = createServer();
    probe.once('error', fail);
    probe.listen(port, '127.0.0.1', () => probe.close(() => ok()));
  });
}

async function waitUntilUp(url: string, exited: () => boolean, output: () => string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    if (exited()) throw new Error(`radicale exited: ${output().trim().slice(-500)}`);
    try {
      await (await fetch(url)).arrayBuffer();
      return;
    } catch {
      await sleep(100);
    }
  }
  throw new Error(`radicale did not answer at ${url} within 20 s: ${output().trim().slice(-500)}`);
}

/** Creates the site's calendars and puts the demo events into them. */
async function seed(ctx: DemoContext<CaldavSettings>, url: string): Promise<void> {
  const { site, settings } = ctx;
  const auth = `Basic ${Buffer.from(`${settings.username}:${settings.password}`).toString('base64')}`;
  const dav = async (method: string, path: string, body?: string, headers: Record<string, string> = {}) => {
    const res = await fetch(new URL(path, url), { method, body, headers: { Authorization: auth, ...headers } });
    const text = await res.text();
    if (res.status >= 300) throw new Error(`CalDAV demo: ${method} ${path} answered ${res.status}: ${text.slice(0, 200)}`);
  };
  const home = `/${settings.username}/`;
  // The principal's collection exists once the user has been seen.
  await dav('PROPFIND', home, undefined, { Depth: '0' });
  const calendarOf = new Map<string, string>();
  for (const r of site.resources) {
    const source = String(r.mapping.calendar);
    const path = source.startsWith('/') ? (source.endsWith('/') ? source : `${source}/`) : `${home}${r.id}/`;
    if (!path.startsWith(home)) {
      ctx.log.warn({ site: site.id, resource: r.id, calendar: source }, `the CalDAV demo only makes calendars under ${home}; this resource will not be found`);
      continue;
    }
    const name = source.startsWith('/') ? r.id : source;
    await dav('MKCALENDAR', path, `<?xml version="1.0" encoding="utf-8"?>
<C:mkcalendar xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:set><D:prop>
  <D:displayname>${escapeXml(name)}</D:displayname>
  <C:supported-calendar-component-set><C:comp name="VEVENT"/></C:supported-calendar-component-set>
</D:prop></D:set></C:mkcalendar>`, { 'Content-Type': 'application/xml' });
    calendarOf.set(r.id, path);
  }
  const tz = site.timezone;
  const stamp = utcBasic(Date.now());
  let n = 0;
  const put = async (resource: string, lines: string[]) => {
    const path = calendarOf.get(resource);
    if (!path) return;
    n += 1;
    const uid = `demo-${n}@${site.id}.avhub.invalid`;
    const ics = ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//Availability Hub//demo//EN', 'BEGIN:VEVENT',
      `UID:${uid}`, `DTSTAMP:${stamp}`, ...lines, 'END:VEVENT', 'END:VCALENDAR', ''].join('\r\n');
    await dav('PUT', `${path}demo-${n}.ics`, ics, { 'Content-Type': 'text/calendar; charset=utf-8' });
  };
  for (const e of demoEvents(site.resources, tz)) {
    // Local wall time with an IANA TZID: the same hour before and after a DST change.
    await put(e.resource, [`SUMMARY:${e.title}`, `DTSTART;TZID=${tz}:${basic(e.date, e.from)}`, `DTEND;TZID=${tz}:${basic(e.date, e.to)}`,
      ...(e.weekly ? [`RRULE:FREQ=WEEKLY;COUNT=${e.weekly}`] : [])]);
  }
  for (const s of demoStays(site.resources, tz)) {
    await put(s.resource, [`SUMMARY:${s.guest}`, `DTSTART;VALUE=DATE:${s.checkIn.replace(/-/g, '')}`, `DTEND;VALUE=DATE:${s.checkOut.replace(/-/g, '')}`]);
  }
  ctx.log.info({ url, calendars: [...calendarOf.values()], events: n }, 'CalDAV demo (Radicale) running');
}

const escapeXml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const basic = (date: string, time: string) => `${date.replace(/-/g, '')}T${time.replace(':', '')}00`;
const utcBasic = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z').replace(/[-:]/g, '');
