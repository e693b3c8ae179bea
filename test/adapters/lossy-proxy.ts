import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/**
 * A pass-through HTTP proxy in front of a source, for the contract's "lost answer" case: once
 * armed, the next request that `matches` reaches the source and is processed there, but its answer
 * never reaches the adapter (the connection is dropped after the source has answered), as when a
 * network or the worker fails between the source's commit and our read.
 */
export interface LossyProxy {
  /** The proxy's origin, `http://127.0.0.1:PORT`; paths are passed through unchanged. */
  url: string;
  /** Drops the answer of the next request for which `matches(method, path)` holds. */
  loseNextAnswer(matches: (method: string, path: string) => boolean): void;
  /** The next request is answered with `status` (and `headers`) by the proxy; the source never sees it. */
  answerNext(status: number, headers?: Record<string, string>): void;
  /** How many answers were dropped so far. */
  lost(): number;
  stop(): Promise<void>;
}

/** A contract harness's `writes` hook: the create the source answers is the request `matches` picks. */
export function lossyWrites(proxy: LossyProxy, matches: (method: string, path: string) => boolean) {
  return { loseNextCreateAnswer: () => proxy.loseNextAnswer(matches), lostAnswers: () => proxy.lost() };
}

export async function startLossyProxy(target: string): Promise<LossyProxy> {
  const upstream = new URL(target);
  let armed: ((method: string, path: string) => boolean) | null = null;
  let lost = 0;
  let canned: { status: number; headers: Record<string, string> } | null = null;
  const sockets = new Set<Socket>();

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const method = req.method ?? 'GET';
    const path = req.url ?? '/';
    if (canned) {
      const { status, headers } = canned;
      canned = null;
      req.resume();
      res.writeHead(status, { 'Content-Type': 'text/plain', ...headers });
      res.end(`answered ${status} by the test proxy`);
      return;
    }
    const drop = armed !== null && armed(method, path);
    if (drop) armed = null;
    const out = request({
      host: upstream.hostname, port: upstream.port, method, path,
      headers: { ...req.headers, host: upstream.host },
    }, (answer) => {
      if (drop) {
        answer.resume();
        answer.on('end', () => { lost++; req.socket.destroy(); });
        return;
      }
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    out.on('error', () => req.socket.destroy());
    req.pipe(out);
  });
  server.on('connection', (s: Socket) => { sockets.add(s); s.on('close', () => sockets.delete(s)); });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    loseNextAnswer(matches) { armed = matches; },
    answerNext(status, headers = {}) { canned = { status, headers }; },
    lost: () => lost,
    stop: () => new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    }),
  };
}
