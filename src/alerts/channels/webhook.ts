import type { WebhookChannelConfig } from '../../config/types.js';
import type { AlertPayload } from '../delivery.js';
import { PREVIOUS_SIGNATURE_HEADER, sign, SIGNATURE_HEADER, TIMESTAMP_HEADER } from '../signature.js';
import { type FetchLike, postJson } from './http.js';

/**
 * The request a webhook channel sends: the payload as JSON, signed with the channel's `secret`
 * over `"<timestamp>.<body>"` (DESIGN §7). With a `previousSecret` (rotation) the same body is
 * also signed with it, in X-Avhub-Signature-Previous. Each attempt is signed afresh, so a retry
 * carries a current timestamp.
 */
export function webhookRequest(channel: WebhookChannelConfig, payload: AlertPayload, nowSeconds: number): { body: string; headers: Record<string, string> } {
  const body = JSON.stringify(payload);
  const timestamp = String(nowSeconds);
  return {
    body,
    headers: {
      [TIMESTAMP_HEADER]: timestamp,
      [SIGNATURE_HEADER]: sign(channel.secret, timestamp, body),
      ...(channel.previousSecret !== undefined && { [PREVIOUS_SIGNATURE_HEADER]: sign(channel.previousSecret, timestamp, body) }),
      'X-Avhub-Event': payload.event,
      'X-Avhub-Delivery': payload.id,
    },
  };
}

export async function sendWebhook(fetcher: FetchLike, channel: WebhookChannelConfig, payload: AlertPayload, timeoutMs: number): Promise<void> {
  const { body, headers } = webhookRequest(channel, payload, Math.floor(Date.now() / 1000));
  await postJson(fetcher, channel.url, body, headers, timeoutMs);
}
