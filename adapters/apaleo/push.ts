import { createHash } from 'node:crypto';
import type { PushDelivery, PushSubscription, PushSupport, PushVerdict, WatchRequest } from '../../src/core/adapter/port.js';
import type { ApaleoClient, CallContext } from './client.js';

/**
 * apaleo webhooks (https://apaleo.dev/guides/webhook/): a subscription is made through the Webhook
 * API (`POST /v1/subscriptions` with `endpointUrl`, `events` like `reservation/*`, `propertyIds`),
 * after apaleo's health-check event reached the endpoint. Events arrive as JSON POSTs
 * `{id, topic, type, accountId, propertyId, timestamp, data: {entityId}}`. apaleo signs nothing; its
 * best practices ask for HTTPS and a unique token appended to the URL, so the hub's endpoint
 * carries the site's `push.secret` as `?token=` (checked by the route) and refuses events whose
 * `id` it saw before (apaleo may send an event more than once).
 */

/** Events that change what a unit group has free: reservations (folios and the rest do not). */
const EVENTS = ['reservation/*'];

export async function watchApaleo(webhooks: ApaleoClient, propertyId: string, req: WatchRequest): Promise<PushSubscription[]> {
  const call: CallContext = { throttle: req.throttle, signal: req.signal };
  const res = await webhooks.post<{ id?: string }>('/v1/subscriptions', { endpointUrl: req.address, events: EVENTS, propertyIds: [propertyId] }, {}, call);
  const id = res.data?.id;
  if (!id) throw new Error('apaleo: the Webhook API answered no subscription id');
  return [{ id, target: propertyId }];
}

/** DELETE /v1/subscriptions/{id}; one apaleo no longer has (404) is gone already. */
export async function unwatchApaleo(webhooks: ApaleoClient, sub: PushSubscription, call: CallContext): Promise<void> {
  try {
    await webhooks.delete(`/v1/subscriptions/${encodeURIComponent(sub.id)}`, call);
  } catch (err) {
    if (!/HTTP 404\b/.test((err as Error).message)) throw err;
  }
}

export const apaleoPush: PushSupport = {
  subscribes: true,
  verify(delivery: PushDelivery, _subscriptions: readonly PushSubscription[]): PushVerdict {
    let event: Record<string, unknown>;
    try {
      event = JSON.parse(delivery.body) as Record<string, unknown>;
    } catch {
      return { kind: 'refused', reason: 'malformed', detail: 'the body is not JSON' };
    }
    if (typeof event !== 'object' || event === null || typeof event.topic !== 'string' || typeof event.type !== 'string') {
      return { kind: 'refused', reason: 'malformed', detail: 'not an apaleo event: no topic and type' };
    }
    const nonce = typeof event.id === 'string' && event.id !== '' ? event.id : createHash('sha256').update(delivery.body).digest('hex');
    // The health check at subscription time proves the endpoint works; it changes nothing.
    if (event.topic.toLowerCase() === 'system') return { kind: 'heard', nonce };
    return { kind: 'poll', nonce };
  },
};
