import { afterAll, beforeAll, expect, it } from 'vitest';
import { caldavAdapter } from '../../adapters/caldav/index.js';
import type { SourceAdapter, WriteRequest } from '../../src/core/adapter/port.js';
import { RADICALE, startRadicale } from '../helpers/radicale.js';
import { describeWithBinary, withBinary, type Requirement } from '../helpers/requires-binary.js';
import { startXandikos, XANDIKOS } from '../helpers/xandikos.js';
import { applyPull, calendar, contractEvents, pullRequest, silentLog, simpleEvent, site, VTIMEZONE_BERLIN } from './caldav-fixtures.js';
import { adapterContract, type ContractHarness } from './contract.js';

/**
 * The CalDAV adapter on both real servers the project runs (Radicale and Xandikos): the adapter
 * contract on Xandikos (the Radicale one is caldav.contract.test.ts), a recurring series that
 * began before the window (issue 13 case 10: Xandikos's time-range filter matches a series by its
 * first instance only), per-resource failure (case 9 for CalDAV), idempotent write-back and a
 * series across the 2027 spring DST change on both.
 */

interface Server {
  url: string;
  username: string;
  password: string;
  /** A fresh calendar path for `name`. */
  calendarPath(name: string): string;
  makeCalendar(path: string, displayName: string): Promise<void>;
  putEvent(calPath: string, name: string, ics: string): Promise<void>;
  deleteEvent(calPath: string, name: string): Promise<void>;
  stop(): Promise<void>;
}

const servers: Array<{ name: string; requirement: Requirement; start: () => Promise<Server> }> = [
  {
    name: 'Radicale', requirement: RADICALE,
    start: async () => {
      const r = await startRadicale();
      return { ...r, url: r.url, username: r.username, password: r.password, calendarPath: (n) => `/north/${n}/`, stop: () => r.stop() };
    },
  },
  {
    name: 'Xandikos', requirement: XANDIKOS,
    start: async () => {
      const x = await startXandikos();
      return { ...x, username: 'north', password: 'unused', calendarPath: (n) => `${x.home}${n}/`, stop: () => x.stop() };
    },
  },
];

/** Weekly on Mondays 09:00–10:00 UTC since 2026-01-05: long before the test window (March–April 2027). */
const OLD_SERIES = calendar([
  'BEGIN:VEVENT', 'UID:since-2026@site.example', 'DTSTAMP:20260101T000000Z', 'SUMMARY:Weekly since 2026',
  'DTSTART:20260105T090000Z', 'DTEND:20260105T100000Z', 'RRULE:FREQ=WEEKLY', 'END:VEVENT',
].join('\r\n'));
/** Mondays of March and April 2027. */
const MONDAYS = ['20270301', '20270308', '20270315', '20270322', '20270329', '20270405', '20270412', '20270419', '20270426'];

for (const server of servers) {
  describeWithBinary(server.requirement, `caldav on ${server.name}`, () => {
    let srv: Server;
    const adapters: SourceAdapter[] = [];
    beforeAll(async () => { srv = await server.start(); }, 30_000);
    afterAll(async () => {
      await Promise.all(adapters.map((a) => a.close()));
      await srv?.stop();
    });
    const adapterFor = (s: ReturnType<typeof site>) => {
      const a = caldavAdapter.create({
        siteId: s.id, timezone: s.timezone, log: silentLog,
        settings: caldavAdapter.settings.parse({ url: srv.url, username: srv.username, password: srv.password }),
      });
      adapters.push(a);
      return a;
    };

    it('issue 13 case 10: a series that began a year before the window is found, and stays through deltas', async () => {
      const cal = srv.calendarPath('old-series');
      await srv.makeCalendar(cal, 'Old Series');
      await srv.putEvent(cal, 'weekly.ics', OLD_SERIES);
      const s = site([{ id: 'old-series', calendar: cal }]);
      const adapter = adapterFor(s);
      const full = await adapter.pull(pullRequest(s, null));
      const ids = MONDAYS.map((d) => `${cal}weekly.ics#since-2026@site.example@${d}T090000Z`);
      const state = applyPull(new Map(), full);
      expect([...state.keys()].sort()).toEqual(ids);

      // An unrelated change: the series is neither re-fetched into nothing nor reported removed.
      await srv.putEvent(cal, 'other.ics', simpleEvent('other', Date.UTC(2027, 2, 10, 12), Date.UTC(2027, 2, 10, 13)));
      const delta = await adapter.pull(pullRequest(s, full.cursor));
      expect(delta.removed).toEqual([]);
      applyPull(state, delta);
      expect(state.size).toBe(MONDAYS.length + 1);

      // In the getctag + etag fallback (a listing of the window) too.
      const ctagCursor = JSON.parse(delta.cursor!) as { calendars: Record<string, { mode: string; syncToken?: string }> };
      for (const c of Object.values(ctagCursor.calendars)) { c.mode = 'ctag'; delete c.syncToken; }
      await srv.putEvent(cal, 'other.ics', simpleEvent('other', Date.UTC(2027, 2, 11, 12), Date.UTC(2027, 2, 11, 13), ['SEQUENCE:1']));
      const ctag = await adapter.pull(pullRequest(s, JSON.stringify(ctagCursor)));
      expect(ctag.removed).toEqual([]);
      applyPull(state, ctag);
      expect([...state.keys()].filter((k) => k.includes('since-2026')).sort()).toEqual(ids);
    });

    it('a calendar that fails fails only its resource when the core keeps failed resources; else the error names it', async () => {
      const good = srv.calendarPath('good-hall');
      await srv.makeCalendar(good, 'Good Hall');
      await srv.putEvent(good, 'g.ics', simpleEvent('g', Date.UTC(2027, 2, 10, 9), Date.UTC(2027, 2, 10, 10)));
      const s = site([{ id: 'good-hall', calendar: good }, { id: 'lost-hall', calendar: srv.calendarPath('lost-hall') }]);
      const adapter = adapterFor(s);
      const err = await adapter.pull(pullRequest(s, null)).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(Error);
      expect((err as Error).message).toMatch(/resource "lost-hall"/);
      const partial = await adapter.pull({ ...pullRequest(s, null), partialResults: true });
      expect(partial.mode).toBe('full');
      expect(partial.bookings.map((b) => b.externalId)).toEqual([`${good}g.ics#g`]);
      expect(partial.resourceErrors).toEqual([{ resource: 'lost-hall', origin: srv.calendarPath('lost-hall'), code: 'ADAPTER.ERROR', message: expect.stringMatching(/no calendar matches/) }]);
      expect(partial.skipped).toEqual([{ externalId: `(calendar ${srv.calendarPath('lost-hall')})`, resource: 'lost-hall', reason: expect.stringContaining('last data kept') }]);
      expect(partial.cursor).toBeNull();
    });

    it('a write-back retried with one key is one event, read back as the hub\'s, and cancelled', async () => {
      const cal = srv.calendarPath('studio');
      await srv.makeCalendar(cal, 'Studio');
      const s = site([{ id: 'studio', calendar: cal }]);
      const req: WriteRequest = {
        site: s, resource: s.resources[0]!, idempotencyKey: 'res-9-w1', reservationId: 'res-9',
        span: { by: 'time', start: Date.UTC(2027, 2, 20, 13), end: Date.UTC(2027, 2, 20, 15) }, quantity: 1,
        customer: null, signal: new AbortController().signal, throttle: async () => undefined,
      };
      const adapter = adapterFor(s);
      const first = await adapter.reserve(req);
      expect(await adapterFor(s).reserve(req)).toEqual(first);
      const full = await adapter.pull(pullRequest(s, null));
      expect(full.bookings.map((b) => [b.externalId, b.hubReference])).toEqual([[first.externalId, 'res-9']]);
      await adapter.cancel({ ...req, externalId: first.externalId });
      const delta = await adapter.pull(pullRequest(s, full.cursor));
      expect(delta.removed).toEqual([first.externalId]);
    });

    it('a weekly 09:00 Europe/Berlin series across 2027-03-28 with an EXDATE and a moved instance', async () => {
      const cal = srv.calendarPath('dst-hall');
      await srv.makeCalendar(cal, 'DST Hall');
      await srv.putEvent(cal, 'yoga.ics', calendar([
        VTIMEZONE_BERLIN,
        'BEGIN:VEVENT', 'UID:yoga', 'DTSTAMP:20270101T000000Z', 'DTSTART;TZID=Europe/Berlin:20270315T090000',
        'DTEND;TZID=Europe/Berlin:20270315T100000', 'RRULE:FREQ=WEEKLY;COUNT=4', 'EXDATE;TZID=Europe/Berlin:20270322T090000', 'END:VEVENT',
        'BEGIN:VEVENT', 'UID:yoga', 'DTSTAMP:20270101T000000Z', 'RECURRENCE-ID;TZID=Europe/Berlin:20270329T090000',
        'DTSTART;TZID=Europe/Berlin:20270330T180000', 'DTEND;TZID=Europe/Berlin:20270330T190000', 'END:VEVENT',
      ].join('\r\n')));
      const s = site([{ id: 'dst-hall', calendar: cal }]);
      const state = applyPull(new Map(), await adapterFor(s).pull(pullRequest(s, null)));
      const spans = Object.fromEntries([...state.values()].map((b) => [b.externalId.slice(b.externalId.indexOf('#') + 1),
        b.span.by === 'time' ? new Date(b.span.start).toISOString() : '']));
      expect(spans).toEqual({
        'yoga@20270315T080000Z': '2027-03-15T08:00:00.000Z', // CET
        'yoga@20270329T070000Z': '2027-03-30T16:00:00.000Z', // moved; CEST
        'yoga@20270405T070000Z': '2027-04-05T07:00:00.000Z',
      });
    });

    it('when every calendar fails the pull fails', async () => {
      const s = site([{ id: 'nowhere', calendar: srv.calendarPath('nowhere') }]);
      await expect(adapterFor(s).pull({ ...pullRequest(s, null), partialResults: true })).rejects.toThrow(/resource "nowhere"/);
    });
  });
}

withBinary(XANDIKOS, 'caldav (Xandikos)', () => {
  adapterContract('caldav (Xandikos)', async (): Promise<ContractHarness> => {
    const x = await startXandikos();
    const CAL = `${x.home}main-hall/`;
    await x.makeCalendar(CAL, 'Main Hall');
    const s = site([{ id: 'main-hall', calendar: CAL }]);
    const adapter = caldavAdapter.create({
      siteId: s.id, timezone: s.timezone, log: silentLog,
      settings: caldavAdapter.settings.parse({ url: x.url, username: 'north', password: 'unused' }),
    });
    return {
      site: s,
      adapter,
      ...contractEvents(CAL, (cal, name, ics) => x.putEvent(cal, name, ics), (cal, name) => x.deleteEvent(cal, name)),
      // Xandikos 0.2.8 answers 500 to a token it does not know: the proxy answers as RFC 6578 says.
      async expireCursor() { x.refuseSyncTokens(true); },
      goDown: async () => { x.refuseSyncTokens(false); x.goDown(); },
      comeBack: async () => x.comeBack(),
      requestCount: async () => x.requestCount(),
      async close() {
        await adapter.close();
        await x.stop();
      },
    };
  });
});
