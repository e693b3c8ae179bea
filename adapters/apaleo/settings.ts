import { z } from 'zod';

/** apaleo's production hosts (https://apaleo.dev/guides/oauth-connection/simple-client). */
export const DEFAULT_BASE_URL = 'https://api.apaleo.com';
export const DEFAULT_TOKEN_URL = 'https://identity.apaleo.com/connect/token';
/** The Webhook API's host (https://apaleo.dev/guides/webhook/configuration). */
export const DEFAULT_WEBHOOK_URL = 'https://webhook.apaleo.com';

/**
 * The `adapter:` block of an apaleo site (without `kind`). `clientSecret` is a secret: the config
 * loader resolves it from the environment (`${APALEO_CLIENT_SECRET}`) and nothing here logs it.
 */
export const apaleoSettings = z.strictObject({
  baseUrl: z.url({ protocol: /^https?$/, error: 'the apaleo API base URL (default https://api.apaleo.com)' }).optional(),
  tokenUrl: z.url({ protocol: /^https?$/, error: 'the OAuth2 token endpoint (default https://identity.apaleo.com/connect/token)' }).optional(),
  /** The Webhook API, where push subscriptions are made (issue 17). */
  webhookUrl: z.url({ protocol: /^https?$/, error: 'the apaleo Webhook API base URL (default https://webhook.apaleo.com)' }).optional(),
  clientId: z.string({ error: 'the client id of an apaleo simple client (client credentials)' }).min(1, { error: 'the client id of an apaleo simple client (client credentials)' }),
  clientSecret: z.string({ error: 'the client secret (a secret: use ${ENV} substitution)' }).min(1, { error: 'the client secret (a secret: use ${ENV} substitution)' }),
  propertyId: z.string({ error: 'the apaleo property id, like MUC' }).min(1, { error: 'the apaleo property id, like MUC' }),
  /** Channel of reservations the hub creates; apaleo requires one per reservation. Default `Direct`. */
  channelCode: z.string().min(1).optional(),
  /**
   * `guaranteeType` of reservations the hub creates, for rate plans whose `minGuaranteeType`
   * demands one (apaleo's booking examples send `Prepayment` or `CreditCard`); not sent when unset.
   */
  guaranteeType: z.string().min(1).optional(),
  /**
   * Rate plan used to create reservations. In apaleo a rate plan sells exactly one unit group, so
   * this site-wide value only fits a site with one unit group; set `ratePlanId` per resource
   * (`source:`) otherwise. Also where the stop-sell (`closed`) restriction is read from.
   */
  ratePlanId: z.string().min(1).optional(),
});

export type ApaleoSettings = z.infer<typeof apaleoSettings>;

/**
 * Each resource's `source:` at an apaleo site: its unit group (room type), and optionally the rate
 * plan the hub books it with (overrides the site's `ratePlanId`).
 */
export const apaleoSource = z.strictObject({
  unitGroupId: z.string({ error: 'the apaleo unit group id, like MUC-DBL' }).trim().min(1, { error: 'the apaleo unit group id, like MUC-DBL' }),
  ratePlanId: z.string({ error: 'the apaleo rate plan id the hub books this unit group with, like MUC-FLEX-DBL' }).trim().min(1).optional(),
});
