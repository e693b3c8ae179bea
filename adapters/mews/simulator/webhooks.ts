import { randomUUID } from 'node:crypto';

/**
 * Mews "General Webhooks" (https://mews-systems.gitbook.io/connector-api/events/wh-general): one
 * endpoint per integration, registered by Mews on request (partner success, by e-mail; here
 * `register`), optionally with a shared secret token in the URL for authentication (Webhooks FAQ).
 * A message is a JSON POST `{EnterpriseId, IntegrationId, Events: [{Discriminator, Value: {Id}}]}`
 * carrying every event of the moment (`ServiceOrderUpdated` for reservations,
 * `ResourceBlockUpdated`, …); a message that fails (an error status or a timeout) is sent again after
 * a delay, and dropped after three failed attempts. Mews signs nothing.
 */

/** One message as sent (for tests). */
export interface MewsDelivery { events: string[]; attempt: number; status: number }

const ATTEMPTS = 3;

export class SimMewsWebhooks {
  private endpoint: string | null = null;
  private readonly integrationId = randomUUID();
  private readonly sent: MewsDelivery[] = [];

  constructor(private readonly enterpriseId: string, private readonly retryDelayMs = 1_000) {}

  /** What Mews does when asked (by e-mail) to send this integration's webhooks to `url`; null stops them. */
  register(url: string | null): void {
    this.endpoint = url;
  }

  /** A reservation (service order) changed. */
  serviceOrderUpdated(id: string): void {
    this.send([{ Discriminator: 'ServiceOrderUpdated', Value: { Id: id } }]);
  }

  /** Availability was changed by hand (a resource block / adjustment). */
  resourceBlockUpdated(id: string): void {
    this.send([{ Discriminator: 'ResourceBlockUpdated', Value: { Id: id } }]);
  }

  deliveries(): MewsDelivery[] {
    return [...this.sent];
  }

  private send(events: Array<{ Discriminator: string; Value: { Id: string } }>): void {
    const url = this.endpoint;
    if (!url) return;
    const body = JSON.stringify({ EnterpriseId: this.enterpriseId, IntegrationId: this.integrationId, Events: events });
    void this.attempt(url, body, events.map((e) => e.Discriminator), 1);
  }

  private async attempt(url: string, body: string, names: string[], attempt: number): Promise<void> {
    const record: MewsDelivery = { events: names, attempt, status: 0 };
    this.sent.push(record);
    if (this.sent.length > 5000) this.sent.shift();
    try {
      const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body, signal: AbortSignal.timeout(10_000) });
      await res.arrayBuffer();
      record.status = res.status;
    } catch {
      record.status = -1;
    }
    if ((record.status < 200 || record.status >= 300) && attempt < ATTEMPTS) {
      setTimeout(() => void this.attempt(url, body, names, attempt + 1), this.retryDelayMs).unref();
    }
  }
}
