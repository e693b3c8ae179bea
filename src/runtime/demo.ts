import { resolve } from 'node:path';
import type { Logger } from 'pino';
import type { HubConfig, SiteConfig } from '../config/types.js';
import { splitAdapterConfig } from '../config/adapter-config.js';
import type { DemoSimulator, SourceSite } from '../core/adapter/port.js';
import { adapterDefinition } from '../sync/registry.js';

/** The simulators `startDemoSimulators` started; `stop` ends them all. */
export interface RunningDemo {
  simulators: Array<{ kind: string; port: number; site: string; url: string }>;
  stop(): Promise<void>;
}

const LOCAL_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * Demo and development only (the config's `demo.simulators`, DESIGN §9): starts each simulated
 * system through its adapter's `demo` launcher, seeded from the site of that kind whose adapter
 * settings point at the simulator's port on this machine. A simulator that cannot start is
 * logged and skipped: its site then shows as limited, and the rest of the hub runs.
 * @param dataDir the hub's data directory; simulators keep files under `<dataDir>/demo`.
 */
export async function startDemoSimulators(config: HubConfig, dataDir: string, logger: Logger): Promise<RunningDemo> {
  const log = logger.child({ component: 'demo' });
  const started: Array<{ kind: string; port: number; site: string; sim: DemoSimulator }> = [];
  await Promise.all((config.demo?.simulators ?? []).map(async ({ kind, port }) => {
    const def = adapterDefinition(kind);
    if (!def.demo) {
      log.warn({ kind, port }, `adapter kind ${kind} has no demo simulator; skipped`);
      return;
    }
    const sites = config.sites.filter((s) => s.adapter.kind === kind && pointsAt(splitAdapterConfig(s.adapter).settings, port));
    const site = sites[0];
    if (!site) {
      log.warn({ kind, port }, `no ${kind} site points at 127.0.0.1:${port}; the simulator is not started`);
      return;
    }
    if (sites.length > 1) {
      log.warn({ kind, port, sites: sites.map((s) => s.id) }, `several ${kind} sites point at port ${port}; the simulator is seeded for ${site.id} only`);
    }
    const siteLog = log.child({ site: site.id, kind, port });
    try {
      const sim = await def.demo({
        port,
        site: sourceSite(site),
        settings: def.settings.parse(splitAdapterConfig(site.adapter).settings),
        dataDir: resolve(dataDir, 'demo', site.id),
        log: { warn: (o, m) => siteLog.warn(o, m), info: (o, m) => siteLog.info(o, m) },
      });
      started.push({ kind, port, site: site.id, sim });
    } catch (err) {
      const inUse = (err as NodeJS.ErrnoException).code === 'EADDRINUSE';
      siteLog.warn({ err: (err as Error).message },
        inUse
          ? `port ${port} is in use (another hub process may run this simulator); site ${site.id} relies on whatever answers there`
          : `the ${kind} demo simulator did not start; site ${site.id} will show as limited`);
    }
  }));
  return {
    simulators: started.map(({ kind, port, site, sim }) => ({ kind, port, site, url: sim.url })),
    async stop() {
      await Promise.all(started.map(({ sim, site }) => sim.stop().catch((err: unknown) => log.warn({ site, err }, 'demo simulator stop failed'))));
    },
  };
}

/** True when some URL in the settings (nested ones included) is a local address on `port`. */
function pointsAt(value: unknown, port: number): boolean {
  if (typeof value === 'string') {
    if (!/^https?:\/\//i.test(value)) return false;
    try {
      const url = new URL(value);
      return LOCAL_HOSTS.has(url.hostname) && Number(url.port || (url.protocol === 'https:' ? 443 : 80)) === port;
    } catch {
      return false;
    }
  }
  if (Array.isArray(value)) return value.some((v) => pointsAt(v, port));
  if (value !== null && typeof value === 'object') return Object.values(value).some((v) => pointsAt(v, port));
  return false;
}

function sourceSite(site: SiteConfig): SourceSite {
  return {
    id: site.id, timezone: site.timezone,
    resources: site.resources.map((r) => ({ id: r.id, kind: r.kind, bookedBy: r.bookedBy, capacity: r.capacity, mapping: r.source })),
  };
}
