import { createHash } from 'node:crypto';
import { badRequest, notFound, SimError } from './errors.js';

/**
 * Push notification channels, as the Calendar API documents them
 * (https://developers.google.com/calendar/api/guides/push): `events.watch` opens a channel on a
 * calendar's events (`id` chosen by the client, `type: "web_hook"`, an https `address`, an optional
 * `token` and requested `expiration` in ms); Google answers the channel with an opaque
 * `resourceId`, then POSTs an empty-bodied `sync` message to the address, and one `exists` message
 * per change, each with X-Goog-Channel-ID, X-Goog-Channel-Token (when set), X-Goog-Channel-Expiration,
 * X-Goog-Resource-ID, X-Goog-Resource-URI, X-Goog-Resource-State and X-Goog-Message-Number.
 * `channels.stop` ({id, resourceId}) ends one. A channel ends by itself at its expiration; Google
 * sets an upper bound of its own, which this simulator takes as 7 days (an assumption: the
 * documentation gives no number for Calendar). The simulator also accepts http addresses, for tests.
 */

const MAX_TTL_MS = 7 * 86_400_000;

interface Channel {
  id: string;
  resourceId: string;
  calendarId: string;
  address: string;
  token?: string;
  expiration: number;
  message: number;
}

/** One notification as sent (for tests). */
export interface SimDelivery {
  channelId: string;
  state: 'sync' | 'exists';
  status: number;
  at: number;
}

export class SimChannels {
  private readonly channels = new Map<string, Channel>();
  private readonly sent: SimDelivery[] = [];

  constructor(private readonly now: () => number, private readonly base: () => string) {}

  /** events.watch on `calendarId` (which must exist: the caller checks). */
  watch(calendarId: string, body: unknown): Record<string, unknown> {
    const b = (body ?? {}) as Record<string, unknown>;
    if (typeof b.id !== 'string' || b.id === '' || b.id.length > 64) throw badRequest('Channel id is required (at most 64 characters).', 'id', 'required');
    if (b.type !== 'web_hook' && b.type !== 'webhook') throw badRequest('Unknown channel type.', 'type');
    if (typeof b.address !== 'string' || !/^https?:\/\//.test(b.address)) throw badRequest('WebHook callback must be HTTPS.', 'address');
    if (this.channels.has(b.id)) throw new SimError(400, 'channelIdNotUnique', 'Channel id not unique.');
    if (b.token !== undefined && (typeof b.token !== 'string' || b.token.length > 256)) throw badRequest('Invalid token.', 'token');
    const requested = b.expiration === undefined ? Number.NaN : Number(b.expiration);
    const now = this.now();
    const expiration = Number.isFinite(requested) && requested > now ? Math.min(requested, now + MAX_TTL_MS) : now + MAX_TTL_MS;
    const ch: Channel = {
      id: b.id, calendarId, address: b.address, expiration, message: 0,
      resourceId: createHash('sha1').update(`events:${calendarId}`).digest('base64url').slice(0, 27),
      ...(typeof b.token === 'string' ? { token: b.token } : {}),
    };
    this.channels.set(ch.id, ch);
    void this.deliver(ch, 'sync');
    return {
      kind: 'api#channel', id: ch.id, resourceId: ch.resourceId, resourceUri: this.uri(ch),
      ...(ch.token !== undefined ? { token: ch.token } : {}), expiration: String(ch.expiration),
    };
  }

  /** channels.stop: the id and resourceId must both match a channel. */
  stop(body: unknown): void {
    const b = (body ?? {}) as Record<string, unknown>;
    const ch = typeof b.id === 'string' ? this.channels.get(b.id) : undefined;
    if (!ch || ch.resourceId !== b.resourceId) throw notFound();
    this.channels.delete(ch.id);
  }

  /** Something changed in `calendarId`: an `exists` message on every live channel watching it. */
  changed(calendarId: string): void {
    for (const ch of this.channels.values()) if (ch.calendarId === calendarId) void this.deliver(ch, 'exists');
  }

  /** Every channel ends now (as at its expiration): no more messages. */
  expireAll(): void {
    for (const ch of this.channels.values()) ch.expiration = this.now() - 1;
  }

  live(): Array<{ id: string; calendarId: string; expiration: number }> {
    return [...this.channels.values()].filter((c) => c.expiration > this.now())
      .map((c) => ({ id: c.id, calendarId: c.calendarId, expiration: c.expiration }));
  }

  deliveries(): SimDelivery[] {
    return [...this.sent];
  }

  private uri(ch: Channel): string {
    return `${this.base()}calendar/v3/calendars/${encodeURIComponent(ch.calendarId)}/events?alt=json`;
  }

  private async deliver(ch: Channel, state: 'sync' | 'exists'): Promise<void> {
    if (ch.expiration <= this.now()) {
      this.channels.delete(ch.id);
      return;
    }
    const headers: Record<string, string> = {
      'X-Goog-Channel-ID': ch.id,
      'X-Goog-Channel-Expiration': new Date(ch.expiration).toUTCString(),
      'X-Goog-Resource-ID': ch.resourceId,
      'X-Goog-Resource-URI': this.uri(ch),
      'X-Goog-Resource-State': state,
      'X-Goog-Message-Number': String(++ch.message),
      ...(ch.token !== undefined ? { 'X-Goog-Channel-Token': ch.token } : {}),
    };
    const record: SimDelivery = { channelId: ch.id, state, status: 0, at: this.now() };
    this.sent.push(record);
    if (this.sent.length > 5000) this.sent.shift();
    try {
      const res = await fetch(ch.address, { method: 'POST', headers, signal: AbortSignal.timeout(10_000) });
      record.status = res.status;
      await res.arrayBuffer();
    } catch {
      record.status = -1;
    }
  }
}
