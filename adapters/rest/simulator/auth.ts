import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/**
 * How the simulated PMS checks credentials: the three ways home-grown APIs do it that the
 * adapter supports (README, "Credentials"). The secret is the simulator's `token` option.
 */
export type SimAuthOptions =
  | { kind: 'bearer' }
  /** An API key as a query parameter (`?api_key=…`). */
  | { kind: 'query'; param: string }
  /**
   * OAuth2 client credentials (RFC 6749 §4.4) at `POST /oauth/token`: the client id here, the
   * client secret is `token`; access tokens live `tokenTtlSeconds` (default 3600).
   */
  | { kind: 'oauth2'; clientId: string; tokenTtlSeconds?: number };

export class HttpError extends Error {
  constructor(readonly status: number, message: string) { super(message); }
}

export function startAuth(opts: SimAuthOptions, secret: string) {
  let current = secret;
  const tokens = new Map<string, number>();
  let issued = 0;
  return {
    /** RFC 6749 §4.4.2/§5.1: a token for valid client credentials; §5.2 errors otherwise. */
    tokenEndpoint(req: IncomingMessage, url: URL, text: string): { status: number; json: unknown } | null {
      if (opts.kind !== 'oauth2' || url.pathname !== '/oauth/token') return null;
      if (req.method !== 'POST') return { status: 405, json: { error: 'invalid_request' } };
      if (!String(req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) {
        return { status: 400, json: { error: 'invalid_request', error_description: 'form-encoded body required' } };
      }
      const form = new URLSearchParams(text);
      if (form.get('grant_type') !== 'client_credentials') return { status: 400, json: { error: 'unsupported_grant_type' } };
      // §2.3.1: HTTP Basic with form-urlencoded id and secret, or both in the body.
      let id = form.get('client_id');
      let given = form.get('client_secret');
      const basic = /^Basic (.+)$/i.exec(req.headers.authorization ?? '');
      if (basic) {
        const [u, p] = Buffer.from(basic[1]!, 'base64').toString('utf8').split(':');
        id = decodeURIComponent((u ?? '').replace(/\+/g, ' '));
        given = decodeURIComponent((p ?? '').replace(/\+/g, ' '));
      }
      if (id !== opts.clientId || given !== current) return { status: 401, json: { error: 'invalid_client' } };
      const token = randomBytes(16).toString('hex');
      const ttl = opts.tokenTtlSeconds ?? 3600;
      tokens.set(token, Date.now() + ttl * 1000);
      issued += 1;
      return { status: 200, json: { access_token: token, token_type: 'Bearer', expires_in: ttl } };
    },
    accepts(req: IncomingMessage, url: URL): boolean {
      if (opts.kind === 'query') return url.searchParams.get(opts.param) === current;
      const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
      if (opts.kind === 'bearer') return bearer === current;
      const expires = bearer === undefined ? undefined : tokens.get(bearer);
      return expires !== undefined && expires > Date.now();
    },
    setSecret(next: string) {
      current = next;
      tokens.clear();
    },
    revoke() { tokens.clear(); },
    issued: () => issued,
  };
}
