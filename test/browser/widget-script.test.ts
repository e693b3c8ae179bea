import { gunzipSync } from 'node:zlib';
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, type TestHub } from '../helpers/hub.js';

/** A raw GET (fetch would decompress and hide Content-Encoding). */
function rawGet(url: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('GET /widget.js', () => {
  let hub: TestHub;
  beforeAll(async () => {
    hub = await startTestHub({
      roles: ['api'],
      override: (c) => {
        c.groups.halls!.workflow = 'hybrid';
        c.auth.widgetKeys[0]!.origins = ['https://shop.example'];
      },
    });
  });
  afterAll(async () => { await hub?.stop(); });

  it('serves a classic script with caching headers, an ETag and gzip, small enough to embed', async () => {
    const plain = await rawGet(`${hub.base}/widget.js`);
    expect(plain.status).toBe(200);
    expect(plain.headers['content-type']).toBe('application/javascript; charset=utf-8');
    expect(plain.headers['cache-control']).toMatch(/public, max-age=\d+/);
    expect(plain.headers.etag).toMatch(/^"[\w-]+"$/);
    const js = plain.body.toString('utf8');
    expect(js).toMatch(/customElements\.define\(["']avhub-availability["']/);
    expect(js).toContain('document.currentScript');
    // A classic script: a module marker would be a syntax error in <script src>.
    expect(js).not.toMatch(/^\s*(export|import)\b/m);
    // eslint-disable-next-line @typescript-eslint/no-implied-eval -- compiles (never runs) the served script to prove it parses
    expect(() => new Function(js)).not.toThrow();

    const zipped = await rawGet(`${hub.base}/widget.js`, { 'accept-encoding': 'gzip, br' });
    expect(zipped.headers['content-encoding']).toBe('gzip');
    expect(zipped.headers.vary).toMatch(/Accept-Encoding/);
    expect(gunzipSync(zipped.body).equals(plain.body)).toBe(true);
    expect(zipped.body.length).toBeLessThan(25 * 1024);
    console.info(`widget.js: ${plain.body.length} bytes, ${zipped.body.length} bytes gzipped`);

    const again = await rawGet(`${hub.base}/widget.js`, { 'if-none-match': String(plain.headers.etag) });
    expect(again.status).toBe(304);
    expect(again.body.length).toBe(0);
  });

  it('names the groups that still take holds while a site is limited (not the centralized ones)', async () => {
    const js = (await rawGet(`${hub.base}/widget.js`)).body.toString('utf8');
    const groups = /new Set\(["']([^"']*)["']\.split/.exec(js)?.[1]?.split(',');
    expect(groups).toContain('halls');
    expect(groups).not.toContain('rooms');
    expect(js).not.toContain('__AVHUB_HOLD_WHILE_LIMITED__');
  });

  it('reservation reads carry CORS headers only for a widget key that allows the Origin', async () => {
    const get = (headers: Record<string, string>) => fetch(`${hub.base}/v1/reservations/r_nope`, { headers });
    const allowed = await get({ origin: 'https://shop.example', 'x-api-key': 'demo-widget-key', 'x-reservation-token': 'x' });
    expect(allowed.status).toBeGreaterThanOrEqual(400);
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://shop.example');
    const other = await get({ origin: 'https://evil.example', 'x-api-key': 'demo-widget-key', 'x-reservation-token': 'x' });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
    const keyless = await get({ origin: 'https://shop.example', 'x-reservation-token': 'x' });
    expect(keyless.headers.get('access-control-allow-origin')).toBeNull();
  });
});
