/**
 * Sync advice for an operator piloting the hub: how fast bookings arrive at a site at peak, and
 * the poll interval that keeps up with them. The rule: poll at least twice as often as bookings
 * arrive at peak, so two bookings rarely land inside one sync window.
 */
export interface SyncAdvice {
  /** Most bookings that arrived in one hour over the last 7 days. */
  peakBookingsPerHour: number;
  /** Bookings seen over the last 7 days. */
  bookingsLast7Days: number;
  /** Seconds; null when no bookings were seen (nothing to advise). */
  recommendedPollEverySeconds: number | null;
  configuredPollEverySeconds: number;
  /** The configured interval is slower than recommended. */
  tooSlow: boolean;
  /** Share of polls that succeeded, 0..1; null before the first poll. */
  syncSuccessRate: number | null;
}

const HOUR_S = 3600;

export function syncAdvice(velocity: Map<number, number>, nowMs: number, pollEveryMs: number, polls: { ok: number; failed: number }): SyncAdvice {
  const since = Math.floor(nowMs / 3_600_000) - 7 * 24;
  let peak = 0;
  let total = 0;
  for (const [hour, n] of velocity) {
    if (hour <= since) continue;
    total += n;
    peak = Math.max(peak, n);
  }
  const configured = Math.round(pollEveryMs / 1000);
  const recommended = peak > 0 ? Math.max(1, Math.floor(HOUR_S / (2 * peak))) : null;
  const attempts = polls.ok + polls.failed;
  return {
    peakBookingsPerHour: peak,
    bookingsLast7Days: total,
    recommendedPollEverySeconds: recommended,
    configuredPollEverySeconds: configured,
    tooSlow: recommended !== null && configured > recommended,
    syncSuccessRate: attempts > 0 ? polls.ok / attempts : null,
  };
}
