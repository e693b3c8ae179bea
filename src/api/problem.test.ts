import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { HubError } from '../core/errors.js';
import { installProblemHandler } from './problem.js';

/** The problem handler in-process: what a 429/503 says about waiting. */
async function answer(err: Error) {
  const app = Fastify();
  installProblemHandler(app);
  app.get('/x', () => { throw err; });
  const res = await app.inject({ method: 'GET', url: '/x' });
  await app.close();
  return { status: res.statusCode, retryAfter: res.headers['retry-after'], body: res.json<Record<string, unknown>>() };
}

describe('Retry-After on problems', () => {
  it('uses the wait the problem carries, rounded up to whole seconds, in header and body alike', async () => {
    const r = await answer(new HubError(503, 'site-limited', 'Limited', 'later', { site: 'a', retryAfter: 41.2 }));
    expect(r).toMatchObject({ status: 503, retryAfter: '42', body: { type: 'site-limited', site: 'a', retryAfter: 42 } });
  });

  it('suggests 5 s when the problem knows no wait, and says so in the body too', async () => {
    const r = await answer(new HubError(503, 'not-replicated', 'Not replicated', 'retry'));
    expect(r).toMatchObject({ status: 503, retryAfter: '5', body: { retryAfter: 5 } });
    const bad = await answer(new HubError(429, 'too-many-holds', 'Too many', 'later', { retryAfter: -3 }));
    expect(bad).toMatchObject({ status: 429, retryAfter: '5', body: { retryAfter: 5 } });
  });

  it('puts no Retry-After on other statuses', async () => {
    const r = await answer(new HubError(409, 'unavailable', 'Not available', 'full'));
    expect(r.retryAfter).toBeUndefined();
    expect(r.body).not.toHaveProperty('retryAfter');
  });
});
