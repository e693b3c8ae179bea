import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/**
 * An HTTP proxy in front of a test server that can stall chosen requests, to land a crash at a
 * precise point of a call:
 * - `hold-request`: the request never reaches the server (as if the network ate it);
 * - `hold-response`: the server handles it (a booking is made) but its answer never comes back.
 * A held exchange stays open until `releaseAll()` or until the client goes away (a killed process),
 * in which case it is dropped.
 */

type InterceptAction = 'pass' | 'hold-request' | 'hold-response';

interface SeenExchange {
  method: string;
  path: string;
  body: string;
  action: InterceptAction;
  at: number;
  /** For hold-response: the status the server answered (not delivered). */
  heldStatus?: number;
}

export interface InterceptProxy {
  url: string;
  /** Decides per request; `pass` by default. */
  setRule(rule: ((req: { method: string; path: string; body: string }) => InterceptAction) | null): void;
  seen(): SeenExchange[];
  /** Exchanges currently held open. */
  held(): number;
  /** Delivers every held exchange now. */
  releaseAll(): void;
  stop(): Promise<void>;
}

export async function startInterceptProxy(target: string): Promise<InterceptProxy> {
  const upstream = new URL(target);
  let rule: ((req: { method: string; path: string; body: string }) => InterceptAction) | null = null;
  const seen: SeenExchange[] = [];
  const waiting = new Set<() => void>();
  const sockets = new Set<Socket>();

  const forward = (req: IncomingMessage, body: Buffer, onAnswer: (status: number, headers: Record<string, string | string[] | undefined>, data: Buffer) => void, onError: (err: Error) => void) => {
    const headers = { ...req.headers, host: upstream.host, 'content-length': String(body.length) };
    delete headers['transfer-encoding'];
    const up = httpRequest({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => onAnswer(res.statusCode ?? 502, res.headers, Buffer.concat(chunks)));
      res.on('error', onError);
    });
    up.on('error', onError);
    up.end(body);
  };

  const deliver = (res: ServerResponse, status: number, headers: Record<string, string | string[] | undefined>, data: Buffer) => {
    if (res.destroyed || res.writableEnded) return;
    const h = { ...headers };
    delete h['transfer-encoding'];
    delete h.connection;
    res.writeHead(status, { ...h, 'content-length': String(data.length) });
    res.end(data);
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const info = { method: req.method ?? '', path: req.url ?? '', body: body.toString('utf8') };
      const action = rule?.(info) ?? 'pass';
      const entry: SeenExchange = { ...info, action, at: Date.now() };
      seen.push(entry);
      const fail = (err: Error) => { if (!res.headersSent) res.writeHead(502).end(String(err)); };
      if (action === 'pass') {
        forward(req, body, (status, headers, data) => deliver(res, status, headers, data), fail);
        return;
      }
      if (action === 'hold-request') {
        const release = () => { waiting.delete(release); forward(req, body, (s, h, d) => deliver(res, s, h, d), fail); };
        waiting.add(release);
        // A client that goes away takes its request with it: it never reaches the server.
        res.on('close', () => waiting.delete(release));
        return;
      }
      forward(req, body, (status, headers, data) => {
        entry.heldStatus = status;
        const release = () => { waiting.delete(release); deliver(res, status, headers, data); };
        waiting.add(release);
        res.on('close', () => waiting.delete(release));
      }, fail);
    });
  });
  server.on('connection', (s) => { sockets.add(s); s.on('close', () => sockets.delete(s)); });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    setRule(r) { rule = r; },
    seen: () => seen.map((e) => ({ ...e })),
    held: () => waiting.size,
    releaseAll() { for (const release of [...waiting]) release(); },
    stop: () => new Promise<void>((resolve) => {
      waiting.clear();
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    }),
  };
}
