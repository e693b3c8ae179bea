import { Worker } from 'bullmq';
import type { Logger } from 'pino';
import type { AlertChannelConfig } from '../config/types.js';
import type { HubKeys } from '../store/keys.js';
import type { RedisTarget } from '../store/connection.js';
import { bullConnection } from '../store/queues.js';
import type { CounterLike } from './alerts.js';
import { createMailer, type Mailer } from './channels/email.js';
import type { FetchLike } from './channels/http.js';
import { sendSlack } from './channels/slack.js';
import { sendWebhook } from './channels/webhook.js';
import { ALERT_QUEUE, type AlertJobData } from './delivery.js';
import { describeChannel } from './routing.js';

export interface AlertWorkerDeps {
  redis: RedisTarget;
  keys: HubKeys;
  /** `config.alerts`: jobs name their channel by index. */
  channels: readonly AlertChannelConfig[];
  logger: Logger;
  /** Deliveries at once; default 4. */
  concurrency?: number;
  /** Per request (HTTP) or per SMTP step; default 10 s. */
  timeoutMs?: number;
  fetch?: FetchLike;
  /** Counts attempts, labels `{kind, outcome: sent | retry | failed}`. */
  deliveries?: CounterLike;
}

/**
 * Delivers queued alerts (worker role). A failed attempt throws, so BullMQ retries it with the
 * job's backoff; after the last attempt the alert is logged as lost. Logs name a channel by kind,
 * position and host only: webhook paths and Slack URLs are secrets.
 */
export function startAlertWorker(deps: AlertWorkerDeps): { close(): Promise<void> } {
  const connection = bullConnection(deps.redis);
  const timeoutMs = deps.timeoutMs ?? 10_000;
  const fetcher = deps.fetch ?? fetch;
  const mailers = new Map<number, Mailer>();
  const log = deps.logger.child({ component: 'alerts' });

  const worker = new Worker<AlertJobData>(ALERT_QUEUE, async (job) => {
    const { channel: index, payload } = job.data;
    const channel = deps.channels[index];
    if (channel === undefined || channel.kind !== job.data.kind) {
      // The configuration changed since the job was queued; do not guess where it should go.
      log.warn({ alert: payload.id, channel: index }, 'alert channel no longer configured: delivery dropped');
      return 'no channel';
    }
    const name = describeChannel(channel, index);
    const attempt = job.attemptsMade + 1;
    try {
      if (channel.kind === 'webhook') await sendWebhook(fetcher, channel, payload, timeoutMs);
      else if (channel.kind === 'slack') await sendSlack(fetcher, channel, payload, timeoutMs);
      else {
        let mailer = mailers.get(index);
        if (!mailer) mailers.set(index, mailer = createMailer(channel, timeoutMs));
        await mailer.send(payload, `${payload.id}-${index}`);
      }
    } catch (err) {
      const last = attempt >= (job.opts.attempts ?? 1);
      const message = (err as Error).message;
      deps.deliveries?.inc({ kind: channel.kind, outcome: last ? 'failed' : 'retry' });
      if (last) log.error({ alert: payload.id, event: payload.event, channel: name, attempt, err: message }, 'alert could not be delivered; giving up');
      else log.warn({ alert: payload.id, event: payload.event, channel: name, attempt, err: message }, 'alert delivery failed; will retry');
      throw err;
    }
    deps.deliveries?.inc({ kind: channel.kind, outcome: 'sent' });
    log.info({ alert: payload.id, event: payload.event, channel: name, attempt }, 'alert delivered');
    return 'sent';
  }, { connection, prefix: deps.keys.queuePrefix(), concurrency: deps.concurrency ?? 4 });
  worker.on('error', (err) => log.warn({ err: err.message }, 'alert worker connection error'));

  return {
    async close() {
      await worker.close();
      for (const mailer of mailers.values()) mailer.close();
      await connection.quit().catch(() => connection.disconnect());
    },
  };
}
