import type { Interval } from '../domain/types.js';
import type { NightBlock } from './blocks.js';

/*
 * The feed's iCalendar text (RFC 5545), written here rather than with adapters/icalendar's
 * buildEventIcs: that builds one write-back event carrying the reservation's id and summary, and
 * ical.js folds continuation lines at 76 octets (its space counted outside its 75). The feed's
 * handful of properties is written by hand: CRLF line ends (§3.1), lines folded at 75 octets
 * including the continuation's leading space and never inside a UTF-8 sequence, TEXT values
 * escaped (§3.3.11).
 */

/** What every busy block is called: no guest, no booking, no source is ever named. */
const BUSY_SUMMARY = 'Not available';

const FEED_PRODID = '-//Availability Hub//avhub feeds//EN';

export interface FeedCalendar {
  /** Names the calendar for people who subscribe by hand (X-WR-CALNAME). */
  name: string;
  /** UID suffix, unique per feed: `<block start>-<uidSuffix>`. */
  uidSuffix: string;
  /** DTSTAMP of every event (ms): when the feed's content last changed (its Last-Modified). */
  stamp: number;
  blocks: { by: 'night'; nights: readonly NightBlock[] } | { by: 'time'; intervals: readonly Interval[] };
}

const MAX_OCTETS = 75;

/** `YYYYMMDDTHHMMSSZ` (UTC DATE-TIME, whole seconds: a block's end rounds up, never shortening it). */
function utcDateTime(ms: number, round: (x: number) => number = Math.floor): string {
  return new Date(round(ms / 1000) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z').replace(/[-:]/g, '');
}

/** `YYYYMMDD` (DATE) from a local date `YYYY-MM-DD`. */
const date = (d: string) => d.replace(/-/g, '');

/** A TEXT value: backslash, semicolon, comma and line breaks escaped (RFC 5545 §3.3.11). */
export function escapeText(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/;/g, '\\;').replace(/,/g, '\\,').replace(/\r\n|\r|\n/g, '\\n');
}

/**
 * One content line folded to at most 75 octets per physical line (the leading space of a
 * continuation counts), split only between characters, CRLF-terminated.
 */
export function foldLine(line: string): string {
  const out: string[] = [];
  let current = '';
  let octets = 0;
  for (const ch of line) {
    const size = Buffer.byteLength(ch, 'utf8');
    if (octets + size > MAX_OCTETS) {
      out.push(current);
      current = ' ';
      octets = 1;
    }
    current += ch;
    octets += size;
  }
  out.push(current);
  return `${out.join('\r\n')}\r\n`;
}

/** The whole VCALENDAR, one VEVENT per busy block, in order of start. */
export function renderFeed(cal: FeedCalendar): string {
  const lines = ['BEGIN:VCALENDAR', `PRODID:${FEED_PRODID}`, 'VERSION:2.0', 'CALSCALE:GREGORIAN', `X-WR-CALNAME:${escapeText(cal.name)}`];
  const stamp = utcDateTime(cal.stamp);
  const event = (uidStart: string, start: string, end: string) => lines.push(
    'BEGIN:VEVENT', `UID:${uidStart}-${cal.uidSuffix}`, `DTSTAMP:${stamp}`, start, end,
    `SUMMARY:${escapeText(BUSY_SUMMARY)}`, 'TRANSP:OPAQUE', 'END:VEVENT');
  if (cal.blocks.by === 'night') {
    for (const b of cal.blocks.nights) event(date(b.start), `DTSTART;VALUE=DATE:${date(b.start)}`, `DTEND;VALUE=DATE:${date(b.end)}`);
  } else {
    for (const b of cal.blocks.intervals) event(utcDateTime(b.start), `DTSTART:${utcDateTime(b.start)}`, `DTEND:${utcDateTime(b.end, Math.ceil)}`);
  }
  lines.push('END:VCALENDAR');
  return lines.map(foldLine).join('');
}
