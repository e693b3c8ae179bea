import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname } from 'node:path';
import type { Result } from './measure.js';

export interface Environment {
  node: string;
  cpus: number;
  date: string;
}

export const environment = (): Environment => ({
  node: process.version, cpus: availableParallelism(), date: new Date().toISOString(),
});

const ms = (v: number) => `${v < 1 ? v.toFixed(3) : v.toFixed(2)} ms`;

/** An aligned text table: one row per result, floors first in their section. */
export function formatTable(env: Environment, results: Result[]): string {
  const header = ['benchmark', 'n', 'median', 'p95', 'ops/s', 'ratio to floor'];
  const rows = results.map((r) => [
    r.concurrency > 1 ? `${r.name} (c=${r.concurrency})` : r.name,
    String(r.n),
    ms(r.medianMs),
    ms(r.p95Ms),
    Math.round(r.opsPerSec).toLocaleString('en-US'),
    r.ratio === undefined ? 'floor' : `${r.ratio.toFixed(2)}x ${r.floor}`,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  // Text columns align left, numbers right.
  const line = (cells: string[]) => cells
    .map((c, i) => (i === 0 || i === cells.length - 1 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!)))
    .join(' | ').trimEnd();
  return [
    `Availability Hub benchmark — node ${env.node}, ${env.cpus} CPUs, ${env.date}`,
    line(header),
    widths.map((w) => '-'.repeat(w)).join('-|-'),
    ...rows.map(line),
  ].join('\n');
}

export function writeJson(file: string, data: unknown): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(data, null, 2)}\n`);
}
