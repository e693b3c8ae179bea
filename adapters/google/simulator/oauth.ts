import { generateKeyPairSync, randomBytes, verify, type KeyObject } from 'node:crypto';

/**
 * The simulator's OAuth 2.0 token endpoint and access-token check
 * (https://developers.google.com/identity/protocols/oauth2). Two grants, as Google's token endpoint
 * takes them: `refresh_token` (installed/web apps holding a user's refresh token) and
 * `urn:ietf:params:oauth:grant-type:jwt-bearer` (service accounts signing an RS256 assertion).
 * Errors follow RFC 6749 §5.2: `400 {"error": "invalid_grant"}` for an unknown or revoked refresh
 * token or a bad assertion, `401 {"error": "invalid_client"}` for unknown client credentials.
 */

/** Google's token endpoint: service-account assertions carry it as their audience. */
const GOOGLE_TOKEN_URL = 'https://oauth2.googleapis.com/token';
const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

export interface TokenAnswer {
  status: number;
  body: Record<string, unknown>;
}

interface Account { key: KeyObject; disabled: boolean }

const token = (prefix: string) => `${prefix}${randomBytes(18).toString('base64url')}`;

export class SimAuth {
  private readonly clients = new Map<string, string>();
  private readonly refreshTokens = new Map<string, { clientId: string; revoked: boolean }>();
  private readonly accounts = new Map<string, Account>();
  private readonly accessTokens = new Map<string, number>();

  constructor(
    private readonly now: () => number,
    private readonly ttlSeconds: number,
    private readonly tokenUrl: () => string,
  ) {}

  /** Registers an OAuth client (ids generated unless given) and a refresh token for it. */
  createOAuthClient(opts: { clientId?: string; clientSecret?: string; refreshToken?: string } = {}) {
    const clientId = opts.clientId ?? `${randomBytes(6).toString('hex')}.apps.sim.googleusercontent.com`;
    const clientSecret = opts.clientSecret ?? token('GOCSPX-');
    const known = this.clients.get(clientId);
    if (known !== undefined && known !== clientSecret) throw new Error(`client ${clientId} exists with another secret`);
    this.clients.set(clientId, clientSecret);
    const refreshToken = opts.refreshToken ?? token('1//sim-');
    this.refreshTokens.set(refreshToken, { clientId, revoked: false });
    return { clientId, clientSecret, refreshToken, tokenUrl: this.tokenUrl() };
  }

  /** Revokes a refresh token: the next refresh answers `invalid_grant`. False when unknown. */
  revokeRefreshToken(refreshToken: string): boolean {
    const entry = this.refreshTokens.get(refreshToken);
    if (!entry) return false;
    entry.revoked = true;
    return true;
  }

  /** A service account with a fresh RSA key; returns the key file Google would let you download. */
  createServiceAccount(email = `hub-${randomBytes(4).toString('hex')}@avhub-sim.iam.gserviceaccount.com`) {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    this.accounts.set(email, { key: publicKey, disabled: false });
    return {
      type: 'service_account' as const,
      project_id: 'avhub-sim',
      private_key_id: randomBytes(20).toString('hex'),
      private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      client_email: email,
      client_id: String(BigInt(`0x${randomBytes(8).toString('hex')}`)),
      auth_uri: 'https://accounts.google.com/o/oauth2/auth',
      token_uri: this.tokenUrl(),
    };
  }

  /** A disabled (or deleted) service account: its assertions answer `invalid_grant`. */
  disableServiceAccount(email: string): boolean {
    const account = this.accounts.get(email);
    if (!account) return false;
    account.disabled = true;
    return true;
  }

  /** Every access token issued so far stops working (answers 401), as if it had expired. */
  expireAccessTokens(): void {
    this.accessTokens.clear();
  }

  /** True when an `Authorization` header carries a live access token. */
  checkBearer(header: string | undefined): boolean {
    const m = /^Bearer\s+(\S+)$/i.exec(header ?? '');
    const expires = m ? this.accessTokens.get(m[1]!) : undefined;
    return expires !== undefined && expires > this.now();
  }

  /** POST /token with a form (or JSON) body; `basic` is an HTTP Basic client credential, if sent. */
  handleToken(params: URLSearchParams, basic: { id: string; secret: string } | null): TokenAnswer {
    const grant = params.get('grant_type');
    if (grant === 'refresh_token') return this.refreshGrant(params, basic);
    if (grant === JWT_BEARER) return this.jwtGrant(params.get('assertion') ?? '');
    return { status: 400, body: { error: 'unsupported_grant_type', error_description: 'Invalid grant_type.' } };
  }

  private issue(scope: string): TokenAnswer {
    const accessToken = token('ya29.sim-');
    this.accessTokens.set(accessToken, this.now() + this.ttlSeconds * 1000);
    return { status: 200, body: { access_token: accessToken, expires_in: this.ttlSeconds, scope, token_type: 'Bearer' } };
  }

  private refreshGrant(params: URLSearchParams, basic: { id: string; secret: string } | null): TokenAnswer {
    const clientId = basic?.id ?? params.get('client_id') ?? '';
    const secret = basic?.secret ?? params.get('client_secret') ?? '';
    if (this.clients.get(clientId) !== secret) {
      return { status: 401, body: { error: 'invalid_client', error_description: 'The OAuth client was not found.' } };
    }
    const entry = this.refreshTokens.get(params.get('refresh_token') ?? '');
    if (!entry || entry.revoked || entry.clientId !== clientId) {
      return { status: 400, body: { error: 'invalid_grant', error_description: 'Token has been expired or revoked.' } };
    }
    return this.issue('https://www.googleapis.com/auth/calendar');
  }

  private jwtGrant(assertion: string): TokenAnswer {
    const invalid = (why: string): TokenAnswer => ({ status: 400, body: { error: 'invalid_grant', error_description: why } });
    const [h, p, s] = assertion.split('.');
    if (!h || !p || !s) return invalid('Invalid JWT.');
    let header: Record<string, unknown>;
    let claims: Record<string, unknown>;
    try {
      header = JSON.parse(Buffer.from(h, 'base64url').toString('utf8')) as Record<string, unknown>;
      claims = JSON.parse(Buffer.from(p, 'base64url').toString('utf8')) as Record<string, unknown>;
    } catch {
      return invalid('Invalid JWT.');
    }
    const account = typeof claims.iss === 'string' ? this.accounts.get(claims.iss) : undefined;
    if (header.alg !== 'RS256' || !account) return invalid('Invalid grant: account not found');
    if (!verify('RSA-SHA256', Buffer.from(`${h}.${p}`), account.key, Buffer.from(s, 'base64url'))) {
      return invalid('Invalid JWT Signature.');
    }
    if (account.disabled) return invalid('Invalid grant: account disabled');
    const nowS = Math.floor(this.now() / 1000);
    if (typeof claims.exp !== 'number' || typeof claims.iat !== 'number' || claims.exp < nowS - 60 || claims.iat > nowS + 300 || claims.exp - claims.iat > 3600) {
      return invalid('Invalid JWT: token must be short-lived (at most 60 minutes) with sensible iat and exp.');
    }
    if (claims.aud !== GOOGLE_TOKEN_URL && claims.aud !== this.tokenUrl()) return invalid('Invalid JWT: audience.');
    if (typeof claims.scope !== 'string' || claims.scope.trim() === '') {
      return { status: 400, body: { error: 'invalid_scope', error_description: 'A scope is required.' } };
    }
    return this.issue(claims.scope);
  }
}
