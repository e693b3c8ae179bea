import type { FastifyRequest } from 'fastify';

/**
 * Whether a GET may be answered 304 Not Modified (RFC 9110 §13.1, §13.2.2): `If-None-Match`
 * decides when present (weak comparison, `*` matches); otherwise `If-Modified-Since`, at the
 * one-second resolution of HTTP dates.
 */
export function notModified(req: FastifyRequest, etag: string, lastModified: number): boolean {
  const inm = req.headers['if-none-match'];
  if (inm !== undefined) {
    const tags = inm.split(',').map((t) => t.trim().replace(/^W\//, ''));
    return tags.includes('*') || tags.includes(etag.replace(/^W\//, ''));
  }
  const ims = req.headers['if-modified-since'];
  if (ims === undefined) return false;
  const since = Date.parse(ims);
  return Number.isFinite(since) && Math.floor(lastModified / 1000) * 1000 <= since;
}
