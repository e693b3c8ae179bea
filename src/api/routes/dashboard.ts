import { readFileSync } from 'node:fs';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { HubError } from '../../core/errors.js';
import type { ApiContext } from '../context.js';
import { register } from '../register.js';
import type { RouteTable } from '../route-table.js';
import { pageHeaders } from './docs.js';

/** Beside this file in src/ and, after `npm run build` (scripts/copy-assets.mjs), in dist/src/. */
const ASSET_DIR = new URL('../../web/dashboard/', import.meta.url);
const ASSETS = { 'index.html': 'text/html', 'app.js': 'text/javascript', 'style.css': 'text/css' } as const;
type AssetName = keyof typeof ASSETS;

/**
 * The staff dashboard: static files only. It holds no secret itself; the page asks for the admin
 * token and calls the admin API with it, so this route needs no authentication.
 */
export function dashboardRoutes(app: FastifyInstance, table: RouteTable, ctx: ApiContext): void {
  const files = new Map<AssetName, string>();
  try {
    for (const name of Object.keys(ASSETS) as AssetName[]) files.set(name, readFileSync(new URL(name, ASSET_DIR), 'utf8'));
  } catch (err) {
    ctx.logger.error({ dir: ASSET_DIR.pathname, err: (err as Error).message }, 'dashboard assets missing: /dashboard answers 503');
  }
  const serve = (name: AssetName) => async (_req: unknown, reply: FastifyReply) => {
    const body = files.get(name);
    if (body === undefined) throw new HubError(503, 'dashboard-unavailable', 'Dashboard unavailable', 'the dashboard\'s files are not installed with this build');
    return pageHeaders(reply, `${ASSETS[name]}; charset=utf-8`).send(body);
  };

  // Pages and their files are for browsers: /openapi.json lists none of them (DESIGN §7 names /dashboard).
  const page = (url: string, name: AssetName, summary: string) => register(app, table, ctx, {
    method: 'GET', url, access: 'public', summary, inOpenApi: false,
    responses: { 200: { description: summary, contentType: ASSETS[name] }, 503: { description: 'The dashboard\'s files are missing from this build' } },
  }, serve(name));
  page('/dashboard/', 'index.html', 'Staff dashboard (HTML): site health, write-backs, conflicts; it asks for the admin token');
  page('/dashboard/app.js', 'app.js', 'The staff dashboard\'s script');
  page('/dashboard/style.css', 'style.css', 'The staff dashboard\'s style sheet');
  // The page's links are relative to /dashboard/, so the hub may sit under a path prefix.
  register(app, table, ctx, {
    method: 'GET', url: '/dashboard', access: 'public', summary: 'Redirects to /dashboard/', inOpenApi: false,
    responses: { 308: { description: 'To /dashboard/' } },
  }, async (_req, reply) => reply.redirect('dashboard/', 308));
}
