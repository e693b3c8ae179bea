import { z } from 'zod';
import { Problem } from './schemas.js';
import type { RouteSpec } from './route-table.js';

function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): Record<string, unknown> {
  return z.toJSONSchema(schema, { io, unrepresentable: 'any' });
}

function parameters(spec: RouteSpec): unknown[] {
  const out: unknown[] = [];
  for (const [where, schema] of [['path', spec.params], ['query', spec.query]] as const) {
    if (!schema) continue;
    const js = jsonSchema(schema, 'input') as { properties?: Record<string, unknown>; required?: string[] };
    for (const [name, prop] of Object.entries(js.properties ?? {})) {
      out.push({ name, in: where, required: where === 'path' || (js.required ?? []).includes(name), schema: prop });
    }
  }
  for (const h of spec.headers ?? []) {
    out.push({ name: h.name, in: 'header', required: h.required ?? false, description: h.description, schema: { type: 'string' } });
  }
  return out;
}

const security: Record<string, unknown[]> = {
  widget: [{ widgetKey: [] }, { widgetKeyQuery: [] }, { adminToken: [] }],
  admin: [{ adminToken: [] }],
  reservation: [{ reservationToken: [] }, { adminToken: [] }],
  feed: [{ feedToken: [] }],
  public: [],
};

const upper = (word: string) => word.charAt(0).toUpperCase() + word.slice(1);

/**
 * A stable `operationId` from method and path, for generated clients: `GET /v1/sites/:id` is
 * `getSitesById`, `POST /v1/holds/:id/confirm` is `postHoldsByIdConfirm`, `GET /widget.js` is
 * `getWidgetJs`, `GET /` is `getIndex`. The version prefix is left out: every operation of this document is v1.
 */
function operationId(spec: Pick<RouteSpec, 'method' | 'url'>): string {
  // `:resource.ics` is `ByResourceIcs`: a parameter's suffix is kept, as words, like a path's.
  const words = spec.url.split('/').filter((part) => part && part !== 'v1').map((part) => part.startsWith(':')
    ? `By${part.slice(1).split(/[^A-Za-z0-9]+/).filter(Boolean).map(upper).join('')}`
    : part.split(/[^A-Za-z0-9]+/).filter(Boolean).map(upper).join(''));
  return `${spec.method.toLowerCase()}${words.length > 0 ? words.join('') : 'Index'}`;
}

/** Any route can refuse a request it cannot read (Fastify's own 400s, unknown encodings). */
const MALFORMED = { description: 'The request could not be read (RFC 9457 problem details)', content: { 'application/problem+json': { schema: z.toJSONSchema(Problem, { io: 'output', unrepresentable: 'any' }) } } };

/** The OpenAPI 3.1 document of the routes, built from the schemas the server validates with. */
export function buildOpenApi(specs: RouteSpec[], version: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const spec of specs) {
    if (spec.inOpenApi === false) continue;
    const path = spec.url.replace(/:(\w+)/g, '{$1}');
    const responses: Record<string, unknown> = {};
    for (const [status, r] of Object.entries(spec.responses)) {
      const schema = r.schema ?? (Number(status) >= 400 ? Problem : undefined);
      const type = r.contentType ?? (Number(status) >= 400 ? 'application/problem+json' : 'application/json');
      // A body that is not JSON (a script, a calendar) is described by its media type as text.
      responses[status] = schema
        ? { description: r.description, content: { [type]: { schema: jsonSchema(schema, 'output') } } }
        : r.contentType ? { description: r.description, content: { [r.contentType]: { schema: { type: 'string' } } } } : { description: r.description };
    }
    if (!Object.keys(spec.responses).some((status) => status.startsWith('4'))) responses['4XX'] = MALFORMED;
    (paths[path] ??= {})[spec.method.toLowerCase()] = {
      operationId: operationId(spec),
      summary: spec.summary,
      security: security[spec.access],
      parameters: parameters(spec),
      ...(spec.body ? { requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(spec.body, 'input') } } } } : {}),
      responses,
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Availability Hub API', version,
      description: 'Availability, holds and reservations across sites that run different booking systems. Errors are RFC 9457 problem details with a stable `type`.',
      license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
    },
    // Relative: the document is served by the hub it describes, wherever that hub is reachable.
    servers: [{ url: '/', description: 'The hub that serves this document' }],
    components: {
      securitySchemes: {
        widgetKey: { type: 'apiKey', in: 'header', name: 'X-Api-Key' },
        widgetKeyQuery: { type: 'apiKey', in: 'query', name: 'key' },
        adminToken: { type: 'http', scheme: 'bearer' },
        reservationToken: { type: 'apiKey', in: 'header', name: 'X-Reservation-Token' },
        // In the URL because OTAs import calendars from a plain URL; one token per configured feed.
        feedToken: { type: 'apiKey', in: 'query', name: 'token' },
      },
    },
    paths,
  };
}
