import { randomBytes } from 'node:crypto';
import { addDays, daysBetween, isTimeZone } from '../../../src/domain/index.js';
import { badRequest, notFound, SimError } from './errors.js';
import { checkRecurrence, expandOccurrences, type Occurrence } from './expand.js';
import { formatInZone, instantOf, isoUtc, normalizeDateTime } from './times.js';
import type { SimCancelledEvent, SimEvent, SimEventsPage, SimExtendedProperties, SimWireEvent } from './types.js';

/**
 * The simulator's calendars and events, with Google's sync semantics: every change gets a sequence
 * number; a sync token remembers the sequence it was issued at and answers with what changed since,
 * deleted events included as `status: "cancelled"`.
 *
 * Long because it is one in-memory model of Google's calendar semantics (events, instances,
 * sync tokens, pagination) whose parts share its state; the wire format lives in api.ts.
 */

const DAY = 86_400_000;
/** Unbounded series (no timeMax, sync answers) are expanded this far past their start or now. */
const HORIZON_MS = 732 * DAY;
const MAX_INSTANCES = 1000;
/** Google's documented page size limits for events.list. */
export const DEFAULT_PAGE_SIZE = 250;
export const MAX_PAGE_SIZE = 2500;
/** Client-chosen ids: base32hex (a–v, 0–9), 5–1024 characters. */
const EVENT_ID = /^[a-v0-9]{5,1024}$/;

interface Stored { event: SimEvent; seq: number }
interface Tombstone { event: SimCancelledEvent; seq: number }

interface SimCalendar {
  id: string;
  timeZone: string;
  summary: string;
  events: Map<string, Stored>;
  /** Instances that a change to their series removed, kept so sync answers can report them. */
  tombstones: Map<string, Tombstone>;
}

/** events.list parameters after parsing (see api.ts for the checks Google makes on the query). */
export interface ListQuery {
  singleEvents: boolean;
  showDeleted: boolean;
  timeMin?: number;
  timeMax?: number;
  orderBy?: 'startTime' | 'updated';
  maxResults: number;
  pageToken?: string;
  syncToken?: string;
  iCalUID?: string;
  q?: string;
  updatedMin?: number;
  privateExtendedProperty: string[];
  sharedExtendedProperty: string[];
  /** The query minus pageToken/maxResults: a page token only continues the query it came from. */
  fingerprint: string;
}

/** One candidate of a list answer: the full event (for filters) and what goes on the wire. */
interface Entry { full: SimEvent | null; wire: SimWireEvent; key: string }

const b64 = (v: object) => Buffer.from(JSON.stringify(v)).toString('base64url');
function unb64(token: string): Record<string, unknown> | null {
  try {
    const v: unknown = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    return v !== null && typeof v === 'object' ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

export class SimStore {
  private readonly calendars = new Map<string, SimCalendar>();
  private seq = 0;
  /** Bumped by expireSyncTokens: every token issued before answers 410. */
  private epoch = 0;

  constructor(private readonly now: () => number) {}

  createCalendar(id: string, opts: { timeZone: string; summary?: string }): void {
    if (typeof id !== 'string' || id.length === 0) throw badRequest('Missing calendar id.', 'id', 'required');
    if (!isTimeZone(opts.timeZone)) throw badRequest('Invalid time zone.', 'timeZone');
    if (this.calendars.has(id)) throw new SimError(409, 'duplicate');
    this.calendars.set(id, { id, timeZone: opts.timeZone, summary: opts.summary ?? id, events: new Map(), tombstones: new Map() });
  }

  calendarResource(calendarId: string): object {
    const cal = this.calendar(calendarId);
    return { kind: 'calendar#calendar', etag: `"${this.seq}"`, id: cal.id, summary: cal.summary, timeZone: cal.timeZone };
  }

  /** Makes every sync token issued so far answer 410 `fullSyncRequired`. */
  expireSyncTokens(): void {
    this.epoch++;
  }

  /** The stored events of a calendar (masters, exceptions, deleted ones), for tests and the admin API. */
  storedEvents(calendarId: string): SimEvent[] {
    return [...this.calendar(calendarId).events.values()].map((s) => structuredClone(s.event));
  }

  insert(calendarId: string, input: unknown, opts: { admin?: boolean } = {}): SimEvent {
    const cal = this.calendar(calendarId);
    if (!isPlainObject(input)) throw badRequest('Invalid event body.', undefined, 'parseError');
    let id: string;
    if (opts.admin && typeof input.recurringEventId === 'string') {
      // An exception (the admin API's shortcut for "edit one instance"): its id is the instance id.
      id = this.instanceIdFor(cal, input.recurringEventId, input.originalStartTime);
    } else {
      if (input.recurringEventId !== undefined) throw badRequest('Instances are changed through their instance id.', 'recurringEventId');
      id = typeof input.id === 'string' ? input.id : randomBytes(13).toString('hex');
      if (!EVENT_ID.test(id)) throw badRequest('Invalid resource id value.', 'id');
    }
    if (cal.events.has(id)) throw new SimError(409, 'duplicate');
    const event = this.build(cal, id, input, undefined, opts.admin === true);
    this.commit(cal, event, undefined);
    return structuredClone(event);
  }

  get(calendarId: string, eventId: string): SimEvent {
    const cal = this.calendar(calendarId);
    const stored = cal.events.get(eventId);
    if (stored) return structuredClone(stored.event);
    const instance = this.generatedInstance(cal, eventId);
    if (!instance) throw notFound();
    return instance;
  }

  /** events.patch: fields present replace, nested objects merge, `null` clears. */
  patch(calendarId: string, eventId: string, patch: unknown): SimEvent {
    if (!isPlainObject(patch)) throw badRequest('Invalid event body.', undefined, 'parseError');
    const cal = this.calendar(calendarId);
    const prev = this.current(cal, eventId);
    const merged = mergePatch(toInput(prev), patch);
    for (const field of ['start', 'end'] as const) {
      const p = patch[field];
      if (isPlainObject(p) && isPlainObject(merged[field])) {
        const m = merged[field];
        if (p.dateTime !== undefined && p.dateTime !== null && p.date === undefined) delete m.date;
        if (p.date !== undefined && p.date !== null && p.dateTime === undefined) { delete m.dateTime; delete m.timeZone; }
      }
    }
    const event = this.build(cal, eventId, merged, prev, false);
    this.commit(cal, event, cal.events.get(eventId)?.event);
    return structuredClone(event);
  }

  /** events.update: the body replaces the event (id, created and the instance link are kept). */
  update(calendarId: string, eventId: string, body: unknown): SimEvent {
    if (!isPlainObject(body)) throw badRequest('Invalid event body.', undefined, 'parseError');
    const cal = this.calendar(calendarId);
    const prev = this.current(cal, eventId);
    const input = { ...body, recurringEventId: prev.recurringEventId, originalStartTime: prev.originalStartTime };
    const event = this.build(cal, eventId, input, prev, false);
    this.commit(cal, event, cal.events.get(eventId)?.event);
    return structuredClone(event);
  }

  /** events.delete: the event stays as `cancelled` (ids are never reused); deleting twice is 410. */
  delete(calendarId: string, eventId: string): void {
    const cal = this.calendar(calendarId);
    const prev = this.current(cal, eventId);
    if (prev.status === 'cancelled') throw new SimError(410, 'deleted');
    const event: SimEvent = { ...structuredClone(prev), status: 'cancelled', updated: isoUtc(this.now()) };
    this.commit(cal, event, cal.events.get(eventId)?.event);
  }

  list(calendarId: string, q: ListQuery): SimEventsPage {
    const cal = this.calendar(calendarId);
    let since: number | null = null;
    if (q.syncToken !== undefined) {
      const t = q.syncToken.startsWith('sim') ? unb64(q.syncToken.slice(3)) : null;
      if (!t || t.c !== cal.id || t.e !== this.epoch || typeof t.s !== 'number') {
        throw new SimError(410, 'fullSyncRequired', undefined, 'calendar', { type: 'parameter', name: 'syncToken' });
      }
      since = t.s;
    }
    let after: string | null = null;
    let asOf = this.seq;
    if (q.pageToken !== undefined) {
      const p = unb64(q.pageToken);
      if (!p || p.f !== q.fingerprint || typeof p.k !== 'string' || typeof p.a !== 'number') {
        throw badRequest('Invalid page token value.', 'pageToken');
      }
      after = p.k;
      asOf = p.a;
    }
    const entries = (since === null ? this.snapshot(cal, q) : this.changes(cal, since, q))
      .filter((e) => after === null || e.key > after)
      .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    const page = entries.slice(0, q.maxResults);
    const more = entries.length > page.length;
    return {
      kind: 'calendar#events',
      etag: `"${asOf}"`,
      summary: cal.summary,
      updated: isoUtc(this.now()),
      timeZone: cal.timeZone,
      accessRole: 'owner',
      defaultReminders: [],
      ...(more
        ? { nextPageToken: b64({ k: page[page.length - 1]!.key, a: asOf, f: q.fingerprint }) }
        : { nextSyncToken: `sim${b64({ c: cal.id, s: asOf, e: this.epoch })}` }),
      items: page.map((e) => e.wire),
    };
  }

  // ---- internals ----

  private calendar(id: string): SimCalendar {
    const cal = this.calendars.get(id);
    if (!cal) throw notFound();
    return cal;
  }

  /** The event as it is now: stored, or an instance generated from its series (to become an exception). */
  private current(cal: SimCalendar, eventId: string): SimEvent {
    const stored = cal.events.get(eventId);
    if (stored) return structuredClone(stored.event);
    const instance = this.generatedInstance(cal, eventId);
    if (!instance) throw notFound();
    return instance;
  }

  private instanceIdFor(cal: SimCalendar, masterId: string, originalStart: unknown): string {
    const master = cal.events.get(masterId)?.event;
    if (!master?.recurrence) throw badRequest('recurringEventId does not name a recurring event.', 'recurringEventId');
    const allDay = master.start.date !== undefined;
    const original = normalizeDateTime(originalStart, 'start', cal.timeZone);
    const zone = master.start.timeZone ?? cal.timeZone;
    const occurrence = this.occurrences(cal, master).find((o) =>
      allDay ? o.date === original.date : o.start === instantOf(original, zone));
    if (!occurrence) throw badRequest('originalStartTime is not an instance of the series.', 'originalStartTime');
    return `${master.id}_${occurrence.stamp}`;
  }

  private occurrences(cal: SimCalendar, master: SimEvent, until?: number): Occurrence[] {
    const zone = master.start.timeZone ?? cal.timeZone;
    const horizon = Math.max(this.now(), instantOf(master.start, zone)) + HORIZON_MS;
    return expandOccurrences(master, cal.timeZone, { until: until ?? horizon, max: until === undefined ? MAX_INSTANCES : 100_000 });
  }

  /** An instance of a recurring series that has no exception stored, by its instance id. */
  private generatedInstance(cal: SimCalendar, instanceId: string): SimEvent | null {
    const cut = instanceId.lastIndexOf('_');
    if (cut < 0) return null;
    const master = cal.events.get(instanceId.slice(0, cut))?.event;
    if (!master?.recurrence || master.status === 'cancelled') return null;
    const stamp = instanceId.slice(cut + 1);
    const occurrence = this.occurrences(cal, master).find((o) => o.stamp === stamp);
    return occurrence ? this.instanceOf(cal, master, occurrence) : null;
  }

  /** The instance an occurrence produces when nobody edited it. */
  private instanceOf(cal: SimCalendar, master: SimEvent, o: Occurrence): SimEvent {
    const zone = master.start.timeZone ?? cal.timeZone;
    let start: SimEvent['start'];
    let end: SimEvent['end'];
    let originalStartTime: SimEvent['start'];
    if (o.date !== undefined) {
      const days = daysBetween(master.start.date!, master.end.date!);
      start = { date: o.date };
      end = { date: addDays(o.date, days) };
      originalStartTime = { date: o.date };
    } else {
      const duration = instantOf(master.end, zone) - instantOf(master.start, zone);
      start = { dateTime: formatInZone(o.start, zone), timeZone: zone };
      end = { dateTime: formatInZone(o.start + duration, master.end.timeZone ?? zone), timeZone: master.end.timeZone ?? zone };
      originalStartTime = { dateTime: formatInZone(o.start, zone), timeZone: zone };
    }
    const { recurrence: _r, ...rest } = structuredClone(master);
    return { ...rest, id: `${master.id}_${o.stamp}`, start, end, recurringEventId: master.id, originalStartTime };
  }

  /** The instances of a series up to `until`, with stored exceptions in place of generated ones. */
  private instances(cal: SimCalendar, master: SimEvent, until?: number): SimEvent[] {
    return this.occurrences(cal, master, until).map((o) => {
      const exception = cal.events.get(`${master.id}_${o.stamp}`);
      return exception ? structuredClone(exception.event) : this.instanceOf(cal, master, o);
    });
  }

  /** Validates an event body the way Google does on insert/update and fills in the server's fields. */
  private build(cal: SimCalendar, id: string, input: Record<string, unknown>, prev: SimEvent | undefined, admin: boolean): SimEvent {
    const start = normalizeDateTime(input.start, 'start', cal.timeZone);
    const end = normalizeDateTime(input.end, 'end', cal.timeZone);
    if ((start.date === undefined) !== (end.date === undefined)) {
      throw badRequest('Start and end must both be dates or both be date-times.', 'end');
    }
    const startMs = instantOf(start, start.timeZone ?? cal.timeZone);
    const endMs = instantOf(end, end.timeZone ?? cal.timeZone);
    if (endMs < startMs || (start.date !== undefined && endMs === startMs)) {
      throw new SimError(400, 'timeRangeEmpty', 'The specified time range is empty.', 'calendar', { type: 'parameter', name: 'end' });
    }
    const isException = prev?.recurringEventId !== undefined || typeof input.recurringEventId === 'string';
    const recurrence = isException ? undefined : checkRecurrence(input.recurrence);
    if (recurrence && start.dateTime !== undefined && start.timeZone === undefined) {
      throw badRequest('Missing time zone definition for start time.', 'start.timeZone', 'required');
    }
    const status = input.status ?? 'confirmed';
    if (status !== 'confirmed' && status !== 'tentative' && status !== 'cancelled') throw badRequest('Invalid status value.', 'status');
    const transparency = input.transparency ?? undefined;
    if (transparency !== undefined && transparency !== 'opaque' && transparency !== 'transparent') {
      throw badRequest('Invalid transparency value.', 'transparency');
    }
    for (const field of ['summary', 'description'] as const) {
      if (input[field] !== undefined && input[field] !== null && typeof input[field] !== 'string') throw badRequest(`Invalid ${field}.`, field);
    }
    const extendedProperties = checkExtendedProperties(input.extendedProperties);
    const now = isoUtc(this.now());
    const created = prev?.created ?? (admin && typeof input.created === 'string' && !Number.isNaN(Date.parse(input.created)) ? isoUtc(Date.parse(input.created)) : now);
    const timesChanged = prev !== undefined && (JSON.stringify([prev.start, prev.end, prev.recurrence]) !== JSON.stringify([start, end, recurrence]));
    const event: SimEvent = {
      kind: 'calendar#event',
      etag: '',
      id,
      status,
      created,
      updated: now,
      ...(typeof input.summary === 'string' ? { summary: input.summary } : {}),
      ...(typeof input.description === 'string' ? { description: input.description } : {}),
      start,
      end,
      ...(transparency ? { transparency } : {}),
      ...(recurrence ? { recurrence } : {}),
      iCalUID: prev?.iCalUID ?? `${id.split('_')[0]}@google.com`,
      htmlLink: `https://www.google.com/calendar/event?eid=${Buffer.from(`${id} ${cal.id}`).toString('base64url')}`,
      sequence: prev ? prev.sequence + (timesChanged ? 1 : 0) : 0,
      ...(extendedProperties ? { extendedProperties } : {}),
    };
    const masterId = prev?.recurringEventId ?? (typeof input.recurringEventId === 'string' ? input.recurringEventId : undefined);
    if (masterId !== undefined) {
      event.recurringEventId = masterId;
      event.originalStartTime = prev?.originalStartTime ?? normalizeDateTime(input.originalStartTime, 'start', cal.timeZone);
      event.iCalUID = cal.events.get(masterId)?.event.iCalUID ?? event.iCalUID;
    }
    return event;
  }

  /** Stores a change under a new sequence number and keeps the series' removed instances as tombstones. */
  private commit(cal: SimCalendar, event: SimEvent, prev: SimEvent | undefined): void {
    const seq = ++this.seq;
    event.etag = `"${3_000_000_000_000 + seq}"`;
    cal.events.set(event.id, { event, seq });
    const wasSeries = prev?.recurrence !== undefined && prev.status !== 'cancelled';
    const isSeries = event.recurrence !== undefined && event.status !== 'cancelled';
    if (!wasSeries && !isSeries) return;
    const before = wasSeries ? this.instances(cal, prev) : [];
    const after = new Set(isSeries ? this.instances(cal, event).map((i) => i.id) : []);
    for (const gone of before) {
      if (after.has(gone.id)) continue;
      cal.tombstones.set(gone.id, {
        seq,
        event: { kind: 'calendar#event', etag: event.etag, id: gone.id, status: 'cancelled', recurringEventId: event.id, originalStartTime: gone.originalStartTime! },
      });
    }
    for (const id of after) cal.tombstones.delete(id);
  }

  private sortKey(q: ListQuery, e: SimEvent | null, id: string, zone: string): string {
    if (q.orderBy === 'startTime' && e) return `${String(instantOf(e.start, e.start.timeZone ?? zone) + 1e15).padStart(17, '0')}|${id}`;
    if (q.orderBy === 'updated' && e) return `${String(Date.parse(e.updated) + 1e15).padStart(17, '0')}|${id}`;
    return id;
  }

  private entry(cal: SimCalendar, q: ListQuery, e: SimEvent): Entry {
    return { full: e, wire: wire(e), key: this.sortKey(q, e, e.id, cal.timeZone) };
  }

  /** A full (non-sync) answer: what the calendar holds now, filtered by the query. */
  private snapshot(cal: SimCalendar, q: ListQuery): Entry[] {
    const out: Entry[] = [];
    const overlaps = (e: SimEvent) => {
      const start = instantOf(e.start, e.start.timeZone ?? cal.timeZone);
      const end = instantOf(e.end, e.end.timeZone ?? cal.timeZone);
      return (q.timeMin === undefined || end > q.timeMin) && (q.timeMax === undefined || start < q.timeMax);
    };
    const keep = (e: SimEvent, seriesMember: boolean) => {
      const deletedShown = q.showDeleted || q.updatedMin !== undefined || (seriesMember && !q.singleEvents);
      if (e.status === 'cancelled' && !deletedShown) return false;
      if (q.updatedMin !== undefined && Date.parse(e.updated) < q.updatedMin) return false;
      if (q.iCalUID !== undefined && e.iCalUID !== q.iCalUID) return false;
      if (q.q !== undefined) {
        const text = `${e.summary ?? ''}\n${e.description ?? ''}`.toLowerCase();
        if (!q.q.toLowerCase().split(/\s+/).every((w) => text.includes(w))) return false;
      }
      return matchesProperties(e.extendedProperties?.private, q.privateExtendedProperty)
        && matchesProperties(e.extendedProperties?.shared, q.sharedExtendedProperty);
    };
    for (const { event } of cal.events.values()) {
      const master = event.recurringEventId !== undefined ? cal.events.get(event.recurringEventId)?.event : undefined;
      if (q.singleEvents && master?.recurrence) continue; // an exception: its series places it
      if (q.singleEvents && event.recurrence) {
        if (event.status === 'cancelled') continue;
        for (const instance of this.instances(cal, event, q.timeMax)) {
          if (overlaps(instance) && keep(instance, true)) out.push(this.entry(cal, q, instance));
        }
        continue;
      }
      const inRange = event.recurrence && event.status !== 'cancelled'
        ? this.instances(cal, event, q.timeMax).some(overlaps)
        : overlaps(event);
      if (inRange && keep(event, master !== undefined)) out.push(this.entry(cal, q, event));
    }
    return out;
  }

  /** A sync answer: everything changed since sequence `since`, deletions as cancelled stubs. */
  private changes(cal: SimCalendar, since: number, q: ListQuery): Entry[] {
    const out = new Map<string, Entry>();
    for (const { event, seq } of cal.events.values()) {
      if (seq <= since) continue;
      if (q.singleEvents && event.recurrence) {
        if (event.status !== 'cancelled') for (const i of this.instances(cal, event)) out.set(i.id, this.entry(cal, q, i));
        continue;
      }
      const master = event.recurringEventId !== undefined ? cal.events.get(event.recurringEventId)?.event : undefined;
      if (q.singleEvents && master?.recurrence && !out.has(event.id)) {
        // An exception whose series no longer produces it (or is deleted) is gone.
        const live = master.status !== 'cancelled' && this.occurrences(cal, master).some((o) => `${master.id}_${o.stamp}` === event.id);
        out.set(event.id, this.entry(cal, q, live ? event : { ...event, status: 'cancelled' }));
        continue;
      }
      if (!out.has(event.id)) out.set(event.id, this.entry(cal, q, event));
    }
    if (q.singleEvents) {
      for (const [id, t] of cal.tombstones) {
        if (t.seq > since && !out.has(id)) out.set(id, { full: null, wire: structuredClone(t.event), key: id });
      }
    }
    return [...out.values()];
  }
}

/** Deleted events go on the wire as stubs, as in Google's sync answers. */
function wire(e: SimEvent): SimWireEvent {
  if (e.status !== 'cancelled') return structuredClone(e);
  return {
    kind: 'calendar#event',
    etag: e.etag,
    id: e.id,
    status: 'cancelled',
    ...(e.recurringEventId !== undefined ? { recurringEventId: e.recurringEventId, originalStartTime: structuredClone(e.originalStartTime!) } : {}),
  };
}

function matchesProperties(props: Record<string, string> | undefined, wanted: string[]): boolean {
  return wanted.every((w) => {
    const eq = w.indexOf('=');
    return eq > 0 && props?.[w.slice(0, eq)] === w.slice(eq + 1);
  });
}

function checkExtendedProperties(v: unknown): SimExtendedProperties | undefined {
  if (v === undefined || v === null) return undefined;
  if (!isPlainObject(v)) throw badRequest('Invalid extendedProperties.', 'extendedProperties');
  const out: SimExtendedProperties = {};
  for (const scope of ['private', 'shared'] as const) {
    const props = v[scope];
    if (props === undefined || props === null) continue;
    if (!isPlainObject(props) || Object.values(props).some((x) => typeof x !== 'string')) {
      throw badRequest(`Invalid extendedProperties.${scope}.`, `extendedProperties.${scope}`);
    }
    out[scope] = props as Record<string, string>;
  }
  return out;
}

function toInput(e: SimEvent): Record<string, unknown> {
  const { kind: _k, etag: _e, id: _i, created: _c, updated: _u, iCalUID: _uid, sequence: _s, ...rest } = structuredClone(e);
  return rest;
}

const IMMUTABLE = ['id', 'recurringEventId', 'originalStartTime', 'iCalUID', 'created', 'updated', 'kind', 'etag'];

/** JSON merge patch (RFC 7386) semantics, which is how events.patch treats nested objects. */
function mergePatch(target: Record<string, unknown>, patch: Record<string, unknown>, top = true): Record<string, unknown> {
  const out: Record<string, unknown> = { ...target };
  for (const [key, value] of Object.entries(patch)) {
    if (top && IMMUTABLE.includes(key)) continue;
    if (value === null) delete out[key];
    else if (isPlainObject(value) && isPlainObject(out[key])) out[key] = mergePatch(out[key], value, false);
    else out[key] = value;
  }
  return out;
}

