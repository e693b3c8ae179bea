import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { HubConfig, SiteConfig } from '../config/types.js';
import type { PushSubscription, SourceAdapter } from '../core/adapter/port.js';
import type { PushStore } from '../store/push-store.js';
import type { AdapterPool } from './adapter-pool.js';
import { pushRoutes } from './push-status.js';

/** Where a site's source must send notifications of `kind` (the URL token, where the vendor needs one). */
function pushAddress(config: HubConfig, site: SiteConfig, kind: string): string | null {
  if (!config.http.publicUrl) return null;
  const base = `${config.http.publicUrl}/v1/sites/${encodeURIComponent(site.id)}/push/${kind}`;
  if (kind === 'google') return base;
  return site.push?.secret ? `${base}?token=${encodeURIComponent(site.push.secret)}` : null;
}

/**
 * Keeps the subscriptions at the sources that push through their API (Google channels, apaleo
 * webhook subscriptions) matching the config: opened for every watched target, renewed before
 * they expire (a new one first, then the old one stopped, so no change falls in between), and
 * stopped for targets and sites that no longer push. Runs in the scheduler role, every
 * `every` ms. A site removed from the config takes its credentials with it: its subscriptions
 * are forgotten (notifications to them are refused) and lapse at their expiration.
 */
export class PushSubscriptions {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(private readonly deps: { config: HubConfig; store: PushStore; adapters: AdapterPool; logger: Logger }) {}

  start(every: number): void {
    const tick = () => {
      this.running = this.reconcile().catch((err: unknown) => this.deps.logger.warn({ err: (err as Error).message }, 'push subscriptions: reconcile failed'));
    };
    tick();
    this.timer = setInterval(tick, every);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  async reconcile(now = Date.now()): Promise<void> {
    const { config, store } = this.deps;
    for (const site of config.sites) {
      const kind = site.adapter.kind;
      const address = pushRoutes(site, config).includes(kind) ? pushAddress(config, site, kind) : null;
      const adapter = this.deps.adapters.get(site);
      if (address && adapter.watch) {
        await this.keep(site, adapter, address, now).catch((err: unknown) =>
          this.deps.logger.warn({ site: site.id, err: (err as Error).message }, 'push subscriptions: could not subscribe; polling alone meanwhile'));
      } else if ((await store.subscriptions(site.id)).length > 0) {
        await this.stopAll(site, adapter);
      }
    }
    for (const gone of await store.subscribedSites()) {
      if (config.sites.some((s) => s.id === gone)) continue;
      for (const sub of await store.subscriptions(gone)) await store.dropSubscription(gone, sub.id);
      this.deps.logger.warn({ site: gone }, 'push subscriptions: the site is no longer configured; its subscriptions are forgotten and lapse at their expiration');
    }
  }

  /** Opens what is missing or expiring soon, then stops what it replaced or what is no longer watched. */
  private async keep(site: SiteConfig, adapter: SourceAdapter, address: string, now: number): Promise<void> {
    const { store, config } = this.deps;
    const ttl = config.defaults.push.channelTtl;
    const subs = await store.subscriptions(site.id);
    const targets = new Set(this.deps.adapters.sourceSite(site).resources.map((r) => targetOf(site, r.mapping)));
    const fresh = (s: PushSubscription) => s.expiresAt === undefined || s.expiresAt - now > ttl / 4;
    const due = [...targets].filter((t) => !subs.some((s) => s.target === t && fresh(s)));
    const req = { signal: AbortSignal.timeout(30_000), throttle: this.deps.adapters.throttle(site) };
    if (due.length > 0) {
      const opened = await adapter.watch!({
        ...req, site: this.deps.adapters.sourceSite(site), address, ttlMs: ttl, only: due,
        token: () => randomBytes(24).toString('base64url'),
      });
      for (const sub of opened) await store.keepSubscription(site.id, sub);
      this.deps.logger.info({ site: site.id, opened: opened.map((s) => s.target) }, 'push subscriptions opened');
    }
    const after = await store.subscriptions(site.id);
    for (const sub of after) {
      const replaced = after.some((o) => o !== sub && o.target === sub.target && (o.expiresAt ?? Infinity) > (sub.expiresAt ?? Infinity));
      const expired = sub.expiresAt !== undefined && sub.expiresAt <= now;
      if (!targets.has(sub.target) || replaced || expired) await this.end(site, adapter, sub, !expired);
    }
  }

  private async stopAll(site: SiteConfig, adapter: SourceAdapter): Promise<void> {
    for (const sub of await this.deps.store.subscriptions(site.id)) await this.end(site, adapter, sub, true);
  }

  private async end(site: SiteConfig, adapter: SourceAdapter, sub: PushSubscription, atSource: boolean): Promise<void> {
    if (atSource && adapter.unwatch) {
      await adapter.unwatch(sub, { signal: AbortSignal.timeout(30_000), throttle: this.deps.adapters.throttle(site) }).catch((err: unknown) =>
        this.deps.logger.warn({ site: site.id, target: sub.target, err: (err as Error).message }, 'push subscriptions: stop failed; it lapses at its expiration'));
    }
    await this.deps.store.dropSubscription(site.id, sub.id);
  }
}

/** The watched target of a resource: a Google calendar id, an apaleo unit group's property. */
function targetOf(site: SiteConfig, mapping: Readonly<Record<string, unknown>>): string {
  if (typeof mapping.calendarId === 'string') return mapping.calendarId;
  const property = (site.adapter as { propertyId?: unknown }).propertyId;
  return typeof property === 'string' ? property : site.id;
}
