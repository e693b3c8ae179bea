/**
 * An expected refusal with a stable machine-readable `type` (RFC 9457 problem type) and the HTTP
 * status it maps to. Unexpected failures are plain Errors and become 500s.
 */
export class HubError extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    readonly title: string,
    message: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'HubError';
  }
}

export const notFound = (what: string, id: string) =>
  new HubError(404, 'not-found', 'Not found', `${what} "${id}" does not exist`, { [what]: id });

export const invalid = (field: string, message: string) =>
  new HubError(400, 'invalid-request', 'Invalid request', `${field}: ${message}`, { field });
