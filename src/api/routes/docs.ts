import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ApiContext } from '../context.js';
import { register } from '../register.js';
import type { RouteTable } from '../route-table.js';

/**
 * `/docs`: a page that renders `/openapi.json` in the browser (endpoints, parameters, bodies,
 * responses) with nothing but this file: no CDN, no third-party request, and a CSP that says so.
 */
const PAGE_CSP = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; "
  + "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/** Headers every HTML page of the hub and its assets carry. */
export function pageHeaders(reply: FastifyReply, type: string): FastifyReply {
  return reply.type(type).headers({
    'Content-Security-Policy': PAGE_CSP,
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'X-Frame-Options': 'DENY',
    'Cache-Control': 'no-cache',
  });
}

const HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Availability Hub API</title>
<link rel="stylesheet" href="docs/docs.css">
<script type="module" src="docs/docs.js"></script>
</head>
<body>
<header>
  <h1 id="title">Availability Hub API</h1>
  <p>Rendered from <a href="openapi.json">openapi.json</a>. Errors are RFC 9457 problem details.</p>
  <label for="filter">Filter endpoints</label>
  <input id="filter" type="search" autocomplete="off" placeholder="holds, admin, POST …">
</header>
<nav aria-label="Endpoints"><ul id="toc"></ul></nav>
<main id="endpoints" aria-busy="true"><p>Loading…</p></main>
</body>
</html>
`;

const CSS = `
:root { color-scheme: light dark; --line: #8884; --muted: #777; }
body { font: 15px/1.45 system-ui, sans-serif; margin: 0 auto; max-width: 70rem; padding: 1rem 1.5rem 4rem; }
header p { color: var(--muted); margin-top: 0; }
input[type=search] { font: inherit; padding: .3rem .5rem; width: 20rem; max-width: 100%; margin-left: .5rem; }
nav ul { columns: 2 22rem; padding-left: 1rem; }
nav a, h2 code { font-family: ui-monospace, monospace; }
section.op { border-top: 1px solid var(--line); padding: .5rem 0 1rem; }
h2 { font-size: 1.05rem; margin: .6rem 0 .2rem; }
h3 { font-size: .95rem; margin: .8rem 0 .3rem; }
.method { display: inline-block; min-width: 4.2rem; font-weight: 700; }
.GET { color: #0a7a3f; } .POST { color: #1d5fbf; } .DELETE { color: #b3261e; } .PATCH { color: #9a5b00; }
.who { color: var(--muted); font-size: .85rem; }
table { border-collapse: collapse; width: 100%; font-size: .9rem; }
th, td { text-align: left; vertical-align: top; border-bottom: 1px solid var(--line); padding: .25rem .5rem; }
pre { background: #8881; padding: .5rem .75rem; overflow-x: auto; font-size: .82rem; margin: .2rem 0 .5rem; }
td pre { white-space: pre-wrap; overflow-wrap: anywhere; }
.status { font-family: ui-monospace, monospace; font-weight: 700; }
`;

const JS = `
const $ = (tag, attrs = {}, ...kids) => {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) k === 'class' ? (el.className = v) : el.setAttribute(k, v);
  for (const kid of kids) if (kid !== null && kid !== undefined) el.append(kid instanceof Node ? kid : String(kid));
  return el;
};

const WHO = { widgetKey: 'widget key', widgetKeyQuery: 'widget key (?key=)', adminToken: 'admin token', reservationToken: 'reservation token' };
const who = (security) => !security || security.length === 0 ? 'anyone'
  : [...new Set(security.flatMap((s) => Object.keys(s)).map((k) => WHO[k] ?? k))].join(' or ');

/** A JSON Schema as short TypeScript-like text, descriptions as comments. */
function schemaText(s, depth = 0) {
  if (!s || typeof s !== 'object') return 'any';
  const pad = '  '.repeat(depth + 1);
  if (s.anyOf || s.oneOf) return (s.anyOf ?? s.oneOf).map((x) => schemaText(x, depth)).join(' | ');
  if (s.allOf) return s.allOf.map((x) => schemaText(x, depth)).join(' & ');
  if (s.const !== undefined) return JSON.stringify(s.const);
  if (s.enum) return s.enum.map((v) => JSON.stringify(v)).join(' | ');
  if (s.type === 'array') return schemaText(s.items, depth) + '[]';
  if (s.type === 'object' || s.properties) {
    const props = Object.entries(s.properties ?? {});
    const req = new Set(s.required ?? []);
    const lines = props.map(([name, p]) => pad + name + (req.has(name) ? '' : '?') + ': ' + schemaText(p, depth + 1)
      + (p && p.description ? '  // ' + p.description : ''));
    if (s.additionalProperties && typeof s.additionalProperties === 'object') {
      lines.push(pad + '[key: string]: ' + schemaText(s.additionalProperties, depth + 1));
    }
    return lines.length ? '{\\n' + lines.join('\\n') + '\\n' + '  '.repeat(depth) + '}' : '{}';
  }
  if (Array.isArray(s.type)) return s.type.join(' | ');
  const bounds = [s.minimum !== undefined ? '≥ ' + s.minimum : '', s.maximum !== undefined ? '≤ ' + s.maximum : '',
    s.maxLength !== undefined ? 'max ' + s.maxLength + ' chars' : ''].filter(Boolean).join(', ');
  return (s.type ?? 'any') + (bounds ? ' (' + bounds + ')' : '');
}

function operation(path, method, op, index) {
  const id = 'op-' + index;
  const section = $('section', { class: 'op', id, 'aria-labelledby': id + '-h' });
  section.dataset.search = (method + ' ' + path + ' ' + (op.summary ?? '') + ' ' + who(op.security)).toLowerCase();
  section.append($('h2', { id: id + '-h' }, $('span', { class: 'method ' + method.toUpperCase() }, method.toUpperCase()), $('code', {}, path)));
  section.append($('p', {}, op.summary ?? '', ' ', $('span', { class: 'who' }, '(' + who(op.security) + ')')));
  const params = op.parameters ?? [];
  if (params.length) {
    const body = $('tbody');
    for (const p of params) {
      body.append($('tr', {}, $('td', {}, $('code', {}, p.name)), $('td', {}, p.in), $('td', {}, p.required ? 'yes' : 'no'),
        $('td', {}, $('code', {}, schemaText(p.schema))), $('td', {}, p.description ?? p.schema?.description ?? '')));
    }
    section.append($('h3', {}, 'Parameters'), $('table', {},
      $('thead', {}, $('tr', {}, ...['Name', 'In', 'Required', 'Type', 'Description'].map((h) => $('th', { scope: 'col' }, h)))), body));
  }
  const reqBody = op.requestBody?.content?.['application/json']?.schema;
  if (reqBody) section.append($('h3', {}, 'Request body (application/json)'), $('pre', {}, schemaText(reqBody)));
  const rows = $('tbody');
  for (const [status, r] of Object.entries(op.responses ?? {})) {
    const [type, media] = Object.entries(r.content ?? {})[0] ?? [];
    rows.append($('tr', {}, $('td', { class: 'status' }, status), $('td', {}, r.description ?? '',
      media?.schema ? $('pre', {}, type + ': ' + schemaText(media.schema)) : null)));
  }
  section.append($('h3', {}, 'Responses'), $('table', {},
    $('thead', {}, $('tr', {}, $('th', { scope: 'col' }, 'Status'), $('th', { scope: 'col' }, 'Meaning'))), rows));
  return section;
}

async function main() {
  const main = document.getElementById('endpoints');
  const toc = document.getElementById('toc');
  try {
    const res = await fetch('openapi.json', { headers: { accept: 'application/json' } });
    if (!res.ok) throw new Error('openapi.json answered ' + res.status);
    const doc = await res.json();
    document.getElementById('title').textContent = (doc.info?.title ?? 'API') + ' ' + (doc.info?.version ?? '');
    main.replaceChildren();
    let i = 0;
    for (const [path, ops] of Object.entries(doc.paths ?? {})) {
      for (const [method, op] of Object.entries(ops)) {
        const section = operation(path, method, op, i++);
        main.append(section);
        toc.append($('li', {}, $('a', { href: '#' + section.id }, method.toUpperCase() + ' ' + path)));
      }
    }
  } catch (err) {
    main.replaceChildren($('p', { role: 'alert' }, 'Could not load the API description: ' + err.message));
  }
  main.setAttribute('aria-busy', 'false');
  document.getElementById('filter').addEventListener('input', (e) => {
    const q = e.target.value.trim().toLowerCase();
    const sections = [...main.querySelectorAll('section.op')];
    sections.forEach((s, n) => {
      const show = !q || s.dataset.search.includes(q);
      s.hidden = !show;
      toc.children[n].hidden = !show;
    });
  });
}
main();
`;

export function docsRoutes(app: FastifyInstance, table: RouteTable, ctx: ApiContext): void {
  register(app, table, ctx, {
    method: 'GET', url: '/docs', access: 'public', summary: 'This API, readable (renders /openapi.json in the browser)', inOpenApi: false,
    responses: { 200: { description: 'HTML page', contentType: 'text/html' } },
  }, async (_req, reply) => pageHeaders(reply, 'text/html; charset=utf-8').send(HTML));
  for (const [url, type, body, what] of [['/docs/docs.js', 'text/javascript', JS, 'script'], ['/docs/docs.css', 'text/css', CSS, 'style sheet']] as const) {
    register(app, table, ctx, {
      method: 'GET', url, access: 'public', summary: `The /docs page's ${what}`, inOpenApi: false,
      responses: { 200: { description: `The ${what}`, contentType: type } },
    }, async (_req, reply) => pageHeaders(reply, `${type}; charset=utf-8`).send(body));
  }
}
