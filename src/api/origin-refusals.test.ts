import { Writable } from 'node:stream';
import { pino } from 'pino';
import { expect, it } from 'vitest';
import { OriginRefusals } from './origin-refusals.js';

function harness(perMinute = 3) {
  const lines: Array<Record<string, unknown>> = [];
  const sink = new Writable({ write(chunk, _enc, done) { lines.push(JSON.parse(String(chunk)) as Record<string, unknown>); done(); } });
  let now = 1_000_000;
  const log = new OriginRefusals(pino({ level: 'info' }, sink), { every: 10 * 60_000, perMinute, now: () => now });
  return { lines, log, advance: (ms: number) => { now += ms; } };
}
const KEY = { scope: 'k0123456789abcdef', sites: ['mitte', 'harbor'] };

it('logs a refused (key, origin) once per ten minutes, naming the key by its digest and its sites', () => {
  const { lines, log, advance } = harness();
  for (let i = 0; i < 50; i++) log.note('https://shop.example', KEY);
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatchObject({ level: 40, origin: 'https://shop.example', widgetKey: KEY.scope, sites: KEY.sites });
  expect(String(lines[0]!.msg)).toMatch(/origins do not list this origin/);
  advance(9 * 60_000);
  log.note('https://shop.example', KEY);
  expect(lines).toHaveLength(1);
  advance(60_000);
  log.note('https://shop.example', KEY);
  expect(lines).toHaveLength(2);
  // A preflight carries no key: the line says no key lists the origin.
  log.note('https://shop.example', null);
  expect(lines[2]).toMatchObject({ origin: 'https://shop.example' });
  expect(lines[2]).not.toHaveProperty('widgetKey');
});

it('made-up origins cannot flood the log: a few lines a minute, the rest counted in the next line', () => {
  const { lines, log, advance } = harness(3);
  for (let i = 0; i < 1000; i++) log.note(`https://x${i}.example/${'a'.repeat(500)}`, KEY);
  expect(lines).toHaveLength(3);
  expect(String(lines[0]!.origin).length).toBe(200);
  advance(60_000);
  log.note('https://late.example', KEY);
  expect(lines).toHaveLength(4);
  expect(lines[3]).toMatchObject({ origin: 'https://late.example', suppressed: 997 });
});
