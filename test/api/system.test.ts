import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, DEMO_ADMIN, DEMO_KEY, eventually, startTestHub, type TestHub } from '../helpers/hub.js';

/** The demo config (`config/demo.yaml`) as `npm start` runs it, on a private key prefix and a free port. */
let hub: TestHub;
beforeAll(async () => { hub = await startTestHub(); });
afterAll(async () => { await hub?.stop(); });

/** Method and OpenAPI path of every route the server answers, read from fastify's route tree. */
function serverRoutes(): string[] {
  const tree = hub.running.app!.printRoutes({ commonPrefix: false });
  const out: string[] = [];
  const stack: string[] = [];
  for (const line of tree.split('\n')) {
    const m = /^((?:│ {3}| {4})*)(?:├── |└── )(\S+)(?: \(([^)]*)\))?/.exec(line);
    if (!m) continue;
    const depth = m[1]!.length / 4;
    stack.length = depth;
    stack.push(m[2]!);
    for (const method of (m[3] ?? '').split(',').map((s) => s.trim()).filter(Boolean)) {
      if (method === 'HEAD' || method === 'OPTIONS') continue;
      out.push(`${method} ${stack.join('').replace(/:(\w+)/g, '{$1}')}`);
    }
  }
  return out.sort();
}

describe('/openapi.json', () => {
  it('is an OpenAPI 3.1 document listing every route the server answers', async () => {
    const res = await call(hub.base, 'GET', '/openapi.json');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const doc = res.body;
    expect(doc.openapi).toMatch(/^3\.1\./);
    expect(doc.info).toMatchObject({ title: expect.any(String), version: expect.any(String) });

    const documented: string[] = [];
    for (const [path, ops] of Object.entries(doc.paths as Record<string, Record<string, any>>)) {
      expect(path).toMatch(/^\//);
      expect(path).not.toContain(':'); // {id}, not :id
      for (const [method, op] of Object.entries(ops)) {
        documented.push(`${method.toUpperCase()} ${path}`);
        expect(op.summary, `${method} ${path}`).toEqual(expect.any(String));
        expect(Object.keys(op.responses).length, `${method} ${path}`).toBeGreaterThan(0);
        for (const p of op.parameters ?? []) {
          expect(['path', 'query', 'header']).toContain(p.in);
          if (p.in === 'path') expect(path).toContain(`{${p.name}}`);
        }
        for (const s of op.security ?? []) {
          for (const scheme of Object.keys(s)) expect(doc.components.securitySchemes).toHaveProperty(scheme);
        }
      }
    }
    // Every route but the browser pages (/dashboard, /docs, the /queues view) and their files and
    // the queue view's own API (bull-board's), which are no API operations of the hub.
    expect(documented.sort()).toEqual(serverRoutes().filter((r) => !/^GET \/(dashboard|docs)(\/|$)/.test(r) && !/^\w+ \/queues(\/|$)/.test(r)));
    for (const expected of [
      'GET /healthz', 'GET /readyz', 'GET /metrics', 'GET /openapi.json', 'GET /v1/availability',
      'POST /v1/holds', 'POST /v1/holds/{id}/confirm', 'DELETE /v1/holds/{id}',
      'GET /v1/reservations/{id}', 'DELETE /v1/reservations/{id}', 'GET /v1/sites', 'GET /v1/sites/{id}',
    ]) expect(documented).toContain(expected);

    const holds = doc.paths['/v1/holds'].post;
    expect(holds.requestBody.content['application/json'].schema).toMatchObject({ type: 'object' });
    expect(holds.parameters.map((p: { name: string }) => p.name)).toContain('Idempotency-Key');
    expect(Object.keys(holds.responses)).toEqual(expect.arrayContaining(['201', '400', '409', '422']));
    expect(holds.responses['409'].content).toHaveProperty(['application/problem+json']);
    const query = doc.paths['/v1/availability'].get.parameters.map((p: { name: string; required: boolean }) => `${p.name}${p.required ? '!' : ''}`);
    expect(query).toEqual(expect.arrayContaining(['site!', 'from!', 'to!', 'resource', 'group']));
  });
});

describe('health and metrics', () => {
  it('/healthz is 200', async () => {
    const res = await call(hub.base, 'GET', '/healthz');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok' });
  });

  it('/readyz is 200 with a worker role running', async () => {
    const res = await eventually(async () => {
      const r = await call(hub.base, 'GET', '/readyz');
      expect(r.status).toBe(200);
      return r;
    }, 3_000);
    expect(res.body).toMatchObject({ status: 'ready', redis: 'up', workers: expect.any(Number) });
    expect(res.body.workers).toBeGreaterThanOrEqual(1);
  });

  it('/readyz is 503 for an API process when no worker runs anywhere', async () => {
    const apiOnly = await startTestHub({ roles: ['api'] });
    try {
      const res = await call(apiOnly.base, 'GET', '/readyz');
      expect(res.status).toBe(503);
      expect(res.body).toEqual({ status: 'not-ready', redis: 'up', workers: 0 });
    } finally {
      await apiOnly.stop();
    }
  });

  it('/metrics is Prometheus text with avhub_holds_total counting outcomes', async () => {
    const body = { site: 'mitte', resource: 'suite', checkIn: '2027-02-10', checkOut: '2027-02-11', quantity: 2 };
    expect((await call(hub.base, 'POST', '/v1/holds', { headers: DEMO_KEY, body })).status).toBe(201);
    expect((await call(hub.base, 'POST', '/v1/holds', { headers: DEMO_ADMIN, body })).status).toBe(409);
    const res = await call(hub.base, 'GET', '/metrics');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(res.body).toContain('# TYPE avhub_holds_total counter');
    expect(res.body).toMatch(/^avhub_holds_total\{outcome="created"\} 1$/m);
    expect(res.body).toMatch(/^avhub_holds_total\{outcome="unavailable"\} 1$/m);
    expect(res.body).toContain('avhub_http_request_duration_seconds_bucket');
  });

  it('unknown routes are 404 problems', async () => {
    const res = await call(hub.base, 'GET', '/v2/nothing');
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({ type: 'not-found', status: 404 });
  });
});
