import { randomUUID } from 'node:crypto';

/**
 * apaleo's Webhook API, as documented (https://apaleo.dev/guides/webhook/create-subscription.html,
 * https://apaleo.dev/guides/webhook/webhooks-payload.html): `POST /v1/subscriptions` with
 * `{endpointUrl, events: ["reservation/*", "folio/created", …], propertyIds?}` answers `{id}`, after
 * a `system/healthcheck` event to the endpoint succeeded (otherwise the subscription is not
 * created); `GET /v1/subscriptions`, `DELETE /v1/subscriptions/{id}`. Every event is POSTed as
 * JSON `{id, topic, type, accountId, propertyId, timestamp, clientId?, subjectId?, data: {entityId}}`;
 * a 2xx answer counts as delivered. apaleo signs nothing: its docs recommend HTTPS and a unique
 * token in the endpoint URL, which the receiver checks.
 */

interface Subscription { id: string; endpointUrl: string; events: string[]; propertyIds?: string[] }

/** One event as sent (for tests). */
export interface ApaleoDelivery { subscription: string; topic: string; type: string; status: number }

export class SimWebhooks {
  private readonly subs = new Map<string, Subscription>();
  private readonly sent: ApaleoDelivery[] = [];

  constructor(private readonly accountId: string) {}

  /** Creates a subscription once the health check reached the endpoint; null when it did not. */
  async create(body: unknown): Promise<{ status: number; body: unknown }> {
    const b = (body ?? {}) as Record<string, unknown>;
    const events = Array.isArray(b.events) ? b.events.filter((e): e is string => typeof e === 'string') : [];
    if (typeof b.endpointUrl !== 'string' || !/^https?:\/\//.test(b.endpointUrl) || events.length === 0) {
      return { status: 400, body: { messages: ['endpointUrl (an https URL) and at least one event are required'] } };
    }
    const propertyIds = Array.isArray(b.propertyIds) ? b.propertyIds.filter((p): p is string => typeof p === 'string') : undefined;
    const sub: Subscription = { id: randomUUID(), endpointUrl: b.endpointUrl, events, ...(propertyIds ? { propertyIds } : {}) };
    const health = await this.post(sub, { topic: 'system', type: 'healthcheck', propertyIds: propertyIds ?? [] });
    if (health < 200 || health >= 300) return { status: 422, body: { messages: [`the health check to the endpoint failed (${health})`] } };
    this.subs.set(sub.id, sub);
    return { status: 201, body: { id: sub.id } };
  }

  list(): Subscription[] {
    return [...this.subs.values()].map((s) => ({ ...s }));
  }

  remove(id: string): boolean {
    return this.subs.delete(id);
  }

  /** An event at a property: POSTed to every subscription whose events and properties match. */
  emit(topic: string, type: string, propertyId: string, entityId: string): void {
    for (const sub of this.subs.values()) {
      const wanted = sub.events.some((e) => e.toLowerCase() === `${topic}/*`.toLowerCase() || e.toLowerCase() === `${topic}/${type}`.toLowerCase());
      if (!wanted || (sub.propertyIds && !sub.propertyIds.includes(propertyId))) continue;
      void this.post(sub, { topic, type, propertyId, data: { entityId } });
    }
  }

  deliveries(): ApaleoDelivery[] {
    return [...this.sent];
  }

  private async post(sub: Subscription, event: Record<string, unknown>): Promise<number> {
    const payload = { id: randomUUID(), accountId: this.accountId, timestamp: Date.now(), ...event };
    const record: ApaleoDelivery = { subscription: sub.id, topic: String(event.topic), type: String(event.type), status: 0 };
    this.sent.push(record);
    if (this.sent.length > 5000) this.sent.shift();
    try {
      const res = await fetch(sub.endpointUrl, {
        method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(payload), signal: AbortSignal.timeout(10_000),
      });
      await res.arrayBuffer();
      record.status = res.status;
    } catch {
      record.status = -1;
    }
    return record.status;
  }
}
