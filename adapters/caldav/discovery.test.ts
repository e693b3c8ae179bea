import { describe, expect, it } from 'vitest';
import { matchCalendar, zoneOfCalendarTimezone, type FoundCalendar } from './discovery.js';

const cal = (path: string, displayName: string): FoundCalendar => ({ url: `http://dav.test${path}`, path, displayName, timezone: null });
const calendars = [cal('/north/main-hall/', 'Main Hall'), cal('/north/studio/', 'Studio'), cal('/south/studio/', 'Studio')];

describe('matching a resource to its calendar', () => {
  it('by path, path suffix, URL or display name', () => {
    expect(matchCalendar('r', '/north/main-hall/', calendars).path).toBe('/north/main-hall/');
    expect(matchCalendar('r', '/north/main-hall', calendars).path).toBe('/north/main-hall/');
    expect(matchCalendar('r', 'main-hall/', calendars).path).toBe('/north/main-hall/');
    expect(matchCalendar('r', 'https://elsewhere.test/north/studio/', calendars).path).toBe('/north/studio/');
    expect(matchCalendar('r', 'main hall', calendars).path).toBe('/north/main-hall/');
  });

  it('names the resource and the calendars there are when nothing or several match', () => {
    expect(() => matchCalendar('ballroom', 'Ballroom', calendars))
      .toThrow('resource "ballroom": no calendar matches "Ballroom"; available: /north/main-hall/ ("Main Hall"), /north/studio/ ("Studio"), /south/studio/ ("Studio")');
    expect(() => matchCalendar('studio', 'Studio', calendars)).toThrow(/several calendars are named "Studio" \(\/north\/studio\/, \/south\/studio\/\)/);
    expect(() => matchCalendar('studio', 'studio/', calendars)).toThrow(/matches several calendars/);
    expect(() => matchCalendar('x', 'X', [])).toThrow(/the account has no calendars/);
  });

  it('reads the IANA zone of a calendar-timezone VTIMEZONE', () => {
    expect(zoneOfCalendarTimezone('BEGIN:VCALENDAR\r\nBEGIN:VTIMEZONE\r\nTZID:Europe/Berlin\r\nEND:VTIMEZONE\r\nEND:VCALENDAR')).toBe('Europe/Berlin');
    expect(zoneOfCalendarTimezone('BEGIN:VTIMEZONE\r\nTZID:W. Europe Standard Time\r\nEND:VTIMEZONE')).toBeNull();
    expect(zoneOfCalendarTimezone(undefined)).toBeNull();
  });
});
