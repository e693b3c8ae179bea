import { describe, expect, it } from 'vitest';
import { syncAdvice } from './advice.js';

const NOW = Date.UTC(2027, 0, 10, 12);
const hour = (hoursAgo: number) => Math.floor(NOW / 3_600_000) - hoursAgo;

describe('syncAdvice', () => {
  it('recommends polling twice as often as bookings arrive at peak', () => {
    const v = new Map([[hour(1), 4], [hour(30), 12], [hour(200), 500]]);
    const advice = syncAdvice(v, NOW, 30 * 60_000, { ok: 9, failed: 1 });
    expect(advice).toEqual({
      peakBookingsPerHour: 12, bookingsLast7Days: 16, recommendedPollEverySeconds: 150,
      configuredPollEverySeconds: 1800, tooSlow: true, syncSuccessRate: 0.9,
    });
  });

  it('has nothing to advise without bookings, and a fast enough interval is not flagged', () => {
    expect(syncAdvice(new Map(), NOW, 30_000, { ok: 0, failed: 0 })).toMatchObject({ recommendedPollEverySeconds: null, tooSlow: false, syncSuccessRate: null });
    expect(syncAdvice(new Map([[hour(2), 6]]), NOW, 30_000, { ok: 1, failed: 0 })).toMatchObject({ recommendedPollEverySeconds: 300, tooSlow: false });
  });
});
