import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import type { FastifyInstance } from 'fastify';
import type { HubConfig } from '../../config/types.js';
import type { ApiContext } from '../context.js';
import { register } from '../register.js';
import type { RouteTable } from '../route-table.js';

/** tsc's output beside the compiled server (dist); from src the TypeScript source is transpiled. */
const COMPILED = new URL('../../web/widget/widget.js', import.meta.url);
const SOURCE = new URL('../../web/widget/widget.ts', import.meta.url);
const PLACEHOLDER = /(["'])__AVHUB_HOLD_WHILE_LIMITED__\1/;

interface WidgetScript {
  body: Buffer;
  gzip: Buffer;
  etag: string;
}

/**
 * The widget's JavaScript as browsers get it. Built from the compiled file when the hub runs from
 * dist; from src (tsx, vitest) esbuild — which tsx brings along — strips the types. Either way the
 * module marker tsc adds is dropped (the widget is a classic script, so `document.currentScript`
 * works) and the groups that still take holds while a site is limited are filled in, so the
 * widget offers a hold only where the hub would take it.
 */
async function buildWidgetScript(config: HubConfig): Promise<WidgetScript> {
  let js: string;
  if (existsSync(COMPILED)) {
    js = readFileSync(COMPILED, 'utf8');
  } else {
    const { transform } = await import('esbuild');
    js = (await transform(readFileSync(SOURCE, 'utf8'), { loader: 'ts', target: 'es2022' })).code;
  }
  const holdWhileLimited = Object.values(config.groups).filter((g) => g.workflow !== 'centralized').map((g) => g.id);
  js = js
    .replace(/^export \{\};?\s*$/m, '')
    .replace(/^\/\/# sourceMappingURL=.*$/m, '')
    .replace(PLACEHOLDER, JSON.stringify(holdWhileLimited.join(',')))
    .trimEnd() + '\n';
  const body = Buffer.from(js, 'utf8');
  return { body, gzip: gzipSync(body, { level: 9 }), etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"` };
}

/** `GET /widget.js`, and CORS for the widget's reservation reads. */
export function widgetRoutes(app: FastifyInstance, table: RouteTable, ctx: ApiContext): void {
  let script: Promise<WidgetScript> | undefined;

  register(app, table, ctx, {
    method: 'GET', url: '/widget.js', access: 'public',
    summary: 'The embeddable availability widget: defines <avhub-availability key sites group api>',
    responses: {
      200: { description: 'JavaScript (classic script); gzip when accepted', contentType: 'application/javascript' },
      304: { description: 'Not modified (If-None-Match matched the ETag)' },
    },
  }, async (req, reply) => {
    script ??= buildWidgetScript(ctx.config).catch((err: unknown) => { script = undefined; throw err; });
    const { body, gzip, etag } = await script;
    reply.headers({
      'Content-Type': 'application/javascript; charset=utf-8',
      // Pages cache it briefly and then revalidate cheaply: a new hub version reaches them within minutes.
      'Cache-Control': 'public, max-age=300, stale-while-revalidate=86400',
      ETag: etag,
      Vary: 'Accept-Encoding',
      'X-Content-Type-Options': 'nosniff',
      'Cross-Origin-Resource-Policy': 'cross-origin',
      'Access-Control-Allow-Origin': '*',
    });
    const match = req.headers['if-none-match'];
    if (match && match.split(',').some((t) => t.trim().replace(/^W\//, '') === etag)) return reply.code(304).send();
    if (/\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''))) {
      reply.header('Content-Encoding', 'gzip');
      return reply.send(gzip);
    }
    return reply.send(body);
  });
}
