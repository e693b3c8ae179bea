import { createHash } from 'node:crypto';
import { sameSecret } from '../domain/same-secret.js';
import type { FastifyRequest } from 'fastify';
import type { HubConfig, WidgetKeyConfig } from '../config/types.js';
import { HubError } from '../core/errors.js';
import { OriginRefused } from './origin-refusals.js';

export type Caller =
  | { kind: 'admin'; scope: 'admin' }
  | { kind: 'widget'; scope: string; key: WidgetKeyConfig; sites: ReadonlySet<string> };

const unauthorized = (detail: string) => new HubError(401, 'unauthorized', 'Unauthorized', detail);

/** Resolves callers from the admin bearer token or a widget key (header or `key=`). */
export class Authenticator {
  private readonly keys = new Map<string, { key: WidgetKeyConfig; scope: string; sites: ReadonlySet<string> }>();

  constructor(private readonly config: HubConfig) {
    for (const key of config.auth.widgetKeys) {
      // Keys are public, but a digest keeps them out of Redis key names and logs.
      const scope = `k${createHash('sha256').update(key.key).digest('hex').slice(0, 16)}`;
      this.keys.set(key.key, { key, scope, sites: new Set(key.sites) });
    }
  }

  isAdmin(req: FastifyRequest): boolean {
    const auth = req.headers.authorization;
    if (!auth?.startsWith('Bearer ')) return false;
    return sameSecret(auth.slice(7).trim(), this.config.auth.adminToken);
  }

  admin(req: FastifyRequest): Caller {
    if (this.isAdmin(req)) return { kind: 'admin', scope: 'admin' };
    if (req.headers.authorization) throw new HubError(403, 'forbidden', 'Forbidden', 'the admin token is not valid');
    throw unauthorized('this endpoint needs Authorization: Bearer <admin token>');
  }

  /** Whether `raw` is a widget key whose origins allow `origin`. */
  keyAllowsOrigin(raw: unknown, origin: string): boolean {
    const found = typeof raw === 'string' ? this.keys.get(raw) : undefined;
    return found !== undefined && allowsOrigin(found.key, origin);
  }

  /** The admin, or a widget key whose origins allow the request's Origin. */
  widget(req: FastifyRequest): Caller {
    if (this.isAdmin(req)) return { kind: 'admin', scope: 'admin' };
    const header = req.headers['x-api-key'];
    const query = (req.query as Record<string, unknown> | undefined)?.key;
    const raw = typeof header === 'string' ? header : typeof query === 'string' ? query : undefined;
    if (!raw) throw unauthorized('send a widget key as X-Api-Key or ?key=, or the admin token');
    const found = this.keys.get(raw);
    if (!found) throw unauthorized('unknown widget key');
    const origin = req.headers.origin;
    if (origin && !allowsOrigin(found.key, origin)) throw new OriginRefused(origin, { scope: found.scope, sites: found.key.sites });
    return { kind: 'widget', ...found };
  }

  /** Whether any key would accept this origin (answers CORS preflights, which carry no key). */
  anyKeyAllows(origin: string): boolean {
    return this.config.auth.widgetKeys.some((k) => allowsOrigin(k, origin));
  }
}

function allowsOrigin(key: WidgetKeyConfig, origin: string): boolean {
  return key.origins.includes('*') || key.origins.includes(origin);
}
