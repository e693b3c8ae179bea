import ICAL from 'ical.js';
import { describe, expect, it } from 'vitest';
import { buildEventIcs, normalizeCalendar, PRODID } from './index.js';

const WINDOW = { start: Date.UTC(2027, 2, 1), end: Date.UTC(2027, 4, 1) };
const base = { uid: 'avhub-res_7', summary: 'Hub booking; "VIP", room 12', timezone: 'Europe/Berlin', reservationId: 'res_7', createdAt: Date.UTC(2027, 1, 3, 4, 5, 6) };

describe('buildEventIcs', () => {
  it('writes a time span in UTC and reads back as the same booking with the hub reference', () => {
    const span = { by: 'time' as const, start: Date.UTC(2027, 2, 28, 0, 30), end: Date.UTC(2027, 2, 28, 2, 30) };
    const ics = buildEventIcs({ ...base, span });
    const cal = new ICAL.Component(ICAL.parse(ics));
    expect(cal.getFirstPropertyValue('prodid')).toBe(PRODID);
    expect(cal.getFirstPropertyValue('version')).toBe('2.0');
    const ev = cal.getFirstSubcomponent('vevent')!;
    expect(ev.getFirstProperty('dtstart')!.toICALString()).toBe('DTSTART:20270328T003000Z');
    expect(ev.getFirstProperty('dtend')!.toICALString()).toBe('DTEND:20270328T023000Z');
    expect(ev.getFirstProperty('dtstamp')!.toICALString()).toBe('DTSTAMP:20270203T040506Z');
    expect(ev.getFirstPropertyValue('summary')).toBe(base.summary);
    expect(ics).toContain('\r\n');

    const { bookings, skipped } = normalizeCalendar(ics, { resource: { id: 'hall', bookedBy: 'time' }, timezone: 'Europe/Berlin', window: WINDOW });
    expect(skipped).toEqual([]);
    expect(bookings).toEqual([{
      externalId: 'avhub-res_7', resource: 'hall', span, quantity: 1, status: 'confirmed', busy: true,
      createdAt: base.createdAt, updatedAt: base.createdAt, hubReference: 'res_7', title: base.summary,
    }]);
  });

  it('writes nights as an all-day VALUE=DATE check-in/check-out that reads back as the same nights', () => {
    const nights = ['2027-03-27', '2027-03-28'];
    const ics = buildEventIcs({ ...base, span: { by: 'night', nights } });
    expect(ics).toContain('DTSTART;VALUE=DATE:20270327\r\n');
    expect(ics).toContain('DTEND;VALUE=DATE:20270329\r\n');
    expect(ics).toContain('X-AVHUB-RESERVATION:res_7\r\n');
    for (const timezone of ['Europe/Berlin', 'Pacific/Auckland']) {
      const { bookings } = normalizeCalendar(ics, { resource: { id: 'double', bookedBy: 'night' }, timezone, window: WINDOW });
      expect(bookings[0]?.span).toEqual({ by: 'night', nights });
    }
  });

  it('is deterministic: the same reservation always gives the same text', () => {
    const span = { by: 'night' as const, nights: ['2027-03-10'] };
    expect(buildEventIcs({ ...base, span })).toBe(buildEventIcs({ ...base, span }));
  });

  it('refuses spans it cannot write as one event', () => {
    expect(() => buildEventIcs({ ...base, span: { by: 'night', nights: [] } })).toThrow(RangeError);
    expect(() => buildEventIcs({ ...base, span: { by: 'night', nights: ['2027-03-10', '2027-03-12'] } })).toThrow(/consecutive/);
    expect(() => buildEventIcs({ ...base, span: { by: 'time', start: 5, end: 5 } })).toThrow(RangeError);
    expect(() => buildEventIcs({ ...base, timezone: 'Nowhere/Land', span: { by: 'time', start: 0, end: 1 } })).toThrow(/zone/);
  });
});
