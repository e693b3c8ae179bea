import type { SlackChannelConfig } from '../../config/types.js';
import type { AlertPayload } from '../delivery.js';
import { type FetchLike, postJson } from './http.js';
import { factLines, headline } from './text.js';

/** Slack's three control characters; everything else is sent as is. */
export function slackEscape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

const ICONS: Record<string, string> = {
  'site.recovered': ':white_check_mark:', 'conflict.resolved': ':white_check_mark:',
  'site.limited': ':rotating_light:', 'workers.missing': ':rotating_light:', 'writeback.failed': ':x:',
};

/**
 * An incoming-webhook message: `text` is the notification line (and the fallback where blocks do
 * not show); the blocks hold the summary and the facts. Section text stays under Slack's 3000
 * characters.
 */
export function slackMessage(payload: AlertPayload): { text: string; blocks: unknown[] } {
  const icon = ICONS[payload.event] ?? ':warning:';
  const title = `${icon} *${slackEscape(headline(payload))}*`;
  const text = `${icon} ${headline(payload)}: ${payload.summary}`;
  return {
    text: slackEscape(text).slice(0, 3000),
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: `${title}\n${slackEscape(payload.summary)}`.slice(0, 3000) } },
      { type: 'context', elements: [{ type: 'mrkdwn', text: slackEscape(factLines(payload).join('  ·  ')).slice(0, 3000) }] },
    ],
  };
}

export async function sendSlack(fetcher: FetchLike, channel: SlackChannelConfig, payload: AlertPayload, timeoutMs: number): Promise<void> {
  await postJson(fetcher, channel.url, JSON.stringify(slackMessage(payload)), {}, timeoutMs);
}
