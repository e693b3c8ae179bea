import type { PushDelivery, PushSupport, PushVerdict } from '../../src/core/adapter/port.js';

/**
 * Mews General Webhooks (https://mews-systems.gitbook.io/connector-api/events/wh-general): Mews
 * POSTs `{EnterpriseId, IntegrationId, Events: [{Discriminator, Value: {Id}}]}` to the one endpoint
 * registered for the integration, which Mews sets up on request (by e-mail to partner success), not
 * through the API. Mews signs nothing; its Webhooks FAQ offers a shared secret token in the URL,
 * so the endpoint given to Mews carries the site's `push.secret` as `?token=` (checked by the
 * route). Messages carry no id and are re-sent after failures, so a repeat is not refused: it
 * costs at most one more poll, collapsed with the first.
 */

/** Events that may change what is free: reservations (service orders), resources and their blocks. */
const RELEVANT = new Set(['ServiceOrderUpdated', 'ResourceUpdated', 'ResourceBlockUpdated']);

export const mewsPush: PushSupport = {
  subscribes: false,
  verify(delivery: PushDelivery): PushVerdict {
    let message: { Events?: unknown };
    try {
      message = JSON.parse(delivery.body) as { Events?: unknown };
    } catch {
      return { kind: 'refused', reason: 'malformed', detail: 'the body is not JSON' };
    }
    if (typeof message !== 'object' || message === null || !Array.isArray(message.Events)) {
      return { kind: 'refused', reason: 'malformed', detail: 'not a Mews webhook message: no Events list' };
    }
    const relevant = message.Events.some((e) => RELEVANT.has(String((e as { Discriminator?: unknown } | null)?.Discriminator)));
    // Customers and messages change nothing the hub shows.
    return { kind: relevant ? 'poll' : 'heard' };
  },
};
