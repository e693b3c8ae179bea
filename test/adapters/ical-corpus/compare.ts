import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { normalizeCalendar } from '../../../adapters/icalendar/index.js';

/**
 * The differential test's machinery: the hub's busy intervals per file and window, the same from
 * Debian's python3-icalendar + python3-recurring-ical-events (reference.py), and their difference.
 * Intervals are compared as sets of busy time (merged and clipped to the window), so ids, splitting
 * and duplicates do not matter: only what time is busy.
 */

export const CORPUS_DIR = fileURLToPath(new URL('./', import.meta.url));
export const PYTHON = '/usr/bin/python3';
const SITE_ZONE = 'Europe/Berlin';

export interface ManifestEntry {
  /** Path under files/. */
  file: string;
  repository: string;
  path: string;
  commit: string;
  licence: string;
  /** Absent: the two must agree. Else why they differ (or why the reference cannot read it), and by how much. */
  differs?: { why: string; hubOnlyMinutes: number; referenceOnlyMinutes: number };
  /** The reference's error on this file (Debian's 4.0.3/2.0.1 are old): nothing to compare. */
  referenceFails?: string;
  /** Why the hub refuses the whole document (it throws: a feed keeps its last data and is reported). */
  hubRefuses?: string;
}

type Busy = Array<[number, number]>;

/** The window of a file: 1 January of the year of its earliest event DTSTART, for two years. */
function windowOf(text: string): { start: number; end: number } {
  const events = [...text.matchAll(/^BEGIN:VEVENT\r?$([\s\S]*?)^END:VEVENT/gm)].map((m) => m[1]!).join('\n');
  const years = [...events.matchAll(/^DTSTART[^\r\n]*?:(\d{4})\d{4}/gm)].map((m) => Number(m[1])).filter((y) => y > 1900);
  const year = years.length > 0 ? Math.min(...years) : 2020;
  return { start: Date.UTC(year, 0, 1), end: Date.UTC(year + 2, 0, 1) };
}

/** Sorted, merged, clipped to the window. */
function merge(spans: Busy, window: { start: number; end: number }): Busy {
  const clipped = spans
    .map(([s, e]) => [Math.max(s, window.start), Math.min(e, window.end)] as [number, number])
    .filter(([s, e]) => e > s)
    .sort((a, b) => a[0] - b[0]);
  const out: Busy = [];
  for (const [s, e] of clipped) {
    const last = out[out.length - 1];
    if (last && s <= last[1]) last[1] = Math.max(last[1], e);
    else out.push([s, e]);
  }
  return out;
}

/** Busy time in `a` that is not in `b`, in minutes. */
function minutesOnlyIn(a: Busy, b: Busy): number {
  let total = 0;
  for (const [s, e] of a) {
    let covered = 0;
    for (const [bs, be] of b) covered += Math.max(0, Math.min(e, be) - Math.max(s, bs));
    total += e - s - covered;
  }
  return Math.round(total / 60_000);
}

function hubBusy(text: string, window: { start: number; end: number }): { busy: Busy; skipped: number; error?: string } {
  try {
    const { bookings, skipped } = normalizeCalendar(text, { resource: { id: 'r', bookedBy: 'time' }, timezone: SITE_ZONE, window });
    const spans: Busy = bookings
      .filter((b) => b.busy && b.status !== 'cancelled' && b.span.by === 'time')
      .map((b) => (b.span.by === 'time' ? [b.span.start, b.span.end] : [0, 0]));
    return { busy: merge(spans, window), skipped: skipped.length };
  } catch (e) {
    return { busy: [], skipped: 0, error: e instanceof Error ? e.message : String(e) };
  }
}

function referenceBusy(files: Array<{ path: string; window: { start: number; end: number } }>): Record<string, { busy?: Busy; error?: string }> {
  const input = JSON.stringify({
    timezone: SITE_ZONE,
    files: files.map((f) => ({ path: f.path, start: new Date(f.window.start).toISOString(), end: new Date(f.window.end).toISOString() })),
  });
  const run = spawnSync(PYTHON, [`${CORPUS_DIR}reference.py`], { input, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, timeout: 50_000 });
  if (run.status !== 0) throw new Error(`reference.py failed (${run.status}): ${run.stderr}`);
  return JSON.parse(run.stdout) as Record<string, { busy?: Busy; error?: string }>;
}

export interface FileResult {
  entry: ManifestEntry;
  hub: { busy: Busy; skipped: number; error?: string };
  reference: { busy: Busy; error?: string };
  hubOnlyMinutes: number;
  referenceOnlyMinutes: number;
}

export function compareCorpus(manifest: ManifestEntry[]): FileResult[] {
  const items = manifest.map((entry) => {
    const path = `${CORPUS_DIR}files/${entry.file}`;
    const text = readFileSync(path, 'utf8');
    return { entry, path, text, window: windowOf(text) };
  });
  const ref = referenceBusy(items.map((i) => ({ path: i.path, window: i.window })));
  return items.map(({ entry, path, text, window }) => {
    const hub = hubBusy(text, window);
    const r = ref[path] ?? { error: 'no answer' };
    const reference = { busy: merge(r.busy ?? [], window), ...(r.error ? { error: r.error } : {}) };
    return {
      entry, hub, reference,
      hubOnlyMinutes: minutesOnlyIn(hub.busy, reference.busy),
      referenceOnlyMinutes: minutesOnlyIn(reference.busy, hub.busy),
    };
  });
}
