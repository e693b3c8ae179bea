import type { HubConfig, SiteConfig } from '../config/types.js';
import type { PushStore } from '../store/push-store.js';

/** How a site's system may notify the hub, as configured (empty: push is off, polling alone). */
export function pushRoutes(site: SiteConfig, config: HubConfig): string[] {
  const kind = site.adapter.kind;
  const secret = site.push?.secret !== undefined;
  const publicUrl = config.http.publicUrl !== undefined;
  const out: string[] = [];
  if (kind === 'none') return out;
  if (secret) out.push('generic');
  // Google channels carry a token of their own; apaleo subscriptions carry the secret in the URL.
  if (kind === 'google' && publicUrl) out.push('google');
  if (kind === 'apaleo' && publicUrl && secret) out.push('apaleo');
  // Mews webhooks are registered by Mews (by e-mail): the secret alone enables them.
  if (kind === 'mews' && secret) out.push('mews');
  return out;
}

/** What staff see of a site's push (GET /v1/sites/{id}, the dashboard, metrics); times ISO or null. */
export interface PushStatus {
  /** Routes configured (generic, google, apaleo, mews); empty when push is off. */
  via: string[];
  /** A notification came within `inactiveAfter` and, where the source needs one, a subscription is live. */
  active: boolean;
  /** Why push is not active (null when it is). */
  inactiveReason: string | null;
  lastNotificationAt: string | null;
  lastSource: string | null;
  /** Notification received → the poll covering it applied, for the latest served notification. */
  lastLagMs: number | null;
  /** A notification no poll has covered yet, since then. */
  pendingSince: string | null;
  notifications: number;
  /** The live subscriptions at the source (Google channels, apaleo subscriptions) and when they end. */
  subscriptions: Array<{ id: string; target: string; expiresAt: string | null }>;
}

const iso = (ms: number) => (ms > 0 ? new Date(ms).toISOString() : null);

export async function readPushStatus(store: PushStore, site: SiteConfig, config: HubConfig, now = Date.now()): Promise<PushStatus> {
  const via = pushRoutes(site, config);
  const [rec, subs] = await Promise.all([store.read(site.id), store.subscriptions(site.id)]);
  const live = subs.filter((s) => s.expiresAt === undefined || s.expiresAt > now);
  const inactiveAfter = site.push?.inactiveAfter ?? config.defaults.push.inactiveAfter;
  let reason: string | null = null;
  if (via.length === 0) reason = 'push is not configured for this site; polling alone keeps it current';
  else if (via.includes('google') && !via.includes('generic') && live.length === 0) {
    reason = subs.length > 0 ? 'every notification channel has expired; polling alone until it is renewed' : 'no notification channel is open yet';
  } else if (rec.lastNotifiedAt === 0) reason = 'no notification received yet';
  else if (now - rec.lastNotifiedAt > inactiveAfter) {
    reason = `no notification for ${Math.round((now - rec.lastNotifiedAt) / 60_000)} min (more than ${Math.round(inactiveAfter / 60_000)} min); polling alone`;
  }
  return {
    via, active: reason === null, inactiveReason: reason,
    lastNotificationAt: iso(rec.lastNotifiedAt), lastSource: rec.lastSource, lastLagMs: rec.lastLagMs,
    pendingSince: iso(rec.pendingSince), notifications: rec.received,
    subscriptions: live.map((s) => ({ id: s.id, target: s.target, expiresAt: s.expiresAt ? iso(s.expiresAt) : null })),
  };
}
