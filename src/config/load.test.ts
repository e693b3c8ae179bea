import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { describe, expect, it } from 'vitest';

import { ADAPTERS } from '../sync/registry.js';
import { ConfigError } from './errors.js';
import { checkConfigFile, loadConfig } from './load.js';

const dir = mkdtempSync(join(tmpdir(), 'avhub-config-'));
let count = 0;

/** Writes YAML to a fresh file and returns its path. */
function file(yaml: string): string {
  const path = join(dir, `hub-${++count}.yaml`);
  writeFileSync(path, yaml);
  return path;
}

const DEMO = fileURLToPath(new URL('../../config/demo.yaml', import.meta.url));
const EXAMPLE = fileURLToPath(new URL('../../config/hub.example.yaml', import.meta.url));

const ENV = { HUB_ADMIN_TOKEN: 'a-long-enough-admin-token' };

/** A small valid file; tests append or replace sections. */
const BASE = `auth:
  adminToken: \${HUB_ADMIN_TOKEN}
groups:
  rooms: { workflow: centralized }
  halls: { workflow: hybrid }
sites:
  - id: mitte
    timezone: Europe/Berlin
    adapter: { kind: none }
    resources:
      - { id: double, kind: pool, capacity: 12, group: rooms, bookedBy: night }
      - { id: ballroom, kind: unit, group: halls }
  - id: north-hall
    timezone: Europe/Berlin
    adapter: { kind: none }
    resources:
      - { id: main-hall, kind: unit, group: halls }
`;

/** The formatted error lines of a file that must fail. */
function errors(yaml: string, env: Record<string, string> = ENV): string[] {
  const result = checkConfigFile(file(yaml), env, ADAPTERS);
  if (result.ok) throw new Error('expected the file to be invalid');
  return result.errors;
}

describe('loadConfig', () => {
  it('applies every default', () => {
    const config = loadConfig(file(BASE), ENV, ADAPTERS);
    expect(config).toMatchObject({
      hubId: 'main',
      redis: { url: 'redis://127.0.0.1:6379', keyPrefix: 'avhub' },
      http: { host: '127.0.0.1', port: 8080, trustProxy: false },
      log: { level: 'info' },
      auth: { adminToken: ENV.HUB_ADMIN_TOKEN, widgetKeys: [] },
      defaults: {
        pollEvery: 30_000,
        holdTtl: 900_000,
        maxHoldSpan: 366 * 86_400_000,
        limitedAfter: { failures: 3 },
        recoverAfter: 2,
        syncWindow: { past: 7 * 86_400_000, future: 365 * 86_400_000 },
      },
      groups: {
        rooms: { id: 'rooms', workflow: 'centralized', conflictPolicy: 'first-come', whenLimited: 'show', priority: ['hub', 'site'], rules: {} },
      },
      shared: [],
      alerts: [],
    });
    expect(config.defaults.limitedAfter.staleFor).toBeUndefined();
    expect(config.sites[0]).toMatchObject({ id: 'mitte', name: 'mitte', priority: 100, pollEvery: 30_000 });
    expect(config.sites[0]!.resources[1]).toEqual({
      id: 'ballroom', name: 'ballroom', kind: 'unit', capacity: 1, group: 'halls', bookedBy: 'time', rules: {}, source: {},
    });
  });

  it('reads a Redis Cluster with its seed nodes, credentials from the environment, and waitReplicas', () => {
    const config = loadConfig(file(`redis:\n  cluster: { nodes: ["redis://:\${REDIS_PASSWORD}@10.0.0.1:6379", "redis://10.0.0.2:6379"] }\n  waitReplicas: 1\n${BASE}`),
      { ...ENV, REDIS_PASSWORD: 'pw' }, ADAPTERS);
    expect(config.redis).toEqual({
      url: 'redis://127.0.0.1:6379', keyPrefix: 'avhub', waitReplicas: 1, waitTimeout: 1_000,
      cluster: { nodes: ['redis://:pw@10.0.0.1:6379', 'redis://10.0.0.2:6379'] },
    });
  });

  it('defaults a decentralized group to the manual conflict policy', () => {
    const config = loadConfig(file(BASE.replace('halls: { workflow: hybrid }', 'halls: { workflow: decentralized }')), ENV, ADAPTERS);
    expect(config.groups['halls']!.conflictPolicy).toBe('manual');
  });

  it('takes a numeric port from the environment and applies widget key defaults', () => {
    const yaml = `${BASE.replace('auth:\n', `http:\n  port: \${PORT:-8080}\nauth:\n  widgetKeys:\n    - { key: "\${WK}", origins: ["https://a.example:8443"], sites: [mitte] }\n`)}`;
    const config = loadConfig(file(yaml), { ...ENV, PORT: '9090', WK: 'widget-key-1' }, ADAPTERS);
    expect(config.http.port).toBe(9090);
    expect(config.auth.widgetKeys).toEqual([
      { key: 'widget-key-1', origins: ['https://a.example:8443'], sites: ['mitte'], rateLimit: { max: 600, per: 60_000 }, maxOpenHolds: 5 },
    ]);
  });

  it('overlays resource rules on group rules and converts stays by bookedBy', () => {
    const yaml = BASE.replace('halls: { workflow: hybrid }', 'halls: { workflow: hybrid, rules: { bufferAfter: 30m, minStay: 1h, openingHours: { daily: "08:00-22:00" } } }')
      .replace('{ id: ballroom, kind: unit, group: halls }', '{ id: ballroom, kind: unit, group: halls, rules: { openingHours: { sat: "10:00-14:00" }, maxStay: 8h } }')
      .replace('bookedBy: night }', 'bookedBy: night, rules: { minStay: 2, maxStay: "14" } }');
    const config = loadConfig(file(yaml), ENV, ADAPTERS);
    const [double, ballroom] = config.sites[0]!.resources;
    expect(double!.rules).toEqual({ minStay: 2, maxStay: 14 });
    expect(ballroom!.rules).toEqual({ bufferAfter: 1_800_000, minStay: 3_600_000, maxStay: 28_800_000, openingHours: { sat: [{ from: 600, to: 840 }] } });
    expect(config.sites[1]!.resources[0]!.rules.openingHours?.mon).toEqual([{ from: 480, to: 1320 }]);
  });

  it('throws a ConfigError carrying structured issues', () => {
    const path = file(BASE.replace('Europe/Berlin', 'Europe/Berln'));
    try {
      loadConfig(path, ENV, ADAPTERS);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).issues).toEqual([
        { file: path, path: 'sites[0].timezone', line: 8, message: expect.stringContaining('is not an IANA time zone') },
      ]);
    }
  });
});

describe('config errors name the file, the path, the line and what is valid', () => {
  it('a bad time zone', () => {
    const path = file(BASE.replace('Europe/Berlin', 'Europe/Berln'));
    expect(checkConfigFile(path, ENV, ADAPTERS)).toEqual({
      ok: false,
      errors: [
        `${path}:8 sites[0].timezone: "Europe/Berln" is not an IANA time zone; did you mean "Europe/Berlin"? use a name like "Europe/Berlin" or "America/New_York"`,
      ],
    });
  });

  it('an unknown key, with the valid keys at that place', () => {
    const [line] = errors(BASE.replace('    timezone: Europe/Berlin\n', '    timezone: Europe/Berlin\n    timzone: x\n'));
    expect(line).toMatch(/hub-\d+\.yaml:9 sites\[0\]\.timzone: unknown key "timzone"; did you mean "timezone"\? valid keys here: id, name, timezone, priority, pollEvery, heartbeatToken, push, adapter, resources$/);
  });

  it('several unknown keys, each on its own line', () => {
    const lines = errors(`${BASE}extra: 1\nmore: 2\n`);
    expect(lines.map((l) => l.replace(/^.*?yaml/, ''))).toEqual([
      ':18 extra: unknown key "extra"; valid keys here: hubId, redis, http, log, auth, defaults, worker, groups, sites, shared, alerts, feeds, demo',
      ':19 more: unknown key "more"; valid keys here: hubId, redis, http, log, auth, defaults, worker, groups, sites, shared, alerts, feeds, demo',
    ]);
  });

  // Issue 14: each site bounds what its source may make the hub do.
  it('adapter limits: sizes, durations and counts, each error naming the field and what is valid', () => {
    const site = (limits: string) => `auth:\n  adminToken: \${HUB_ADMIN_TOKEN}\ngroups:\n  halls: { workflow: hybrid }\nsites:
  - id: north
    timezone: Europe/Berlin
    adapter: { kind: ical-feed, url: "https://feeds.example/north.ics", limits: ${limits} }
    resources: [ { id: hall, kind: unit, group: halls } ]
`;
    expect(checkConfigFile(file(site('{ maxBytes: 5MB, timeout: 10s, maxItems: 500, parseTimeout: 2s }')), ENV, ADAPTERS)).toMatchObject({ ok: true });
    const lines = errors(site('{ maxBytes: 20XB, timeout: forever, maxItems: 0, cap: 1 }'));
    expect(lines).toContainEqual(expect.stringMatching(/:8 sites\[0\]\.adapter\.limits\.maxBytes: "20XB" is not a size; use bytes or a string like "512KB" or "20MB"$/));
    expect(lines).toContainEqual(expect.stringMatching(/sites\[0\]\.adapter\.limits\.timeout: .*forever/));
    expect(lines).toContainEqual(expect.stringMatching(/sites\[0\]\.adapter\.limits\.maxItems: 0 is not valid; expected a whole number between 1 and 10000000$/));
    expect(lines).toContainEqual(expect.stringMatching(/sites\[0\]\.adapter\.limits\.cap: unknown key "cap"; valid keys here: maxBytes, timeout, maxItems, parseTimeout$/));
  });

  it('a missing environment variable, once, naming the variable and the field', () => {
    const lines = errors(BASE, {});
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/:2 auth\.adminToken: environment variable HUB_ADMIN_TOKEN is not set; set it, or write \$\{HUB_ADMIN_TOKEN:-default\}/);
  });

  it.each([
    ['a missing required key', BASE.replace('    timezone: Europe/Berlin\n', ''), /:7 sites\[0\]\.timezone: missing; expected a string$/],
    ['a wrong type', BASE.replace('resources:\n      - { id: main-hall, kind: unit, group: halls }', 'resources: main-hall'), /sites\[1\]\.resources: expected a list, got string "main-hall"$/],
    ['a bad enum value', BASE.replace('workflow: hybrid', 'workflow: hybird'), /:5 groups\.halls\.workflow: "hybird" is not a valid workflow; did you mean "hybrid"\? use one of centralized, hybrid, decentralized$/],
    ['a number as a duration', `${BASE}defaults: { pollEvery: 30 }\n`, /defaults\.pollEvery: 30 has no unit; expected a duration like "30s"/],
    ['a duration out of range', `${BASE}defaults: { holdTtl: 5s }\n`, /defaults\.holdTtl: "5s" is out of range; must be between 10s and 1d$/],
    ['a short admin token', BASE, /auth\.adminToken: must be at least 16 characters/, { HUB_ADMIN_TOKEN: 'short' }],
    ['a unit with capacity', BASE.replace('{ id: main-hall, kind: unit,', '{ id: main-hall, kind: unit, capacity: 2,'), /sites\[1\]\.resources\[0\]\.capacity: a unit has capacity 1; use kind: pool/],
    ['a pool without capacity', BASE.replace('capacity: 12, ', ''), /sites\[0\]\.resources\[0\]\.capacity: a pool needs a capacity: a whole number 1 or more$/],
    ['an unknown adapter kind', BASE.replace('adapter: { kind: none }', 'adapter: { kind: outlook }'), /:9 sites\[0\]\.adapter\.kind: "outlook" is not a valid adapter kind; use one of none, caldav, google, ical-feed, mews, apaleo, rest$/],
    ['settings on adapter none', BASE.replace('adapter: { kind: none }', 'adapter: { kind: none, url: x }'), /sites\[0\]\.adapter\.url: unknown key "url"; adapter kind none takes no settings$/],
    ['an origin with a path', BASE.replace('auth:\n', 'auth:\n  widgetKeys: [ { key: widget-key-1, origins: ["https://a.example/"], sites: [mitte] } ]\n'), /auth\.widgetKeys\[0\]\.origins\[0\]: "https:\/\/a.example\/" is not an origin; .* did you mean "https:\/\/a.example"\?$/],
    ['a bad port', `${BASE}http: { port: "http" }\n`, /http\.port: "http" is not valid; expected a whole number between 0 and 65535$/],
    ['bad opening hours', BASE.replace('{ id: main-hall, kind: unit, group: halls }', '{ id: main-hall, kind: unit, group: halls, rules: { openingHours: { weekdays: "08:00-12:00" } } }'), /sites\[1\]\.resources\[0\]\.rules\.openingHours\.weekdays: "weekdays" is not a day; use a day \(mon\.\.sun\), a range like "mon-fri"/],
    ['a stay in the wrong unit', BASE.replace('bookedBy: night }', 'bookedBy: night, rules: { minStay: 2h } }'), /sites\[0\]\.resources\[0\]\.rules\.minStay: "2h" does not fit mitte\/double, which is booked by night; use a number of nights, like 2$/],
    ['minStay above maxStay', BASE.replace('bookedBy: night }', 'bookedBy: night, rules: { minStay: 3, maxStay: 2 } }'), /rules\.minStay: minStay 3 is longer than maxStay 2 for mitte\/double; make minStay at most maxStay$/],
    ['a webhook without url', `${BASE}alerts: [ { kind: webhook, secret: s } ]\n`, /alerts\[0\]\.url: a webhook alert needs a url, like "https:/],
    ['a slack alert with a bad url', `${BASE}alerts: [ { kind: slack, url: "not a url" } ]\n`, /alerts\[0\]\.url: "not a url" is not a URL; write an absolute http\(s\) URL/],
    ['a public URL over plain http', `${BASE}http: { publicUrl: "http://hub.example.com" }\n`, /http\.publicUrl: "http:\/\/hub\.example\.com" is not a public base URL; write the https address the sources reach the hub at/],
    ['a short push secret', BASE.replace('  - id: north-hall\n    timezone: Europe/Berlin\n    adapter: { kind: none }', '  - id: north-hall\n    push: { secret: short }\n    timezone: Europe/Berlin\n    adapter: { kind: ical-feed, url: "https://x.example/cal.ics" }'), /:14 sites\[1\]\.push\.secret: at least 16 characters; pass a random secret from the environment/],
    ['push on adapter none', BASE.replace('  - id: north-hall\n', '  - id: north-hall\n    push: { secret: a-long-enough-push-secret }\n'), /sites\[1\]\.push: a site on adapter none has no system to poll, so a notification would trigger nothing: remove push/],
    ['a demo simulator of a kind without one', `${BASE}demo: { simulators: [ { kind: none, port: 8101 } ] }\n`, /demo\.simulators\[0\]\.kind: "none" is not a valid simulator kind; use one of mews, apaleo, rest, google, caldav$/],
    ['two demo simulators on one port', `${BASE}demo: { simulators: [ { kind: mews, port: 8101 }, { kind: rest, port: 8101 } ] }\n`, /demo\.simulators\[1\]\.port: port 8101 is taken by another simulator; give each its own$/],
  ])('%s', (_name, yaml, pattern, env = ENV) => {
    expect(errors(yaml, env)).toEqual([expect.stringMatching(pattern)]);
  });
});

describe('cross-reference checks', () => {
  it.each([
    ['an unknown group', BASE.replace('group: halls }\n  - id: north', 'group: hall }\n  - id: north'), /:12 sites\[0\]\.resources\[1\]\.group: unknown group "hall"; did you mean "halls"\? defined groups: rooms, halls$/],
    ['a duplicate site id', BASE.replace('id: north-hall', 'id: mitte').replace('resources:\n      - { id: main-hall, kind: unit, group: halls }', 'resources: []'), /:13 sites\[1\]\.id: duplicate site id "mitte" \(also sites\[0\]\); site ids must be unique$/],
    ['a duplicate resource id', BASE.replace('id: ballroom', 'id: double'), /:12 sites\[0\]\.resources\[1\]\.id: duplicate resource id "double" \(also sites\[0\]\.resources\[0\]\)/],
    ['a widget key for an unknown site', BASE.replace('auth:\n', 'auth:\n  widgetKeys: [ { key: widget-key-1, origins: ["*"], sites: [mite] } ]\n'), /auth\.widgetKeys\[0\]\.sites\[0\]: unknown site "mite"; did you mean "mitte"\? defined sites: mitte, north-hall$/],
    ['a bad group id', BASE.replace('rooms: {', 'Rooms: {').replace('group: rooms', 'group: Rooms'), /:4 groups\.Rooms: "Rooms" is not a valid group id; use lowercase letters/],
  ])('%s', (_name, yaml, pattern) => {
    expect(errors(yaml)).toEqual([expect.stringMatching(pattern)]);
  });

  it('redis.url and redis.cluster together', () => {
    const lines = errors(`redis:\n  url: redis://127.0.0.1:6379\n  cluster: { nodes: ["redis://127.0.0.1:7000"] }\n${BASE}`);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/hub-\d+\.yaml:3 redis\.cluster: set either redis\.url \(one primary\) or redis\.cluster\.nodes \(a Redis Cluster\), not both: remove redis\.url to use the cluster$/);
  });

  it('a cluster node that is not a redis URL', () => {
    const [line] = errors(`redis:\n  cluster: { nodes: ["127.0.0.1:7000"] }\n${BASE}`);
    expect(line).toMatch(/redis\.cluster\.nodes\[0\]: .*use a redis:\/\/ or rediss:\/\/ URL/);
  });

  it('a centralized group on an iCal feed', () => {
    // Until the iCal adapter ships, its kind is also reported as not available.
    const yaml = BASE.replace('adapter: { kind: none }', 'adapter: { kind: ical-feed, url: "https://x.example/cal.ics" }');
    expect(errors(yaml)).toContainEqual(expect.stringMatching(/sites\[0\]\.resources\[0\]\.group: group "rooms" is centralized, but site "mitte" uses the read-only adapter ical-feed.*use a hybrid or decentralized group$/));
  });

  const shared = (members: string) => `${BASE}shared:\n  - { id: hall, members: [ ${members} ] }\n`;

  it('accepts a valid shared resource', () => {
    const config = loadConfig(file(shared('{ site: mitte, resource: ballroom }, { site: north-hall, resource: main-hall }')), ENV, ADAPTERS);
    expect(config.shared).toEqual([{ id: 'hall', members: [{ site: 'mitte', resource: 'ballroom' }, { site: 'north-hall', resource: 'main-hall' }] }]);
  });

  it.each([
    ['fewer than two members', '{ site: mitte, resource: ballroom }', /shared\[0\]\.members: a shared resource needs at least 2 members$/],
    ['an unknown site', '{ site: mitte, resource: ballroom }, { site: south, resource: x }', /shared\[0\]\.members\[1\]\.site: unknown site "south"; defined sites: mitte, north-hall$/],
    ['an unknown resource', '{ site: mitte, resource: ballroom }, { site: north-hall, resource: mainhall }', /shared\[0\]\.members\[1\]\.resource: site "north-hall" has no resource "mainhall"; did you mean "main-hall"\? its resources: main-hall$/],
    ['a member listed twice', '{ site: mitte, resource: ballroom }, { site: mitte, resource: ballroom }', /shared\[0\]\.members\[1\]: mitte\/ballroom is already listed in this shared resource/],
    ['different bookedBy', '{ site: mitte, resource: ballroom }, { site: mitte, resource: double }', /shared\[0\]\.members\[1\]: mitte\/double is booked by night but mitte\/ballroom \(shared\[0\]\.members\[0\]\) by time; all members of a shared resource must have the same bookedBy$/],
  ])('rejects %s', (_name, members, pattern) => {
    expect(errors(shared(members))).toContainEqual(expect.stringMatching(pattern));
  });

  it('rejects members whose groups have different workflows', () => {
    const yaml = shared('{ site: mitte, resource: ballroom }, { site: north-hall, resource: main-hall }')
      .replace('{ id: main-hall, kind: unit, group: halls }', '{ id: main-hall, kind: unit, group: rooms }');
    expect(errors(yaml)).toEqual([
      expect.stringMatching(/members\[1\]: north-hall\/main-hall is in group "rooms" \(centralized\) but mitte\/ballroom .* is in group "halls" \(hybrid\); members of a shared resource must be in groups with the same workflow$/),
    ]);
  });

  it('rejects a resource in two shared entries', () => {
    const yaml = `${shared('{ site: mitte, resource: ballroom }, { site: north-hall, resource: main-hall }')}  - { id: other, members: [ { site: north-hall, resource: main-hall }, { site: mitte, resource: double } ] }\n`;
    expect(errors(yaml)).toContainEqual(expect.stringMatching(/shared\[1\]\.members\[0\]: north-hall\/main-hall is already a member of shared "hall"/));
  });
});

describe('YAML conveniences', () => {
  it('ignores top-level x- keys and resolves merge keys', () => {
    const yaml = BASE.replace('sites:\n  - id: mitte\n    timezone: Europe/Berlin\n    adapter: { kind: none }\n', 'x-berlin: &berlin\n  timezone: Europe/Berlin\n  adapter: { kind: none }\nsites:\n  - id: mitte\n    <<: *berlin\n');
    expect(yaml).toContain('<<: *berlin');
    expect(loadConfig(file(yaml), ENV, ADAPTERS).sites[0]).toMatchObject({ id: 'mitte', timezone: 'Europe/Berlin', adapter: { kind: 'none' } });
  });
});

describe('collecting issues', () => {
  it('reports environment, schema and reference problems together, in file order', () => {
    const yaml = BASE.replace('Europe/Berlin', 'Mars/Olympus').replace('group: halls }\n  - id: north', 'group: nope }\n  - id: north');
    const lines = errors(`${yaml}alerts: [ { kind: webhook, url: "\${HOOK}", secret: s } ]\n`, {});
    expect(lines.map((l) => l.replace(/^.*?yaml:(\d+) ([^:]+):.*$/, '$1 $2'))).toEqual([
      '2 auth.adminToken',
      '8 sites[0].timezone',
      '12 sites[0].resources[1].group',
      '18 alerts[0].url',
    ]);
  });

  it('reports YAML syntax errors with their line', () => {
    expect(errors('auth:\n  adminToken: [unclosed\nsites: []\n')).toEqual([expect.stringMatching(/:3: YAML syntax error: /)]);
    expect(errors('a: 1\na: 2\n')).toEqual([expect.stringMatching(/:2: YAML syntax error: Map keys must be unique/)]);
  });

  it('reports a missing file in one line', () => {
    expect(checkConfigFile(join(dir, 'nope.yaml'), ENV, ADAPTERS)).toEqual({
      ok: false,
      errors: [`${join(dir, 'nope.yaml')}: no such file; pass the path of a configuration file (see config/hub.example.yaml)`],
    });
  });

  it('reports an empty file or one that is not a mapping', () => {
    expect(errors('')).toEqual([expect.stringMatching(/: the file is empty/)]);
    expect(errors('- a\n')).toEqual([expect.stringMatching(/yaml:1: expected a mapping \(key: value\), got a list$/)]);
  });
});

describe('shipped files', () => {
  it('config/demo.yaml loads without any environment variable', () => {
    const config = loadConfig(DEMO, {}, ADAPTERS);
    expect(config.hubId).toBe('demo');
    expect(config.http).toEqual({ host: '127.0.0.1', port: 8080, trustProxy: false });
    expect(config.auth.adminToken).toBe('demo-admin-token-change-me');
    expect(config.auth.widgetKeys.map((k) => k.key)).toEqual(['demo-widget-key']);
    expect(config.sites.map((s) => s.id)).toEqual(['mitte', 'harbor', 'north-hall', 'alpine', 'bayside', 'lakeside', 'riverside-hall', 'studio']);
    expect(config.shared).toHaveLength(1);
    expect(config.auth.widgetKeys[0]!.sites).toEqual(config.sites.map((s) => s.id));
    expect(config.demo?.simulators.map((s) => `${s.kind}:${s.port}`)).toEqual(['mews:8101', 'apaleo:8102', 'rest:8103', 'caldav:8104', 'google:8105']);
  });

  it('config/demo.yaml takes the port from PORT', () => {
    expect(loadConfig(DEMO, { PORT: '3000' }, ADAPTERS).http.port).toBe(3000);
  });

  it('config/hub.example.yaml loads with the variables it references', () => {
    const env = {
      HUB_ADMIN_TOKEN: 'example-admin-token-123',
      WIDGET_KEY: 'example-widget-key',
      NORTH_HALL_DAV_USER: 'user',
      NORTH_HALL_DAV_PASSWORD: 'password',
      ALERT_SECRET: 'secret',
      SLACK_WEBHOOK_URL: 'https://hooks.slack.com/services/x',
    };
    const config = loadConfig(EXAMPLE, env, ADAPTERS);
    expect(config.sites.map((s) => s.id)).toEqual(['mitte', 'north-hall']);
    expect(() => loadConfig(EXAMPLE, {}, ADAPTERS)).toThrow(/HUB_ADMIN_TOKEN is not set/);
  });
});
