import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { ADAPTERS } from '../sync/registry.js';
import { checkConfigFile, loadConfig } from './load.js';

const dir = mkdtempSync(join(tmpdir(), 'avhub-config-feeds-'));
let count = 0;
function file(yaml: string): string {
  const path = join(dir, `hub-${++count}.yaml`);
  writeFileSync(path, yaml);
  return path;
}

const ENV = { HUB_ADMIN_TOKEN: 'a-long-enough-admin-token', AIRBNB_TOKEN: 'airbnb-feed-token-0123456789', BOOKING_TOKEN: 'booking-feed-token-0123456789' };

const BASE = `auth:
  adminToken: \${HUB_ADMIN_TOKEN}
groups:
  rooms: { workflow: hybrid }
sites:
  - id: villa
    timezone: Europe/Berlin
    adapter: { kind: none }
    resources:
      - { id: house, kind: unit, group: rooms, bookedBy: night }
      - { id: flat, kind: unit, group: rooms, bookedBy: night }
  - id: villa-airbnb
    timezone: Europe/Berlin
    adapter: { kind: ical-feed, url: "https://www.airbnb.com/calendar/ical/1.ics" }
    resources:
      - { id: house, kind: unit, group: rooms, bookedBy: night }
  - id: other
    timezone: Europe/Berlin
    adapter: { kind: none }
    resources:
      - { id: room, kind: unit, group: rooms, bookedBy: night }
shared:
  - { id: house, members: [ { site: villa, resource: house }, { site: villa-airbnb, resource: house } ] }
`;

const errors = (feeds: string) => {
  const result = checkConfigFile(file(`${BASE}feeds:\n${feeds}`), ENV, ADAPTERS);
  return result.ok ? [] : result.errors;
};

describe('feeds: in the config', () => {
  it('reads feeds with their token from the environment, defaults filled in', () => {
    const config = loadConfig(file(`${BASE}feeds:
  - { site: villa, resource: house, token: "\${AIRBNB_TOKEN}", exclude: [villa-airbnb] }
  - { site: villa, resource: house, token: "\${BOOKING_TOKEN}", units: 1, horizon: 180d }
`), ENV, ADAPTERS);
    expect(config.feeds).toEqual([
      { site: 'villa', resource: 'house', token: ENV.AIRBNB_TOKEN, exclude: ['villa-airbnb'], units: 1, horizon: 365 * 86_400_000 },
      { site: 'villa', resource: 'house', token: ENV.BOOKING_TOKEN, exclude: [], units: 1, horizon: 180 * 86_400_000 },
    ]);
    expect(loadConfig(file(BASE), ENV, ADAPTERS).feeds).toEqual([]);
  });

  it('names the file, line, field and a fix for every bad feed', () => {
    const found = errors(`  - { site: vila, resource: house, token: "\${AIRBNB_TOKEN}" }
  - { site: villa, resource: hose, token: "\${BOOKING_TOKEN}" }
  - { site: villa, resource: house, token: short, exclude: [villa-airbnbb, other] }
  - { site: villa, resource: flat, token: "\${AIRBNB_TOKEN}", exlude: [villa-airbnb] }
  - { site: villa, resource: house, token: "\${MISSING_TOKEN}", units: 0 }
  - { site: villa, resource: house, token: "\${BOOKING_TOKEN}", units: 2 }
`);
    const at = (path: string) => found.filter((e) => e.includes(` ${path}: `));
    expect(found.every((e) => /hub-\d+\.yaml:\d+ /.test(e))).toBe(true);
    expect(at('feeds[0].site')[0]).toMatch(/unknown site "vila"; did you mean "villa"\?/);
    expect(at('feeds[1].resource')[0]).toMatch(/site "villa" has no resource "hose"; did you mean "house"\?/);
    expect(at('feeds[2].token')[0]).toMatch(/at least 16 characters; pass a random secret from the environment/);
    expect(at('feeds[2].exclude[0]')[0]).toMatch(/unknown site "villa-airbnbb"; did you mean "villa-airbnb"\?/);
    expect(at('feeds[2].exclude[1]')[0]).toMatch(/site "other" has no bookings on villa\/house, so excluding it changes nothing; exclude .*villa, villa-airbnb/);
    expect(at('feeds[3].exlude')[0]).toMatch(/unknown key "exlude"; did you mean "exclude"\?/);
    expect(at('feeds[3].token')[0]).toMatch(/same token as feeds\[0\]; each feed needs its own token/);
    expect(at('feeds[4].token')[0]).toMatch(/environment variable MISSING_TOKEN is not set/);
    expect(at('feeds[4].units')[0]).toMatch(/expected a whole number 1 or more/);
    expect(at('feeds[5].units')[0]).toMatch(/2 is more than villa\/house has \(capacity 1\), so the feed would always be busy; use at most 1/);
  });
});
