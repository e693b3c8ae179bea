import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { caldavAdapter, type CaldavSettings } from '../../adapters/caldav/index.js';
import {
  AdapterAuthError, AdapterUnavailableError, CursorRejectedError,
} from '../../src/core/adapter/errors.js';
import type { SourceAdapter, SourceBooking, SourceSite, WriteRequest } from '../../src/core/adapter/port.js';
import { describeWithRadicale, startRadicale, type RadicaleServer } from '../helpers/radicale.js';
import { applyPull, calendar, pullRequest, silentLog, simpleEvent, site, VTIMEZONE_BERLIN } from './caldav-fixtures.js';

/**
 * The CalDAV adapter against a real Radicale (no mocks): recurrence across the 2027 spring DST
 * change in Europe/Berlin, free and cancelled events, the ctag fallback, idempotent write-back,
 * and the failures the core must tell apart.
 */


const apply = applyPull;

const spans = (state: Map<string, SourceBooking>) => Object.fromEntries([...state.values()].map((b) => [
  b.externalId, b.span.by === 'time' ? [new Date(b.span.start).toISOString(), new Date(b.span.end).toISOString()] : b.span.nights,
]));

describeWithRadicale('caldav adapter (Radicale)', () => {
  let radicale: RadicaleServer;
  const adapters: SourceAdapter[] = [];

  beforeAll(async () => { radicale = await startRadicale(); }, 30_000);
  afterAll(async () => {
    await Promise.all(adapters.map((a) => a.close()));
    await radicale?.stop();
  });

  const settings = (over: Partial<CaldavSettings> = {}): CaldavSettings => caldavAdapter.settings.parse({
    url: radicale.url, username: radicale.username, password: radicale.password, ...over,
  });
  const adapterFor = (s: SourceSite, over: Partial<CaldavSettings> = {}) => {
    const a = caldavAdapter.create({ siteId: s.id, timezone: s.timezone, settings: settings(over), log: silentLog });
    adapters.push(a);
    return a;
  };

  describe('recurring event with an exception and an EXDATE across 2027-03-28 (Europe/Berlin)', () => {
    const CAL = '/north/rec-hall/';
    const ID = `${CAL}standup.ics#standup-1@site.example`;
    const recurring = (rule: string, extra: string[], overrides: string[] = []) => calendar(VTIMEZONE_BERLIN, [
      'BEGIN:VEVENT', 'UID:standup-1@site.example', 'DTSTAMP:20270101T000000Z', 'SUMMARY:Morning class',
      'DTSTART;TZID=Europe/Berlin:20270325T090000', 'DTEND;TZID=Europe/Berlin:20270325T100000', `RRULE:${rule}`, ...extra,
      'END:VEVENT', ...overrides,
    ].join('\r\n'));
    const moved29 = [
      'BEGIN:VEVENT', 'UID:standup-1@site.example', 'DTSTAMP:20270101T000000Z', 'SUMMARY:Morning class (moved)',
      'RECURRENCE-ID;TZID=Europe/Berlin:20270329T090000',
      'DTSTART;TZID=Europe/Berlin:20270329T140000', 'DTEND;TZID=Europe/Berlin:20270329T153000', 'END:VEVENT',
    ].join('\r\n');

    it('expands in the calendar zone, drops the EXDATE, moves the exception, and replaces all instances on change', async () => {
      await radicale.makeCalendar(CAL, 'Recurrence Hall');
      await radicale.putEvent(CAL, 'standup.ics', recurring('FREQ=DAILY;COUNT=7', ['EXDATE;TZID=Europe/Berlin:20270327T090000'], [moved29]));
      const s = site([{ id: 'rec-hall', calendar: CAL }]);
      const adapter = adapterFor(s);
      const state = new Map<string, SourceBooking>();

      const full = await adapter.pull(pullRequest(s, null));
      expect(full.mode).toBe('full');
      expect(full.skipped).toEqual([]);
      expect(spans(apply(state, full))).toEqual({
        [`${ID}@20270325T080000Z`]: ['2027-03-25T08:00:00.000Z', '2027-03-25T09:00:00.000Z'], // CET, UTC+1
        [`${ID}@20270326T080000Z`]: ['2027-03-26T08:00:00.000Z', '2027-03-26T09:00:00.000Z'],
        // 27th: EXDATE. From the 28th on CEST, UTC+2: 09:00 local is 07:00Z.
        [`${ID}@20270328T070000Z`]: ['2027-03-28T07:00:00.000Z', '2027-03-28T08:00:00.000Z'],
        [`${ID}@20270329T070000Z`]: ['2027-03-29T12:00:00.000Z', '2027-03-29T13:30:00.000Z'], // the exception
        [`${ID}@20270330T070000Z`]: ['2027-03-30T07:00:00.000Z', '2027-03-30T08:00:00.000Z'],
        [`${ID}@20270331T070000Z`]: ['2027-03-31T07:00:00.000Z', '2027-03-31T08:00:00.000Z'],
      });
      expect([...state.values()].every((b) => b.resource === 'rec-hall' && b.busy && b.status === 'confirmed')).toBe(true);

      // Staff shorten the series to three days and drop the EXDATE: one changed object.
      await radicale.putEvent(CAL, 'standup.ics', recurring('FREQ=DAILY;COUNT=3', ['SEQUENCE:1']));
      const delta = await adapter.pull(pullRequest(s, full.cursor));
      expect(delta.mode).toBe('delta');
      expect(new Set(delta.removed)).toEqual(new Set([
        `${ID}@20270328T070000Z`, `${ID}@20270329T070000Z`, `${ID}@20270330T070000Z`, `${ID}@20270331T070000Z`,
      ]));
      expect(Object.keys(spans(apply(state, delta))).sort()).toEqual([
        `${ID}@20270325T080000Z`, `${ID}@20270326T080000Z`, `${ID}@20270327T080000Z`,
      ]);

      // Deleting the object removes every instance it had.
      await radicale.deleteEvent(CAL, 'standup.ics');
      const gone = await adapter.pull(pullRequest(s, delta.cursor));
      expect(new Set(gone.removed)).toEqual(new Set([`${ID}@20270325T080000Z`, `${ID}@20270326T080000Z`, `${ID}@20270327T080000Z`]));
      expect(apply(state, gone).size).toBe(0);
    });
  });

  it('ignores a transparent event and removes a cancelled event and a cancelled instance', async () => {
    const CAL = '/north/free-hall/';
    await radicale.makeCalendar(CAL, 'Free Hall');
    const day = (d: number, h: number) => Date.UTC(2027, 2, d, h);
    await radicale.putEvent(CAL, 'busy.ics', simpleEvent('busy-1', day(10, 9), day(10, 10)));
    await radicale.putEvent(CAL, 'free.ics', simpleEvent('free-1', day(11, 9), day(11, 10), ['TRANSP:TRANSPARENT']));
    await radicale.putEvent(CAL, 'weekly.ics', calendar([
      'BEGIN:VEVENT', 'UID:weekly-1', 'DTSTAMP:20270101T000000Z', 'DTSTART:20270301T120000Z', 'DTEND:20270301T130000Z',
      'RRULE:FREQ=WEEKLY;COUNT=3', 'END:VEVENT',
      'BEGIN:VEVENT', 'UID:weekly-1', 'DTSTAMP:20270101T000000Z', 'RECURRENCE-ID:20270308T120000Z',
      'DTSTART:20270308T120000Z', 'DTEND:20270308T130000Z', 'STATUS:CANCELLED', 'END:VEVENT',
    ].join('\r\n')));
    const s = site([{ id: 'free-hall', calendar: CAL }]);
    const adapter = adapterFor(s);
    const state = new Map<string, SourceBooking>();

    const full = await adapter.pull(pullRequest(s, null));
    const free = full.bookings.find((b) => b.externalId === `${CAL}free.ics#free-1`);
    expect(free?.busy).toBe(false);
    expect(full.bookings.find((b) => b.externalId === `${CAL}weekly.ics#weekly-1@20270308T120000Z`)?.status).toBe('cancelled');
    expect(Object.keys(spans(apply(state, full))).sort()).toEqual([
      `${CAL}busy.ics#busy-1`, `${CAL}weekly.ics#weekly-1@20270301T120000Z`, `${CAL}weekly.ics#weekly-1@20270315T120000Z`,
    ]);

    await radicale.putEvent(CAL, 'busy.ics', simpleEvent('busy-1', day(10, 9), day(10, 10), ['STATUS:CANCELLED', 'SEQUENCE:1']));
    const delta = await adapter.pull(pullRequest(s, full.cursor));
    expect(delta.bookings.map((b) => [b.externalId, b.status])).toEqual([[`${CAL}busy.ics#busy-1`, 'cancelled']]);
    expect(state.has(`${CAL}busy.ics#busy-1`)).toBe(true);
    apply(state, delta);
    expect(state.has(`${CAL}busy.ics#busy-1`)).toBe(false);
    expect(state.size).toBe(2);
  });

  it('falls back to getctag and etags on a server without sync-collection, one PROPFIND per unchanged poll', async () => {
    const CAL = '/north/ctag-hall/';
    await radicale.makeCalendar(CAL, 'Ctag Hall');
    await radicale.putEvent(CAL, 'a.ics', simpleEvent('a', Date.UTC(2027, 2, 10, 9), Date.UTC(2027, 2, 10, 10)));
    const s = site([{ id: 'ctag-hall', calendar: CAL }]);
    const adapter = adapterFor(s);
    const state = new Map<string, SourceBooking>();
    radicale.refuseSyncCollection(true);
    try {
      const full = await adapter.pull(pullRequest(s, null));
      apply(state, full);
      // The first delta learns that REPORT sync-collection is refused (501) and switches to ctag.
      const first = await adapter.pull(pullRequest(s, full.cursor));
      expect(first.bookings).toEqual([]);
      expect(JSON.parse(first.cursor!).calendars[`${radicale.url.replace(/\/$/, '')}${CAL}`].mode).toBe('ctag');

      radicale.resetRequests();
      const unchanged = await adapter.pull(pullRequest(s, first.cursor));
      expect(unchanged.bookings).toEqual([]);
      expect(unchanged.removed).toEqual([]);
      expect(radicale.requests().map((r) => r.method)).toEqual(['PROPFIND']);

      await radicale.putEvent(CAL, 'b.ics', simpleEvent('b', Date.UTC(2027, 2, 11, 9), Date.UTC(2027, 2, 11, 10)));
      const added = await adapter.pull(pullRequest(s, unchanged.cursor));
      expect(added.bookings.map((b) => b.externalId)).toEqual([`${CAL}b.ics#b`]);
      apply(state, added);

      await radicale.putEvent(CAL, 'b.ics', simpleEvent('b', Date.UTC(2027, 2, 12, 9), Date.UTC(2027, 2, 12, 11), ['SEQUENCE:1']));
      await radicale.deleteEvent(CAL, 'a.ics');
      const changed = await adapter.pull(pullRequest(s, added.cursor));
      expect(changed.removed).toEqual([`${CAL}a.ics#a`]);
      expect(spans(apply(state, changed))).toEqual({ [`${CAL}b.ics#b`]: ['2027-03-12T09:00:00.000Z', '2027-03-12T11:00:00.000Z'] });
      expect(radicale.requests().filter((r) => r.body.includes('sync-collection'))).toEqual([]);
    } finally {
      radicale.refuseSyncCollection(false);
    }
  });

  it('calls throttle() before every request it makes', async () => {
    const CAL = '/north/quota-hall/';
    await radicale.makeCalendar(CAL, 'Quota Hall');
    await radicale.putEvent(CAL, 'q.ics', simpleEvent('q', Date.UTC(2027, 2, 10, 9), Date.UTC(2027, 2, 10, 10)));
    const s = site([{ id: 'quota-hall', calendar: CAL }]);
    const adapter = adapterFor(s);
    let throttled = 0;
    const throttle = async () => { throttled += 1; };
    radicale.resetRequests();
    const full = await adapter.pull(pullRequest(s, null, { throttle }));
    await radicale.putEvent(CAL, 'r.ics', simpleEvent('r', Date.UTC(2027, 2, 11, 9), Date.UTC(2027, 2, 11, 10)));
    await adapter.pull(pullRequest(s, full.cursor, { throttle }));
    expect(radicale.requestCount()).toBeGreaterThan(3);
    expect(throttled).toBe(radicale.requestCount());
  });

  describe('write-back', () => {
    const CAL = '/north/studio/';
    const s = site([{ id: 'studio', calendar: 'Studio' }, { id: 'suite', calendar: '/north/suite/', bookedBy: 'night' }]);
    const write = (over: Partial<WriteRequest> = {}): WriteRequest => ({
      site: s, resource: s.resources[0]!, idempotencyKey: 'res-42-w1', reservationId: 'res-42',
      span: { by: 'time', start: Date.UTC(2027, 2, 20, 13), end: Date.UTC(2027, 2, 20, 15) }, quantity: 1,
      customer: { name: 'Ada Lovelace' }, signal: new AbortController().signal, throttle: async () => undefined, ...over,
    });
    beforeAll(async () => {
      await radicale.makeCalendar(CAL, 'Studio');
      await radicale.makeCalendar('/north/suite/', 'Suite');
    });

    it('reserving twice with one idempotency key creates one event; cancel removes it, twice', async () => {
      const adapter = adapterFor(s);
      const first = await adapter.reserve(write());
      const again = await adapterFor(s).reserve(write()); // a retry from another worker
      expect(again).toEqual(first);
      expect(first.externalId).toBe(`${CAL}avhub-res-42-w1.ics#avhub-res-42-w1@availability-hub`);
      expect(await radicale.listEvents(CAL)).toEqual(['avhub-res-42-w1.ics']);
      const stored = await radicale.getEvent(CAL, 'avhub-res-42-w1.ics');
      expect(stored).toContain('X-AVHUB-RESERVATION:res-42');

      const pulled = await adapter.pull(pullRequest(s, null));
      const mine = pulled.bookings.find((b) => b.externalId === first.externalId);
      expect(mine).toMatchObject({
        resource: 'studio', hubReference: 'res-42', busy: true, status: 'confirmed',
        span: { by: 'time', start: Date.UTC(2027, 2, 20, 13), end: Date.UTC(2027, 2, 20, 15) },
      });

      await adapter.cancel({ ...write(), externalId: first.externalId });
      expect(await radicale.listEvents(CAL)).toEqual([]);
      await expect(adapter.cancel({ ...write(), externalId: first.externalId })).resolves.toBeUndefined();
      const after = await adapter.pull(pullRequest(s, pulled.cursor));
      expect(after.removed).toEqual([first.externalId]);
    });

    it('writes a stay as an all-day event that pulls back as the same nights', async () => {
      const adapter = adapterFor(s);
      const req = write({
        resource: s.resources[1]!, idempotencyKey: 'res-7:w1', reservationId: 'res-7',
        span: { by: 'night', nights: ['2027-03-27', '2027-03-28'] },
      });
      const { externalId } = await adapter.reserve(req);
      expect(await adapter.reserve(req)).toEqual({ externalId });
      expect(await radicale.listEvents('/north/suite/')).toHaveLength(1);
      const pulled = await adapter.pull(pullRequest(s, null));
      expect(pulled.bookings.find((b) => b.externalId === externalId)).toMatchObject({
        resource: 'suite', hubReference: 'res-7', span: { by: 'night', nights: ['2027-03-27', '2027-03-28'] },
      });
      await adapter.cancel({ ...req, externalId });
      expect(await radicale.listEvents('/north/suite/')).toEqual([]);
    });

    it('refuses to take over an object of that name that another reservation wrote', async () => {
      await radicale.putEvent(CAL, 'avhub-taken.ics', simpleEvent('x', Date.UTC(2027, 2, 21, 9), Date.UTC(2027, 2, 21, 10), ['X-AVHUB-RESERVATION:res-other']));
      await expect(adapterFor(s).reserve(write({ idempotencyKey: 'taken' }))).rejects.toThrow(/another reservation/);
      await radicale.deleteEvent(CAL, 'avhub-taken.ics');
    });
  });

  describe('failures', () => {
    const CAL = '/north/main-hall/';
    const s = site([{ id: 'main-hall', calendar: CAL }]);
    beforeAll(async () => {
      await radicale.makeCalendar(CAL, 'Main Hall');
      await radicale.putEvent(CAL, 'm.ics', simpleEvent('m', Date.UTC(2027, 2, 10, 9), Date.UTC(2027, 2, 10, 10)));
    });

    it('a wrong password is an AdapterAuthError that does not show the password', async () => {
      const adapter = adapterFor(s, { password: 'wrong-horse-battery' });
      const err = await adapter.pull(pullRequest(s, null)).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(AdapterAuthError);
      expect(String((err as Error).message)).not.toContain('wrong-horse-battery');
      expect((err as Error).message).toContain('401');
      await expect(adapter.reserve({
        site: s, resource: s.resources[0]!, idempotencyKey: 'k', reservationId: 'r', quantity: 1, customer: null,
        span: { by: 'time', start: Date.UTC(2027, 2, 20, 9), end: Date.UTC(2027, 2, 20, 10) },
        signal: new AbortController().signal, throttle: async () => undefined,
      })).rejects.toBeInstanceOf(AdapterAuthError);
    });

    it('a sync token the server does not know is a CursorRejectedError', async () => {
      const adapter = adapterFor(s);
      const full = await adapter.pull(pullRequest(s, null));
      radicale.rewriteSyncToken(`http://radicale.org/ns/sync/${'0'.repeat(64)}`);
      try {
        await expect(adapter.pull(pullRequest(s, full.cursor))).rejects.toBeInstanceOf(CursorRejectedError);
      } finally {
        radicale.rewriteSyncToken(null);
      }
    });

    it('a cursor that is not ours, or made for another mapping, is rejected', async () => {
      const adapter = adapterFor(s);
      await expect(adapter.pull(pullRequest(s, 'not json'))).rejects.toBeInstanceOf(CursorRejectedError);
      const full = await adapter.pull(pullRequest(s, null));
      const other = site([{ id: 'main-hall', calendar: 'Main Hall' }]);
      await expect(adapter.pull(pullRequest(other, full.cursor))).rejects.toBeInstanceOf(CursorRejectedError);
    });

    it('a dropped connection is an AdapterUnavailableError', async () => {
      const adapter = adapterFor(s);
      const full = await adapter.pull(pullRequest(s, null));
      radicale.goDown('close');
      try {
        await expect(adapter.pull(pullRequest(s, full.cursor))).rejects.toBeInstanceOf(AdapterUnavailableError);
        await expect(adapter.pull(pullRequest(s, null))).rejects.toBeInstanceOf(AdapterUnavailableError);
      } finally {
        radicale.comeBack();
      }
    });

    it('a calendar deleted at the source rejects the cursor; the full pull then says what is there', async () => {
      const TEMP = '/north/temp-hall/';
      await radicale.makeCalendar(TEMP, 'Temp Hall');
      for (const mode of ['sync', 'ctag'] as const) {
        const temp = site([{ id: 'temp-hall', calendar: TEMP }]);
        const adapter = adapterFor(temp);
        radicale.refuseSyncCollection(mode === 'ctag');
        try {
          let { cursor } = await adapter.pull(pullRequest(temp, null));
          if (mode === 'ctag') ({ cursor } = await adapter.pull(pullRequest(temp, cursor)));
          await radicale.deleteCalendar(TEMP);
          await expect(adapter.pull(pullRequest(temp, cursor))).rejects.toThrow(CursorRejectedError);
          await expect(adapter.pull(pullRequest(temp, null))).rejects.toThrow(/resource "temp-hall": no calendar matches "\/north\/temp-hall\/"; available: /);
        } finally {
          radicale.refuseSyncCollection(false);
        }
        await radicale.makeCalendar(TEMP, 'Temp Hall');
      }
    });

    it('a resource whose calendar does not exist fails with the calendars there are', async () => {
      const bad = site([{ id: 'ballroom', calendar: '/north/ballroom/' }]);
      await expect(adapterFor(bad).pull(pullRequest(bad, null))).rejects.toThrow(/resource "ballroom": no calendar matches "\/north\/ballroom\/"; available: .*\/north\/main-hall\/ \("Main Hall"\)/);
    });

    it('skips discovery when the calendar home is configured', async () => {
      const adapter = adapterFor(s, { calendarHome: '/north/' });
      radicale.resetRequests();
      const result = await adapter.pull(pullRequest(s, null));
      expect(result.bookings.map((b) => b.externalId)).toEqual([`${CAL}m.ics#m`]);
      // The window's calendar-query, then the recurring series (RRULE, RDATE) whatever their first instance.
      expect(radicale.requests().map((r) => `${r.method} ${r.path}`)).toEqual([`PROPFIND /north/`, `REPORT ${CAL}`, `REPORT ${CAL}`, `REPORT ${CAL}`]);
    });

    it('finds a calendar by its display name or a path suffix', async () => {
      for (const ref of ['Main Hall', 'main hall', 'main-hall/']) {
        const byName = site([{ id: 'main-hall', calendar: ref }]);
        const result = await adapterFor(byName).pull(pullRequest(byName, null));
        expect(result.bookings.map((b) => b.externalId)).toEqual([`${CAL}m.ics#m`]);
      }
    });
  });
});
