import type { ChildProcess } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

/** Forwards a request a test proxy has read (`body`, maybe rewritten) to 127.0.0.1:`port` and pipes the answer back. */
export function forwardTo(port: number, req: IncomingMessage, res: ServerResponse, body: string): void {
  const headers = { ...req.headers, host: `127.0.0.1:${port}`, 'content-length': String(Buffer.byteLength(body)) };
  delete headers['transfer-encoding'];
  const upstream = httpRequest({ host: '127.0.0.1', port, method: req.method, path: req.url, headers }, (up) => {
    res.writeHead(up.statusCode ?? 502, up.headers);
    up.pipe(res);
  });
  upstream.on('error', (err) => { res.writeHead(502).end(String(err)); });
  upstream.end(body);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits until `url` answers (any status), failing early when the child exits. */
export async function waitUntilUp(name: string, url: string, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode}: ${output()}`);
    try {
      const res = await fetch(url, { method: 'GET' });
      await res.arrayBuffer();
      return;
    } catch {
      await sleep(50);
    }
  }
  throw new Error(`${name} did not answer at ${url} within 20 s: ${output()}`);
}

/** Closes the test proxy, stops the server process (SIGTERM, then SIGKILL after 3 s) and removes its directory. */
export async function stopServer(proxy: Server, child: ChildProcess, dir: string): Promise<void> {
  proxy.closeAllConnections();
  await new Promise<void>((resolve) => proxy.close(() => resolve()));
  if (child.exitCode === null) {
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    await Promise.race([exited, sleep(3000)]);
    if (child.exitCode === null) child.kill('SIGKILL');
  }
  await rm(dir, { recursive: true, force: true });
}
