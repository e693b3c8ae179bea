import { createHash } from 'node:crypto';
import { z } from 'zod';

/**
 * The `adapter:` block of a site on `kind: mews` (README.md has an example). Tokens are secrets:
 * pass them as `${ENV}` references; they are never logged and never part of an error message.
 */
export const mewsSettings = z.strictObject({
  /** Platform address, e.g. https://api.mews.com (demo: https://api.mews-demo.com). */
  baseUrl: z.url({ protocol: /^https?$/, error: 'the Mews platform address, like https://api.mews.com' }),
  clientToken: z.string().min(1, { error: 'the ClientToken of this integration (a secret: use ${ENV})' }),
  accessToken: z.string().min(1, { error: 'the AccessToken of the property (a secret: use ${ENV})' }),
  /** `Client` in every request body: name and version of the integration. */
  client: z.string().min(1).default('AvailabilityHub 0.1'),
  /** The bookable service (accommodation) whose room types the site's resources map to. */
  serviceId: z.string().min(1, { error: 'the Id of the bookable service (services/getAll)' }),
  /** Needed only with a Portfolio Access Token (several enterprises behind one token). */
  enterpriseId: z.string().min(1).optional(),
  /** Write-back: the rate, the customer profile owning hub reservations, the age category of guests. */
  rateId: z.string().min(1).optional(),
  customerId: z.string().min(1).optional(),
  ageCategoryId: z.string().min(1).optional(),
  /** Reservations per page of reservations/getAll (Limitation.Count, 1 to 1000). */
  pageSize: z.int().min(1).max(1000).default(1000),
});

export type MewsSettings = z.output<typeof mewsSettings>;

/** Each resource's `source:`: the Mews resource category (room type) it stands for. */
export const mewsSource = z.strictObject({
  resourceCategoryId: z.string().min(1, { error: 'the Id of a Mews resource category (room type)' }),
});

/** Identifies the credential for the shared quota bucket without revealing the token. */
export function mewsCredentialId(s: Pick<MewsSettings, 'baseUrl' | 'accessToken'>): string {
  return createHash('sha256').update(s.baseUrl + s.accessToken, 'utf8').digest('hex').slice(0, 16);
}
