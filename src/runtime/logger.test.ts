import { Writable } from 'node:stream';
import { expect, it } from 'vitest';
import { createLogger } from './logger.js';

it('never writes a secret into a log line', () => {
  const lines: string[] = [];
  const sink = new Writable({ write(chunk, _enc, done) { lines.push(String(chunk)); done(); } });
  const log = createLogger('info', false, sink);
  const canary = 'canary-3f9a1c77';
  log.info({ req: { headers: { authorization: `Bearer ${canary}`, 'x-api-key': canary, 'x-reservation-token': canary } } }, 'request');
  log.info({ token: canary, secret: canary, password: canary, adminToken: canary }, 'flat');
  log.info({ adapter: { password: canary, clientSecret: canary, refreshToken: canary }, channel: { secret: canary } }, 'nested');
  expect(lines).toHaveLength(3);
  for (const line of lines) {
    expect(line).not.toContain(canary);
    expect(line).toContain('[redacted]');
  }
});
