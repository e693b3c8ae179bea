/**
 * Whether an error means the store cannot be reached (Redis stopped, unreachable, or the client
 * gave up on a command), as opposed to a bug: the API answers 503 `store-unavailable` for these.
 */
export function isStoreUnavailable(err: Error): boolean {
  return err.name === 'MaxRetriesPerRequestError'
    || /enableOfflineQueue|Connection is closed|ECONNREFUSED|ECONNRESET|EPIPE/i.test(err.message);
}
