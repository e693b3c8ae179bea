/**
 * Google-style JSON errors (https://developers.google.com/calendar/api/guides/errors):
 * `{ error: { code, message, errors: [{ domain, reason, message, locationType?, location? }], status } }`.
 */

/** The google.rpc status names Google puts beside the HTTP code (best effort per code). */
const STATUS: Record<number, string> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  409: 'ALREADY_EXISTS',
  410: 'FAILED_PRECONDITION',
  429: 'RESOURCE_EXHAUSTED',
  500: 'INTERNAL',
  503: 'UNAVAILABLE',
};

/** Google's messages for the reasons the simulator produces. */
const MESSAGES: Record<string, string> = {
  rateLimitExceeded: 'Rate Limit Exceeded',
  userRateLimitExceeded: 'User Rate Limit Exceeded',
  quotaExceeded: 'Calendar usage limits exceeded.',
  dailyLimitExceeded: 'Daily Limit Exceeded',
  backendError: 'Backend Error',
  authError: 'Invalid Credentials',
  notFound: 'Not Found',
  deleted: 'Resource has been deleted',
  duplicate: 'The requested identifier already exists.',
  fullSyncRequired: 'Sync token is no longer valid, a full sync is required.',
};

/** An error the simulator answers with; thrown by the store and turned into a response body. */
export class SimError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string = MESSAGES[reason] ?? reason,
    readonly domain: string = 'global',
    readonly location?: { type: 'parameter' | 'header'; name: string },
  ) {
    super(message);
  }

  body(): object {
    return {
      error: {
        code: this.code,
        message: this.message,
        errors: [{
          domain: this.domain,
          reason: this.reason,
          message: this.message,
          ...(this.location ? { locationType: this.location.type, location: this.location.name } : {}),
        }],
        status: STATUS[this.code] ?? 'UNKNOWN',
      },
    };
  }
}

export const badRequest = (message: string, parameter?: string, reason = 'invalid'): SimError =>
  new SimError(400, reason, message, 'global', parameter ? { type: 'parameter', name: parameter } : undefined);

export const notFound = (): SimError => new SimError(404, 'notFound');

/** The error `failNext` injects for a status and (optional) reason. */
export function injectedError(status: number, reason?: string): SimError {
  const why = reason ?? (status === 401 ? 'authError' : status >= 500 ? 'backendError' : 'rateLimitExceeded');
  const domain = ['rateLimitExceeded', 'userRateLimitExceeded', 'quotaExceeded', 'dailyLimitExceeded'].includes(why)
    ? 'usageLimits'
    : 'global';
  return new SimError(status, why, MESSAGES[why] ?? why, domain);
}
