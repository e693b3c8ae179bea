import { JWT, OAuth2Client } from 'google-auth-library';
import { limitResponse } from '../../src/core/adapter/http.js';
import { isOAuth, loadServiceAccountKey, type GoogleCredentials } from './settings.js';

/**
 * Builds the google-auth-library client for a credential. Two things differ from the library's
 * defaults, both on purpose:
 * - No retries of its own: gaxios would retry token requests (and API requests on this transport)
 *   up to 3 times on 5xx/429/network errors. The hub's poll backoff and the shared quota bucket
 *   are the only retry policy, so every retry is visible and counted.
 * - Every answer (API and token endpoint) is read with a byte limit, through a `fetch` that fails
 *   past it, instead of being buffered whole.
 * - Service-account keys whose `token_uri` is not Google's (the simulator's) get their assertion
 *   sent there: gtoken always posts to Google's endpoint, so the request URL is rewritten.
 */

/** Read and write events; nothing else of the calendar. */
const CALENDAR_SCOPE = 'https://www.googleapis.com/auth/calendar.events';
const GOOGLE_TOKEN_URL = 'https://oauth2.googleapis.com/token';

export interface GoogleAuth {
  client: OAuth2Client;
  /** Drops the cached access token so the next request fetches a new one (after a 401). */
  forceRefresh(): void;
}

/**
 * @throws Error when a service-account key cannot be loaded (the message never holds key material).
 */
export function createGoogleAuth(credentials: GoogleCredentials, opts: { timeoutMs: number; maxBodyBytes?: number | undefined }): GoogleAuth {
  const limitedFetch: typeof fetch = async (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    return limitResponse(await fetch(input, init), { what: `google: ${url.pathname}`, ...(opts.maxBodyBytes !== undefined && { maxBytes: opts.maxBodyBytes }) });
  };
  const transporterOptions = { timeout: opts.timeoutMs, fetchImplementation: limitedFetch };
  let client: OAuth2Client;
  let tokenUri: string | undefined;
  let reset: () => void;
  if (isOAuth(credentials)) {
    client = new OAuth2Client({
      clientId: credentials.clientId,
      clientSecret: credentials.clientSecret,
      ...(credentials.tokenUrl ? { endpoints: { oauth2TokenUrl: credentials.tokenUrl } } : {}),
      transporterOptions,
    });
    const refresh = { refresh_token: credentials.refreshToken };
    client.setCredentials(refresh);
    reset = () => client.setCredentials({ ...refresh });
  } else {
    const key = loadServiceAccountKey(credentials);
    tokenUri = key.token_uri && key.token_uri !== GOOGLE_TOKEN_URL ? key.token_uri : undefined;
    client = new JWT({
      email: key.client_email,
      key: key.private_key,
      ...(key.private_key_id ? { keyId: key.private_key_id } : {}),
      scopes: [CALENDAR_SCOPE],
      ...(credentials.subject ? { subject: credentials.subject } : {}),
      transporterOptions,
    });
    // An expired placeholder makes the JWT client sign a fresh assertion on the next request.
    reset = () => client.setCredentials({ refresh_token: 'jwt-placeholder', expiry_date: 1 });
  }
  client.transporter.interceptors.request.add({
    resolved: async (config) => {
      config.retry = false;
      delete config.retryConfig;
      if (tokenUri && String(config.url) === GOOGLE_TOKEN_URL) config.url = new URL(tokenUri);
      return config;
    },
  });
  return { client, forceRefresh: reset };
}
