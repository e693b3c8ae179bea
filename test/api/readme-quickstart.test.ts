import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, type TestHub } from '../helpers/hub.js';

/** The README's first curls, pasted as they stand into bash, against a hub on the demo config. */
const README = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

let hub: TestHub;

describe('README quick start', () => {
  beforeAll(async () => { hub = await startTestHub({ roles: ['api', 'worker'] }); }, 60_000);
  afterAll(async () => { await hub?.stop(); });

  it('the stay at Hotel Mitte: availability, hold, confirm, read and cancel work as written', async () => {
    const start = README.indexOf('KEY=demo-widget-key; API=http://127.0.0.1:8080');
    expect(start).toBeGreaterThan(0);
    const block = README.slice(start, README.indexOf('```', start));
    // Only the address differs: the test hub listens on a free port.
    const script = block.replace('API=http://127.0.0.1:8080', `API=${hub.base}`);
    const { stdout } = await promisify(execFile)('bash', ['-euo', 'pipefail', '-c', script], { encoding: 'utf8' });
    const lines = stdout.split('\n').filter((l) => l.startsWith('{'));
    const answers = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(answers[0]).toHaveProperty('sites');
    expect(answers[1]).toMatchObject({ id: expect.stringMatching(/^h_/) });
    expect(answers[2]).toMatchObject({ reservationId: expect.stringMatching(/^r_/) });
    expect(answers[3]).toMatchObject({ id: answers[2]!.reservationId, customer: { name: 'Ada' } });
    expect(answers.slice(4).every((a) => a.status === 'cancelled' || a.status === undefined)).toBe(true);
  }, 60_000);
});
