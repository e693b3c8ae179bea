import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { mapEvent, type GoogleEvent, type MapContext, type Mapped } from './mapper.js';

/** Events pages shaped like Google's events.list answers (see fixtures/README.md). */
function fixture(name: string): GoogleEvent[] {
  return (JSON.parse(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8')) as { items: GoogleEvent[] }).items;
}

const NY = 'America/New_York';
const CAL = 'studio-a@group.calendar.google.com';
const byTime: MapContext = { calendarId: CAL, resource: { id: 'studio', bookedBy: 'time' }, timezone: NY };
const byNight: MapContext = { calendarId: CAL, resource: { id: 'room', bookedBy: 'night' }, timezone: NY };

const page = fixture('events-list-new-york.json');
const item = (id: string) => page.find((e) => e.id === id)!;
const booking = (m: Mapped) => {
  if (m.kind !== 'booking') throw new Error(`expected a booking, got ${JSON.stringify(m)}`);
  return m.booking;
};

describe('google mapper', () => {
  it('places 09:00 New York on each side of the 2027-03-14 DST change at the right UTC instant', () => {
    expect(booking(mapEvent(item('dstbefore0001'), byTime)).span).toEqual({
      by: 'time', start: Date.UTC(2027, 2, 13, 14), end: Date.UTC(2027, 2, 13, 15),
    });
    expect(booking(mapEvent(item('dstafter0002'), byTime)).span).toEqual({
      by: 'time', start: Date.UTC(2027, 2, 15, 13), end: Date.UTC(2027, 2, 15, 14),
    });
  });

  it('reads an offset-less dateTime in its timeZone (03:30 on the DST day is already EDT)', () => {
    expect(booking(mapEvent(item('floating0008'), byTime)).span).toEqual({
      by: 'time', start: Date.UTC(2027, 2, 14, 7, 30), end: Date.UTC(2027, 2, 14, 8, 30),
    });
  });

  it('maps an all-day event to local dates (nights), end date exclusive', () => {
    expect(booking(mapEvent(item('allday0003'), byNight)).span).toEqual({ by: 'night', nights: ['2027-03-13', '2027-03-14'] });
  });

  it('maps an all-day event on a resource booked by time to local midnights in the site zone (a 23-hour day)', () => {
    expect(booking(mapEvent(item('allday0003'), byTime)).span).toEqual({
      by: 'time', start: Date.UTC(2027, 2, 13, 5), end: Date.UTC(2027, 2, 15, 4),
    });
    const berlin = booking(mapEvent(item('allday0003'), { ...byTime, timezone: 'Europe/Berlin' })).span;
    expect(berlin).toEqual({ by: 'time', start: Date.UTC(2027, 2, 12, 23), end: Date.UTC(2027, 2, 14, 23) });
  });

  it('maps a timed stay on a night resource to the nights from check-in to check-out date', () => {
    const stay: GoogleEvent = { id: 'stay0001', status: 'confirmed', start: { dateTime: '2027-03-13T15:00:00-05:00' }, end: { dateTime: '2027-03-15T11:00:00-04:00' } };
    expect(booking(mapEvent(stay, byNight)).span).toEqual({ by: 'night', nights: ['2027-03-13', '2027-03-14'] });
    const dayUse: GoogleEvent = { id: 'dayuse001', start: { dateTime: '2027-03-13T10:00:00-05:00' }, end: { dateTime: '2027-03-13T14:00:00-05:00' } };
    expect(booking(mapEvent(dayUse, byNight)).span).toEqual({ by: 'night', nights: ['2027-03-13'] });
  });

  it('treats transparent events as free and tentative ones as tentative', () => {
    expect(booking(mapEvent(item('transparent0004'), byTime))).toMatchObject({ busy: false, status: 'confirmed' });
    expect(booking(mapEvent(item('tentative0005'), byTime))).toMatchObject({ busy: true, status: 'tentative' });
  });

  it('carries ids, resource, created/updated, the hub reference and quantity', () => {
    const b = booking(mapEvent(item('dstbefore0001'), byTime));
    expect(b).toMatchObject({
      externalId: `${CAL}/dstbefore0001`,
      resource: 'studio',
      quantity: 1,
      createdAt: Date.parse('2027-02-20T10:00:00.000Z'),
      updatedAt: Date.parse('2027-02-21T11:30:00.000Z'),
    });
    expect(b.hubReference).toBeUndefined();
    const hub = booking(mapEvent(page.find((e) => e.id?.startsWith('avhub'))!, byTime));
    expect(hub).toMatchObject({ hubReference: 'res_01HV8K2M3N4P5Q6R7S8T9V0W1X', quantity: 2, busy: true });
  });

  it('keeps instances of recurring events under their instance id', () => {
    expect(booking(mapEvent(item('weekly0007_20270320T130000Z'), byTime))).toMatchObject({
      externalId: `${CAL}/weekly0007_20270320T130000Z`,
      span: { by: 'time', start: Date.UTC(2027, 2, 20, 13), end: Date.UTC(2027, 2, 20, 14) },
    });
  });

  it('turns cancelled stubs (single events and instances) into removals', () => {
    const changes = fixture('events-sync-changes.json');
    expect(changes.map((e) => mapEvent(e, byTime).kind)).toEqual(['removed', 'removed', 'booking']);
    expect(mapEvent(changes[1]!, byTime)).toEqual({ kind: 'removed', externalId: `${CAL}/weekly0007_20270327T130000Z` });
  });

  it('skips malformed events with a reason and never throws', () => {
    const skipped = page.map((e) => mapEvent(e, byTime)).filter((m) => m.kind === 'skipped');
    expect(skipped).toEqual([
      { kind: 'skipped', externalId: `${CAL}/nostart0009`, reason: 'event without start or end' },
      { kind: 'skipped', externalId: `${CAL}/backwards0010`, reason: 'event that ends before it starts' },
      { kind: 'skipped', externalId: `${CAL}/?`, reason: 'event without an id' },
    ]);
    const odd: GoogleEvent[] = [
      { id: 'x1', status: 'confirmed', start: { date: '2027-02-30' }, end: { date: '2027-03-01' } },
      { id: 'x2', status: 'confirmed', start: { dateTime: 'tomorrow' }, end: { dateTime: 'later' } },
      { id: 'x3', status: 'weird', start: { date: '2027-03-01' }, end: { date: '2027-03-02' } },
      { id: 'x4', start: { date: '2027-03-01' }, end: { dateTime: '2027-03-02T10:00:00Z' } },
      { id: 'x5', start: { dateTime: '2027-03-01T10:00:00Z' }, end: { dateTime: '2027-03-01T10:00:00Z' } },
      { id: 'x6', start: null, end: null },
    ];
    for (const e of odd) expect(mapEvent(e, byTime).kind).toBe('skipped');
  });
});
