import { timingSafeEqual } from 'node:crypto';
import type { PushDelivery, PushSubscription, PushSupport, PushVerdict } from '../../src/core/adapter/port.js';

/**
 * Google Calendar push notifications (https://developers.google.com/calendar/api/guides/push):
 * a notification is a POST with an empty body whose headers name the channel
 * (X-Goog-Channel-ID), echo the token the hub gave the channel at events.watch
 * (X-Goog-Channel-Token), name the watched resource (X-Goog-Resource-ID) and say what happened
 * (X-Goog-Resource-State: `sync` when the channel opens, `exists` after a change, `not_exists`
 * when the resource is gone). X-Goog-Message-Number grows per channel, so channel and number
 * identify a message (a replay repeats them). Google signs nothing else: the channel token,
 * random per channel and never logged, is the proof.
 */
export const googlePush: PushSupport = {
  subscribes: true,
  verify(delivery: PushDelivery, subscriptions: readonly PushSubscription[]): PushVerdict {
    const h = delivery.headers;
    const channelId = h['x-goog-channel-id'];
    const state = h['x-goog-resource-state'];
    if (!channelId || !state) return { kind: 'refused', reason: 'malformed', detail: 'no X-Goog-Channel-ID or X-Goog-Resource-State' };
    const sub = subscriptions.find((s) => s.id === channelId);
    if (!sub) return { kind: 'refused', reason: 'unknown-channel', detail: 'no open channel has this X-Goog-Channel-ID' };
    if (!sub.token || !same(h['x-goog-channel-token'] ?? '', sub.token) || (sub.resourceId !== undefined && h['x-goog-resource-id'] !== sub.resourceId)) {
      return { kind: 'refused', reason: 'forged', detail: 'X-Goog-Channel-Token or X-Goog-Resource-ID does not match the channel' };
    }
    const message = h['x-goog-message-number'];
    const nonce = message ? `${channelId}:${message}` : undefined;
    if (state === 'sync') return { kind: 'heard', ...(nonce ? { nonce } : {}) };
    if (state === 'exists' || state === 'not_exists') return { kind: 'poll', ...(nonce ? { nonce } : {}) };
    return { kind: 'refused', reason: 'malformed', detail: `unknown X-Goog-Resource-State "${state}"` };
  },
};

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
