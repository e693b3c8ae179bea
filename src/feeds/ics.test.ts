import { describe, expect, it } from 'vitest';
import { escapeText, foldLine, renderFeed } from './ics.js';

describe('the feed writer (RFC 5545)', () => {
  it('folds at 75 octets, the continuation\'s space included, never inside a UTF-8 character', () => {
    const line = `X-WR-CALNAME:${'Ferienhaus Müller – Südflügel 🏠 '.repeat(6)}`;
    const folded = foldLine(line);
    expect(folded.endsWith('\r\n')).toBe(true);
    const physical = folded.slice(0, -2).split('\r\n');
    expect(physical.length).toBeGreaterThan(3);
    for (const p of physical) expect(Buffer.byteLength(p, 'utf8')).toBeLessThanOrEqual(75);
    expect(physical.slice(1).every((p) => p.startsWith(' '))).toBe(true);
    expect(physical.map((p, i) => (i === 0 ? p : p.slice(1))).join('')).toBe(line);
    expect(foldLine('SUMMARY:short')).toBe('SUMMARY:short\r\n');
  });

  it('escapes TEXT values', () => {
    expect(escapeText('a\\b;c,d\ne')).toBe('a\\\\b\\;c\\,d\\ne');
  });

  it('writes all-day nights and UTC intervals with UIDs named by their start, CRLF only', () => {
    const stamp = Date.UTC(2027, 0, 2, 3, 4, 5, 600);
    const nights = renderFeed({ name: 'Villa; A', uidSuffix: 'abc@avhub', stamp, blocks: { by: 'night', nights: [{ start: '2027-03-10', end: '2027-03-12' }] } });
    expect(nights).toContain('\r\nUID:20270310-abc@avhub\r\nDTSTAMP:20270102T030405Z\r\nDTSTART;VALUE=DATE:20270310\r\nDTEND;VALUE=DATE:20270312\r\nSUMMARY:Not available\r\n');
    expect(nights).toContain('X-WR-CALNAME:Villa\\; A\r\n');
    expect(nights.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
    const times = renderFeed({ name: 'Hall', uidSuffix: 'abc@avhub', stamp, blocks: { by: 'time', intervals: [{ start: Date.UTC(2027, 2, 10, 9), end: Date.UTC(2027, 2, 10, 11, 30, 0, 1) }] } });
    expect(times).toContain('UID:20270310T090000Z-abc@avhub\r\nDTSTAMP:20270102T030405Z\r\nDTSTART:20270310T090000Z\r\nDTEND:20270310T113001Z\r\n');
    expect(times.startsWith('BEGIN:VCALENDAR\r\nPRODID:')).toBe(true);
    expect(times.endsWith('END:VCALENDAR\r\n')).toBe(true);
  });
});
