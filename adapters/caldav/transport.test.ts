import { describe, expect, it } from 'vitest';
import {
  AdapterAuthError, AdapterRateLimitedError, AdapterUnavailableError,
} from '../../src/core/adapter/errors.js';
import { classifyError, createTransport, DEFAULT_RETRY_AFTER_MS, type Fetch } from './transport.js';

function transportWith(answer: (url: string, init: RequestInit) => Promise<Response>, over: { signal?: AbortSignal; timeoutMs?: number } = {}) {
  const calls: Array<{ url: string; init: RequestInit }> = [];
  let throttled = 0;
  const fetch = (async (input: string | URL | Request, init: RequestInit = {}) => {
    calls.push({ url: String(input), init });
    return answer(String(input), init);
  }) as Fetch;
  const transport = createTransport({
    fetch, username: 'north', password: 'p4ss word', throttle: async () => { throttled += 1; },
    signal: over.signal ?? new AbortController().signal, timeoutMs: over.timeoutMs ?? 1000,
  });
  return { transport, calls, throttled: () => throttled };
}

const status = (code: number, headers: Record<string, string> = {}) => async () =>
  new Response(code === 204 ? null : code === 207 ? '<d:multistatus xmlns:d="DAV:"/>' : 'x', { status: code, headers });

describe('CalDAV transport', () => {
  // Issue 14 (1): tsdav's XML parser stalled for minutes on 5 MB of random bytes.
  it('refuses a multistatus that is not XML, or that declares entities, before any parser sees it', async () => {
    const answer = (body: string) => async () => new Response(body, { status: 207, headers: { 'Content-Type': 'application/xml' } });
    const garbage = await transportWith(answer('\u0007\u0001random bytes')).transport('http://dav.test/', { method: 'PROPFIND' }).catch((e: unknown) => e);
    expect(garbage).toBeInstanceOf(AdapterUnavailableError);
    expect((garbage as Error).message).toMatch(/not XML; refused unparsed/);
    const bomb = '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]><d:multistatus xmlns:d="DAV:">&b;</d:multistatus>';
    const entities = await transportWith(answer(bomb)).transport('http://dav.test/', { method: 'PROPFIND' }).catch((e: unknown) => e);
    expect((entities as Error).message).toMatch(/document type declaration/);
    const ok = await transportWith(answer('\uFEFF <d:multistatus xmlns:d="DAV:"/>')).transport('http://dav.test/', { method: 'PROPFIND' });
    expect(await ok.text()).toContain('multistatus');
  });

  it('waits for the quota and adds Basic auth to every request', async () => {
    const t = transportWith(status(207));
    await t.transport('http://dav.test/north/', { method: 'PROPFIND', headers: { Depth: '0' } });
    await t.transport('http://dav.test/north/x.ics', { method: 'GET' });
    expect(t.throttled()).toBe(2);
    const headers = new Headers(t.calls[0]!.init.headers);
    expect(headers.get('authorization')).toBe(`Basic ${Buffer.from('north:p4ss word').toString('base64')}`);
    expect(headers.get('depth')).toBe('0');
  });

  it('maps 401 to AdapterAuthError without the password in the message', async () => {
    const err = await transportWith(status(401)).transport('http://dav.test/', { method: 'PROPFIND' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AdapterAuthError);
    expect((err as Error).message).toContain('"north"');
    expect((err as Error).message).not.toContain('p4ss');
  });

  it('maps 429 and 503 with Retry-After to AdapterRateLimitedError with the wait', async () => {
    const limited = await transportWith(status(429, { 'Retry-After': '7' })).transport('http://dav.test/').catch((e: unknown) => e);
    expect(limited).toBeInstanceOf(AdapterRateLimitedError);
    expect((limited as AdapterRateLimitedError).retryAfterMs).toBe(7000);
    const bare = await transportWith(status(429)).transport('http://dav.test/').catch((e: unknown) => e);
    expect((bare as AdapterRateLimitedError).retryAfterMs).toBe(DEFAULT_RETRY_AFTER_MS);
    const busy = await transportWith(status(503, { 'Retry-After': '120' })).transport('http://dav.test/').catch((e: unknown) => e);
    expect((busy as AdapterRateLimitedError).retryAfterMs).toBe(120_000);
  });

  it('maps 5xx, refused connections and timeouts to AdapterUnavailableError; passes 501, 403, 412 through', async () => {
    await expect(transportWith(status(503)).transport('http://dav.test/')).rejects.toBeInstanceOf(AdapterUnavailableError);
    await expect(transportWith(status(500)).transport('http://dav.test/')).rejects.toBeInstanceOf(AdapterUnavailableError);
    await expect(transportWith(async () => { throw new TypeError('fetch failed', { cause: new Error('connect ECONNREFUSED') }); })
      .transport('http://dav.test/')).rejects.toThrow(/ECONNREFUSED/);
    const hang = (_url: string, init: RequestInit) => new Promise<Response>((_, reject) => {
      init.signal?.addEventListener('abort', () => reject(init.signal?.reason as Error));
    });
    await expect(transportWith(hang, { timeoutMs: 30 }).transport('http://dav.test/')).rejects.toThrow(/no answer within 30 ms/);
    for (const code of [501, 403, 412, 404]) {
      expect((await transportWith(status(code)).transport('http://dav.test/')).status).toBe(code);
    }
  });

  it('rethrows the caller\'s own abort as it is', async () => {
    const controller = new AbortController();
    controller.abort(new Error('poll cancelled'));
    await expect(transportWith(status(200), { signal: controller.signal }).transport('http://dav.test/')).rejects.toThrow('poll cancelled');
    expect(classifyError(new DOMException('x', 'AbortError'), controller.signal)).toBeInstanceOf(DOMException);
    expect(classifyError(new DOMException('x', 'TimeoutError'), new AbortController().signal)).toBeInstanceOf(AdapterUnavailableError);
  });
});
