import { bearer, call } from '../helpers/hub.js';

/** The `q` quantile (0..1) of `values`, nearest rank. */
export function quantile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? Number.NaN;
}

/** The hub's answer for one night of one pool resource (what a guest would see). */
export async function nightAvailable(base: string, admin: string, site: string, resource: string, night: string): Promise<number> {
  const next = new Date(Date.parse(`${night}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
  const r = await call(base, 'GET', `/v1/availability?site=${site}&resource=${resource}&from=${night}&to=${next}`, { headers: bearer(admin) });
  if (r.status !== 200) throw new Error(`availability answered ${r.status}: ${JSON.stringify(r.body)}`);
  const nights = (r.body.sites[0].resources[0].nights ?? []) as Array<{ date: string; available: number }>;
  const hit = nights.find((n) => n.date === night);
  if (!hit) throw new Error(`no night ${night} in ${JSON.stringify(nights)}`);
  return hit.available;
}

/**
 * Lag from a change at the source to the new answer of GET /v1/availability, for `n` changes one
 * after another: `change(i)` makes change i at the source (and, for a generic PMS, sends the
 * notification), `seen(i)` says whether the hub's answer shows it yet. Gives up on one change after
 * `giveUpMs` (counted as that long). `pauseMs` is waited before each change, outside the clock.
 */
export async function measureLags(n: number, change: (i: number) => Promise<void>, seen: (i: number) => Promise<boolean>,
  giveUpMs = 10_000, pauseMs: () => number = () => 0): Promise<number[]> {
  const lags: number[] = [];
  for (let i = 0; i < n; i += 1) {
    // A pause before the clock starts puts changes at arbitrary phases of a poll interval.
    await new Promise((r) => setTimeout(r, pauseMs()));
    const started = performance.now();
    await change(i);
    for (;;) {
      if (await seen(i)) break;
      if (performance.now() - started > giveUpMs) break;
      await new Promise((r) => setTimeout(r, 10));
    }
    lags.push(performance.now() - started);
  }
  return lags;
}

/** A date `days` from today (UTC), as YYYY-MM-DD. */
export function dayFromNow(days: number): string {
  return new Date(Math.floor(Date.now() / 86_400_000) * 86_400_000 + days * 86_400_000).toISOString().slice(0, 10);
}
