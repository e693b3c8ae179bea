import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { z } from 'zod';

/**
 * The `adapter:` block of a site on Google Calendar, and each resource's `source:` mapping.
 * Secrets (client secret, refresh token, service-account key) come from the environment through
 * `${NAME}` references; nothing here logs or echoes them, and the credential id is a hash.
 */

/** Google's production endpoint; `baseUrl` points the client elsewhere (the simulator). */
export const DEFAULT_BASE_URL = 'https://www.googleapis.com/';

/** A user's OAuth 2.0 refresh token (installed or web application flow). */
export interface OAuthCredentials {
  clientId: string;
  clientSecret: string;
  refreshToken: string;
  /** The token endpoint; Google's (`https://oauth2.googleapis.com/token`) by default. */
  tokenUrl?: string;
}

/** A service-account key file on disk; `subject` impersonates a Workspace user (domain-wide delegation). */
export interface ServiceAccountFileCredentials {
  serviceAccountFile: string;
  subject?: string;
}

/** A service-account key's JSON text (from an environment variable). */
export interface ServiceAccountJsonCredentials {
  serviceAccountJson: string;
  subject?: string;
}

export type GoogleCredentials = OAuthCredentials | ServiceAccountFileCredentials | ServiceAccountJsonCredentials;

export interface GoogleSettings {
  /** A Google-compatible endpoint (the client's `rootUrl`); default `https://www.googleapis.com/`. */
  baseUrl?: string;
  credentials: GoogleCredentials;
}

/** The fields of a service-account key file the adapter reads. */
export interface ServiceAccountKey {
  client_email: string;
  private_key: string;
  private_key_id?: string;
  /** Where to exchange the signed assertion; Google's token endpoint unless the key says otherwise. */
  token_uri?: string;
}

export const isOAuth = (c: GoogleCredentials): c is OAuthCredentials => 'refreshToken' in c;

/** Parses a key file's text; null when it is not a service-account key (never echoes the text). */
function parseServiceAccountKey(text: string): ServiceAccountKey | null {
  try {
    const v = JSON.parse(text) as Record<string, unknown>;
    if (typeof v.client_email !== 'string' || typeof v.private_key !== 'string') return null;
    return {
      client_email: v.client_email,
      private_key: v.private_key,
      ...(typeof v.private_key_id === 'string' ? { private_key_id: v.private_key_id } : {}),
      ...(typeof v.token_uri === 'string' ? { token_uri: v.token_uri } : {}),
    };
  } catch {
    return null;
  }
}

/**
 * The service-account key of file or JSON credentials.
 * @throws Error naming the problem (unreadable file, not a key), never the key's content.
 */
export function loadServiceAccountKey(c: ServiceAccountFileCredentials | ServiceAccountJsonCredentials): ServiceAccountKey {
  let text: string;
  if ('serviceAccountFile' in c) {
    try {
      text = readFileSync(c.serviceAccountFile, 'utf8');
    } catch (err) {
      throw new Error(`cannot read the service-account key file (${(err as NodeJS.ErrnoException).code ?? 'error'})`, { cause: err });
    }
  } else {
    text = c.serviceAccountJson;
  }
  const key = parseServiceAccountKey(text);
  if (!key) throw new Error('not a service-account key: expected JSON with client_email and private_key');
  return key;
}

const OAUTH_KEYS = ['clientId', 'clientSecret', 'refreshToken'] as const;
const nonEmpty = () => z.string().min(1);

const credentialsSchema = z
  .strictObject({
    clientId: nonEmpty().optional(),
    clientSecret: nonEmpty().optional(),
    refreshToken: nonEmpty().optional(),
    tokenUrl: z.url().optional(),
    serviceAccountFile: nonEmpty().optional(),
    serviceAccountJson: nonEmpty().optional(),
    subject: nonEmpty().optional(),
  })
  .superRefine((c, ctx) => {
    const oauth = OAUTH_KEYS.some((k) => c[k] !== undefined) || c.tokenUrl !== undefined;
    const kinds = [oauth, c.serviceAccountFile !== undefined, c.serviceAccountJson !== undefined].filter(Boolean).length;
    const choices = 'clientId + clientSecret + refreshToken (OAuth), or serviceAccountFile, or serviceAccountJson';
    if (kinds === 0) {
      ctx.addIssue({ code: 'custom', path: [], message: `credentials need ${choices}` });
      return;
    }
    if (kinds > 1) {
      ctx.addIssue({ code: 'custom', path: [], message: `credentials take one of ${choices}, not several` });
      return;
    }
    if (oauth) {
      for (const k of OAUTH_KEYS) {
        if (c[k] === undefined) ctx.addIssue({ code: 'custom', path: [k], message: `${k} is required for OAuth credentials` });
      }
      if (c.subject !== undefined) ctx.addIssue({ code: 'custom', path: ['subject'], message: 'subject (impersonation) applies to service accounts only' });
      return;
    }
    const field = c.serviceAccountFile !== undefined ? 'serviceAccountFile' : 'serviceAccountJson';
    try {
      loadServiceAccountKey(field === 'serviceAccountFile' ? { serviceAccountFile: c.serviceAccountFile! } : { serviceAccountJson: c.serviceAccountJson! });
    } catch (err) {
      ctx.addIssue({ code: 'custom', path: [field], message: (err as Error).message });
    }
  })
  .transform((c) => c as GoogleCredentials);

export const googleSettingsSchema = z.strictObject({
  baseUrl: z.url().optional(),
  credentials: credentialsSchema,
});

/** Where the adapter finds a resource: the Google calendar id (`primary`, `…@group.calendar.google.com`). */
export const googleSourceSchema = z.strictObject({
  calendarId: z.string({ error: 'calendarId is required: the Google calendar id (primary, or …@group.calendar.google.com)' }).min(1),
});

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

/**
 * A stable, non-secret id for the shared quota bucket. Google's per-user quota follows the user:
 * the refresh token's user for OAuth, the impersonated subject (or the account) for service accounts.
 */
export function googleCredentialId(settings: GoogleSettings): string {
  const c = settings.credentials;
  const endpoint = settings.baseUrl ?? DEFAULT_BASE_URL;
  if (isOAuth(c)) return `google:${sha256(`oauth\n${endpoint}\n${c.clientId}\n${c.refreshToken}`).slice(0, 32)}`;
  let principal: string;
  try {
    principal = loadServiceAccountKey(c).client_email;
  } catch {
    principal = 'serviceAccountFile' in c ? `file:${c.serviceAccountFile}` : 'invalid-key';
  }
  return `google:${sha256(`sa\n${endpoint}\n${principal}\n${c.subject ?? ''}`).slice(0, 32)}`;
}
