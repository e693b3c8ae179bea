import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { SIGNATURE_HEADER, TIMESTAMP_HEADER, PREVIOUS_SIGNATURE_HEADER, verifySignature } from '../../src/alerts/signature.js';

interface ReceivedRequest {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  json: Record<string, unknown>;
  /** Whether the signature checked out against the receiver's secrets (webhook receivers). */
  verified?: boolean;
}

/**
 * A local HTTP endpoint standing in for a webhook receiver or Slack's incoming webhook. With
 * `secrets` it verifies signatures like a real receiver (401 when they do not check out);
 * `failFirst(path, n)` answers 500 to the next n requests on a path.
 */
export interface HttpReceiver {
  url: string;
  requests: ReceivedRequest[];
  /** Requests answered 2xx, by path. */
  accepted(path: string): ReceivedRequest[];
  failFirst(path: string, n: number): void;
  setSecrets(path: string, secrets: string[]): void;
  close(): Promise<void>;
}

export async function startHttpReceiver(): Promise<HttpReceiver> {
  const requests: ReceivedRequest[] = [];
  const ok: ReceivedRequest[] = [];
  const failures = new Map<string, number>();
  const secrets = new Map<string, string[]>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const path = req.url ?? '/';
      const entry: ReceivedRequest = { path, headers: req.headers, body, json: JSON.parse(body) as Record<string, unknown> };
      requests.push(entry);
      const left = failures.get(path) ?? 0;
      if (left > 0) {
        failures.set(path, left - 1);
        res.writeHead(500).end('down for maintenance');
        return;
      }
      const keys = secrets.get(path);
      if (keys) {
        const header = [req.headers[SIGNATURE_HEADER.toLowerCase()], req.headers[PREVIOUS_SIGNATURE_HEADER.toLowerCase()]].map((h) => (Array.isArray(h) ? h[0] : h));
        entry.verified = verifySignature(keys, req.headers[TIMESTAMP_HEADER.toLowerCase()] as string | undefined, body, header);
        if (!entry.verified) {
          res.writeHead(401).end('bad signature');
          return;
        }
      }
      ok.push(entry);
      res.writeHead(200, { 'Content-Type': 'text/plain' }).end('ok');
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    accepted: (path) => ok.filter((r) => r.path === path),
    failFirst: (path, n) => { failures.set(path, n); },
    setSecrets: (path, list) => { secrets.set(path, list); },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export interface ReceivedMail {
  from: string;
  to: string[];
  user?: string;
  raw: string;
  subject: string;
  /** The body, with quoted-printable soft breaks undone. */
  text: string;
}

/** A local SMTP server (no TLS); with `auth` it requires that user and password. */
export async function startSmtpServer(auth?: { user: string; password: string }): Promise<{ port: number; mails: ReceivedMail[]; close(): Promise<void> }> {
  const mails: ReceivedMail[] = [];
  const server = new SMTPServer({
    disabledCommands: auth ? ['STARTTLS'] : ['STARTTLS', 'AUTH'],
    allowInsecureAuth: true,
    authOptional: !auth,
    logger: false,
    onAuth(credentials, _session, callback) {
      if (auth && credentials.username === auth.user && credentials.password === auth.password) callback(null, { user: credentials.username });
      else callback(new Error('Invalid username or password'));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const [head = '', ...rest] = raw.split('\r\n\r\n');
        const unfolded = head.replace(/\r\n[ \t]+/g, ' ');
        const subject = /^Subject: (.*)$/m.exec(unfolded)?.[1] ?? '';
        mails.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          ...(typeof session.user === 'string' && { user: session.user }),
          raw, subject, text: rest.join('\r\n\r\n').replace(/=\r\n/g, '').replace(/=3D/g, '='),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.server.address() as AddressInfo;
  return { port, mails, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}
