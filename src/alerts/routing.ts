import type { AlertChannelConfig } from '../config/types.js';
import type { AlertEvent } from '../core/alerts.js';

/**
 * Whether a channel receives an event. An absent filter lets everything through; a `sites` or
 * `groups` filter applies only to events that name a site or group, so hub-wide events
 * (`workers.missing`) and site events without a group (`site.limited`) still reach a filtered
 * channel. Use `events` to keep those out.
 */
export function routes(channel: AlertChannelConfig, event: AlertEvent): boolean {
  if (channel.events && !channel.events.includes(event.event)) return false;
  if (channel.sites && event.site !== undefined && !channel.sites.includes(event.site)) return false;
  if (channel.groups && event.group !== undefined && !channel.groups.includes(event.group)) return false;
  return true;
}

/** A channel as logs may show it: kind, position and host; never a URL path, token or secret. */
export function describeChannel(channel: AlertChannelConfig, index: number): string {
  if (channel.kind === 'email') return `email#${index} (${channel.smtp.host}:${channel.smtp.port})`;
  return `${channel.kind}#${index} (${hostOf(channel.url)})`;
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return 'invalid url';
  }
}
