import nodemailer from 'nodemailer';
import type { EmailChannelConfig } from '../../config/types.js';
import type { AlertPayload } from '../delivery.js';
import { DeliveryError } from './http.js';
import { factLines } from './text.js';

export interface Mailer {
  send(payload: AlertPayload, messageId: string): Promise<void>;
  close(): void;
}

/** `[avhub] <event> <site>: <summary>`, on one line. */
export function emailSubject(payload: AlertPayload): string {
  const site = payload.site ? ` ${payload.site}` : '';
  const summary = `${payload.reminder ? 'reminder: ' : ''}${payload.summary}`;
  return `[avhub] ${payload.event}${site}: ${summary}`.replace(/[\r\n]+/g, ' ').slice(0, 250);
}

export function emailText(payload: AlertPayload): string {
  return `${payload.summary}\n\n${factLines(payload).join('\n')}\n\n-- \nSent by Availability Hub (avhub).\n`;
}

/** One SMTP transport per channel, reused across deliveries. */
export function createMailer(channel: EmailChannelConfig, timeoutMs: number): Mailer {
  const transport = nodemailer.createTransport({
    host: channel.smtp.host,
    port: channel.smtp.port,
    secure: channel.smtp.secure,
    ...(channel.smtp.user !== undefined && { auth: { user: channel.smtp.user, pass: channel.smtp.password ?? '' } }),
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs * 3,
  });
  return {
    async send(payload, messageId) {
      try {
        await transport.sendMail({
          from: channel.from,
          to: channel.to,
          subject: emailSubject(payload),
          text: emailText(payload),
          // Stable per delivery, so a mail a retry sent twice is recognisably the same.
          messageId: `<${messageId}@avhub>`,
          headers: { 'X-Avhub-Event': payload.event, 'X-Avhub-Delivery': payload.id },
        });
      } catch (err) {
        const e = err as { code?: string; responseCode?: number; message?: string };
        throw new DeliveryError(`SMTP failed: ${e.code ?? 'error'}${e.responseCode ? ` ${e.responseCode}` : ''}`);
      }
    },
    close() {
      transport.close();
    },
  };
}
