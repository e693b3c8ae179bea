/** A delivery that failed; the message names no URL or secret, since BullMQ stores it in Redis. */
export class DeliveryError extends Error {
  override readonly name = 'DeliveryError';
}

export type FetchLike = typeof fetch;

/** POSTs JSON; 2xx is delivered, anything else throws a DeliveryError (the job is retried). */
export async function postJson(
  fetcher: FetchLike, url: string, body: string, headers: Record<string, string>, timeoutMs: number,
): Promise<void> {
  let response: Response;
  try {
    response = await fetcher(url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'User-Agent': 'avhub-alerts', ...headers },
      body,
      signal: AbortSignal.timeout(timeoutMs),
      redirect: 'error',
    });
  } catch (err) {
    throw new DeliveryError(`request failed: ${reason(err, timeoutMs)}`);
  }
  // Read the body so the connection is released; a short excerpt helps (Slack says why: "invalid_payload").
  const text = await response.text().catch(() => '');
  if (response.status < 200 || response.status > 299) {
    throw new DeliveryError(`answered HTTP ${response.status}${text ? `: ${text.slice(0, 120).replace(/\s+/g, ' ')}` : ''}`);
  }
}

function reason(err: unknown, timeoutMs: number): string {
  const e = err as { name?: string; cause?: { code?: string; name?: string } };
  if (e.name === 'TimeoutError' || e.name === 'AbortError') return `no answer within ${timeoutMs / 1000}s`;
  return e.cause?.code ?? e.cause?.name ?? e.name ?? 'unknown error';
}
