import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { alertReferenceIssues } from '../../src/config/alert-references.js';
import { checkConfigFile, loadConfig } from '../../src/config/load.js';
import { ADAPTERS } from '../../src/sync/registry.js';

const dir = mkdtempSync(join(tmpdir(), 'avhub-alerts-config-'));
let count = 0;
const file = (yaml: string) => {
  const path = join(dir, `hub-${++count}.yaml`);
  writeFileSync(path, yaml);
  return path;
};
const ENV = { HUB_ADMIN_TOKEN: 'a-long-enough-admin-token', ALERT_SECRET: 'whsec-1', SLACK_WEBHOOK_URL: 'https://hooks.slack.com/services/T/B/X' };
const BASE = `auth:
  adminToken: \${HUB_ADMIN_TOKEN}
groups:
  rooms: { workflow: centralized }
sites:
  - id: mitte
    timezone: Europe/Berlin
    adapter: { kind: none }
    resources:
      - { id: double, kind: pool, capacity: 12, group: rooms, bookedBy: night }
`;
const errors = (alerts: string, env: Record<string, string> = ENV) => {
  const result = checkConfigFile(file(`${BASE}${alerts}`), env, ADAPTERS);
  if (result.ok) throw new Error('expected the file to fail');
  return result.errors.map((e) => e.replace(/^.*?\.yaml(:\d+)? /, ''));
};

describe('alerts configuration', () => {
  it('parses every channel kind with routing, blank optional secrets and defaults', () => {
    const config = loadConfig(file(`${BASE}defaults: { alertReminderEvery: 30m }
alerts:
  - { kind: webhook, url: https://ops.example.com/hooks/avhub, secret: "\${ALERT_SECRET}", previousSecret: "\${ALERT_SECRET_OLD:-}", sites: [mitte], groups: [rooms], events: [site.limited, site.recovered] }
  - { kind: slack, url: "\${SLACK_WEBHOOK_URL}" }
  - { kind: email, smtp: { host: 127.0.0.1, port: 465, user: "\${SMTP_USER:-}", password: "\${SMTP_PASSWORD:-}" }, from: "Avhub <avhub@example.com>", to: ["ops@example.com"] }
`), ENV, ADAPTERS);
    expect(config.defaults.alertReminderEvery).toBe(30 * 60_000);
    expect(config.alerts).toEqual([
      { kind: 'webhook', url: 'https://ops.example.com/hooks/avhub', secret: 'whsec-1', sites: ['mitte'], groups: ['rooms'], events: ['site.limited', 'site.recovered'] },
      { kind: 'slack', url: 'https://hooks.slack.com/services/T/B/X' },
      { kind: 'email', smtp: { host: '127.0.0.1', port: 465, secure: true }, from: 'Avhub <avhub@example.com>', to: ['ops@example.com'] },
    ]);
  });

  it('defaults reminders to 1h, SMTP to port 587 without implicit TLS, and takes previousSecret and SMTP login', () => {
    const config = loadConfig(file(`${BASE}alerts:
  - { kind: webhook, url: https://a.example/h, secret: new, previousSecret: "\${OLD:-}" }
  - { kind: email, smtp: { host: smtp.example.com, user: avhub, password: "\${PW}", secure: "false" }, from: a@example.com, to: [b@example.com] }
`), { ...ENV, OLD: 'old', PW: 'pw' }, ADAPTERS);
    expect(config.defaults.alertReminderEvery).toBe(3_600_000);
    expect(config.alerts[0]).toMatchObject({ secret: 'new', previousSecret: 'old' });
    expect(config.alerts[1]).toMatchObject({ smtp: { host: 'smtp.example.com', port: 587, secure: false, user: 'avhub', password: 'pw' } });
  });

  it.each([
    ['an unknown kind', 'alerts: [ { kind: pager } ]\n', /^alerts\[0\]\.kind: "pager" is not a valid alert kind; use one of webhook, slack, email$/],
    ['a webhook without a secret', 'alerts: [ { kind: webhook, url: "https://a.example/h" } ]\n', /^alerts\[0\]\.secret: a webhook alert needs a secret to sign its requests; pass it from the environment/],
    ['an unknown key', 'alerts: [ { kind: slack, url: "https://a.example/h", secret: x } ]\n', /^alerts\[0\]\.secret: unknown key "secret"; valid keys here: kind, url, sites, groups, events \(alert kind slack\)$/],
    ['a typo in a key', 'alerts: [ { kind: webhook, url: "https://a.example/h", secret: x, event: [site.limited] } ]\n', /^alerts\[0\]\.event: unknown key "event"; did you mean "events"\?/],
    ['an unknown event', 'alerts: [ { kind: slack, url: "https://a.example/h", events: [site.limted] } ]\n', /^alerts\[0\]\.events\[0\]: "site.limted" is not a valid alert event; did you mean "site.limited"\?/],
    ['an empty filter', 'alerts: [ { kind: slack, url: "https://a.example/h", sites: [] } ]\n', /^alerts\[0\]\.sites: list at least one site id, or leave sites out for all sites$/],
    ['an email without recipients', 'alerts: [ { kind: email, smtp: { host: h }, from: a@example.com, to: [] } ]\n', /^alerts\[0\]\.to: list at least one address/],
    ['an email without smtp', 'alerts: [ { kind: email, from: a@example.com, to: [b@example.com] } ]\n', /^alerts\[0\]\.smtp: missing; an email alert needs it$/],
    ['a bad address', 'alerts: [ { kind: email, smtp: { host: h }, from: nobody, to: [b@example.com] } ]\n', /^alerts\[0\]\.from: "nobody" is not valid; write an e-mail address, like "ops@example.com"$/],
    ['a user without password', 'alerts: [ { kind: email, smtp: { host: h, user: u }, from: a@example.com, to: [b@example.com] } ]\n', /^alerts\[0\]\.smtp\.password: smtp\.user is set, so a password is needed/],
    ['a bad port', 'alerts: [ { kind: email, smtp: { host: h, port: 0 }, from: a@example.com, to: [b@example.com] } ]\n', /^alerts\[0\]\.smtp\.port: 0 is not valid; expected a whole number between 1 and 65535$/],
    ['a reminder below 1s', 'defaults: { alertReminderEvery: 100ms }\n', /^defaults\.alertReminderEvery: "100ms" is out of range; must be at least 1s$/],
    ['a channel that is not a mapping', 'alerts: [ webhook ]\n', /^alerts\[0\]: expected a mapping like \{ kind: webhook/],
  ])('reports %s', (_name, yaml, pattern) => {
    expect(errors(yaml)).toEqual([expect.stringMatching(pattern)]);
  });

  it('reports a missing secret variable once, naming it', () => {
    expect(errors('alerts: [ { kind: webhook, url: "https://a.example/h", secret: "${HOOK_SECRET}" } ]\n'))
      .toEqual([expect.stringMatching(/^alerts\[0\]\.secret: environment variable HOOK_SECRET is not set/)]);
  });
});

describe('alertReferenceIssues', () => {
  it('names routes to sites or groups the file does not have', () => {
    const data = parse(`${BASE}alerts:
  - { kind: slack, url: "https://a.example/h", sites: [mitte, mite], groups: [rooms, halls] }
`);
    expect(alertReferenceIssues(data)).toEqual([
      { path: ['alerts', 0, 'sites', 1], message: 'no site "mite" in this file; did you mean "mitte"? known sites: mitte' },
      { path: ['alerts', 0, 'groups', 1], message: 'no group "halls" in this file; known groups: rooms' },
    ]);
  });
});
