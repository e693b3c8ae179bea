import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AdapterAuthError, AdapterRateLimitedError, AdapterUnavailableError, CursorRejectedError, ResponseTooLargeError,
} from './errors.js';
import {
  DEFAULT_RETRY_AFTER_MS, headerValue, limitResponse, MAX_RETRY_AFTER_MS, parseRetryAfter, readBody, retryAfterMs,
  statusError,
} from './http.js';

const NOW = Date.UTC(2027, 0, 1, 12, 0, 0);

describe('Retry-After (RFC 9110 §10.2.3)', () => {
  it('reads delta-seconds and HTTP-dates in every form RFC 9110 allows', () => {
    expect(parseRetryAfter('7', NOW)).toBe(7000);
    expect(parseRetryAfter(' 0 ', NOW)).toBe(0);
    expect(parseRetryAfter('Fri, 01 Jan 2027 12:00:30 GMT', NOW)).toBe(30_000);
    expect(parseRetryAfter('Friday, 01-Jan-27 12:00:30 GMT', NOW)).toBe(30_000);
    expect(parseRetryAfter('Fri Jan  1 12:00:30 2027', NOW)).not.toBeNull();
  });

  it('a date in the past means no wait', () => {
    expect(parseRetryAfter('Fri, 01 Jan 2027 11:00:00 GMT', NOW)).toBe(0);
  });

  it('is null when absent or unreadable, including numbers RFC 9110 does not allow', () => {
    for (const value of [undefined, null, '', '  ', 'soon', '-5', '1.5', '12abc']) expect(parseRetryAfter(value, NOW)).toBeNull();
  });

  it('applies the caller default and caps long waits', () => {
    expect(retryAfterMs(undefined, { now: NOW })).toBe(DEFAULT_RETRY_AFTER_MS);
    expect(retryAfterMs('soon', { defaultMs: 5000 })).toBe(5000);
    expect(retryAfterMs('99999999')).toBe(MAX_RETRY_AFTER_MS);
    expect(retryAfterMs('120', { maxMs: 60_000 })).toBe(60_000);
    expect(retryAfterMs('Sat, 02 Jan 2027 12:00:00 GMT', { now: NOW })).toBe(MAX_RETRY_AFTER_MS);
  });
});

describe('headerValue', () => {
  it('reads fetch Headers, plain records (any case), arrays, numbers and getter functions', () => {
    expect(headerValue(new Headers({ 'Retry-After': '3' }), 'retry-after')).toBe('3');
    expect(headerValue({ 'retry-after': '3' }, 'Retry-After')).toBe('3');
    expect(headerValue({ 'retry-after': ['4', '5'] }, 'retry-after')).toBe('4');
    expect(headerValue({ 'content-length': 12 }, 'content-length')).toBe('12');
    expect(headerValue((name: string) => (name === 'etag' ? '"x"' : undefined), 'etag')).toBe('"x"');
    expect(headerValue({}, 'etag')).toBeNull();
    expect(headerValue(undefined, 'etag')).toBeNull();
  });
});

describe('statusError', () => {
  const opts = { headers: { 'retry-after': '9' }, message: (m: string, wait: number) => `call: ${m} ${wait}` };

  it('maps the statuses every source means the same way', () => {
    expect(statusError(401, opts)).toBeInstanceOf(AdapterAuthError);
    expect(statusError(403, opts)).toBeInstanceOf(AdapterAuthError);
    const limited = statusError(429, opts);
    expect(limited).toBeInstanceOf(AdapterRateLimitedError);
    expect((limited as AdapterRateLimitedError).retryAfterMs).toBe(9000);
    expect(limited?.message).toBe('call: rate-limited 9000');
    for (const s of [408, 500, 502, 503, 504]) expect(statusError(s, opts)).toBeInstanceOf(AdapterUnavailableError);
  });

  it('leaves every other status to the caller', () => {
    for (const s of [200, 204, 304, 400, 404, 409, 410, 412, 422]) expect(statusError(s, opts)).toBeNull();
  });

  it('takes the source\'s own auth and cursor statuses, and its default wait', () => {
    expect(statusError(403, { ...opts, auth: [401] })).toBeNull();
    expect(statusError(410, { ...opts, cursorRejected: [410] })).toBeInstanceOf(CursorRejectedError);
    const bare = statusError(429, { headers: new Headers(), message: 'slow down', retryAfter: { defaultMs: 1234 } });
    expect(bare).toMatchObject({ message: 'slow down', retryAfterMs: 1234 });
  });
});

describe('readBody', () => {
  it('reads a Node stream and a web stream as UTF-8, multi-byte characters split across chunks', async () => {
    const bytes = Buffer.from('Zürich — Köln', 'utf8');
    expect(await readBody(Readable.from([bytes.subarray(0, 2), bytes.subarray(2)]), { what: 'x' })).toBe('Zürich — Köln');
    expect(await readBody(new Response('plain').body, { what: 'x' })).toBe('plain');
    expect(await readBody(null, { what: 'x' })).toBe('');
  });

  it('refuses a body past the limit while it streams, and one announced too large before reading', async () => {
    const chunks = Array.from({ length: 10 }, () => Buffer.alloc(100, 'a'));
    const err = await readBody(Readable.from(chunks), { what: 'feed at http://x', maxBytes: 550 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ResponseTooLargeError);
    expect(err).toBeInstanceOf(AdapterUnavailableError);
    expect((err as Error).message).toBe('feed at http://x: the answer is larger than 550 bytes; refused');
    await expect(readBody(Readable.from(['small']), { what: 'x', maxBytes: 10, contentLength: '11' })).rejects.toBeInstanceOf(ResponseTooLargeError);
    expect(await readBody(Readable.from(['0123456789']), { what: 'x', maxBytes: 10 })).toBe('0123456789');
  });

  it('turns a stream that breaks off into an outage, but rethrows the caller\'s abort', async () => {
    const broken = new Readable({ read() { this.destroy(new Error('socket hang up')); } });
    await expect(readBody(broken, { what: 'x' })).rejects.toThrow(new AdapterUnavailableError('x: the answer broke off (socket hang up)'));
    const controller = new AbortController();
    controller.abort(new Error('poll cancelled'));
    const aborted = new Readable({ read() { this.destroy(new Error('aborted')); } });
    await expect(readBody(aborted, { what: 'x', signal: controller.signal })).rejects.toThrow('poll cancelled');
  });
});

describe('limitResponse (a real server and fetch)', () => {
  let server: Server;
  let base: string;
  beforeAll(async () => {
    server = createServer((req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' }); // chunked: no Content-Length to refuse early
      for (let i = 0; i < 20; i++) res.write('x'.repeat(100));
      res.end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('passes a body within the limit and fails the reader of a larger one', async () => {
    expect((await limitResponse(await fetch(base), { what: 'x', maxBytes: 2000 }).text()).length).toBe(2000);
    const limited = limitResponse(await fetch(base), { what: 'GET /', maxBytes: 1000 });
    expect(limited.status).toBe(200);
    await expect(limited.text()).rejects.toBeInstanceOf(ResponseTooLargeError);
  });

  it('refuses a body whose Content-Length is over the limit at once', async () => {
    const res = new Response('0123456789', { headers: { 'content-length': '10' } });
    expect(() => limitResponse(res, { what: 'x', maxBytes: 5 })).toThrow(ResponseTooLargeError);
  });
});
