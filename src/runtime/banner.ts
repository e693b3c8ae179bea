import { basename } from 'node:path';
import type { HubConfig } from '../config/types.js';

/** config/demo.yaml's default admin token (`${HUB_ADMIN_TOKEN:-…}`), public in the repository. */
const DEMO_ADMIN_TOKEN = 'demo-admin-token-change-me';

/** What a person starting the hub needs next: where it listens and how to try it. */
export function printBanner(config: HubConfig, address: string, file: string, simulated: boolean): void {
  const base = address.replace('0.0.0.0', '127.0.0.1');
  const demo = basename(file) === 'demo.yaml';
  const key = config.auth.widgetKeys[0];
  const sites = (key?.sites ?? config.sites.map((s) => s.id)).join(',');
  const today = new Date().toISOString().slice(0, 10);
  const lines = [
    '',
    `Availability Hub is running: ${base}`,
    `  dashboard     ${base}/dashboard/  (staff: log in with the admin token)`,
    `  API docs      ${base}/docs  (OpenAPI: ${base}/openapi.json)`,
    `  metrics       ${base}/metrics`,
    `  sites         ${config.sites.map((s) => `${s.id} (${s.timezone})`).join(', ')}`,
    ...config.auth.widgetKeys.map((k) => `  widget key    ${k.key}  (sites ${k.sites.join(', ')})`),
    ...(config.demo && simulated ? [`  simulated     ${config.demo.simulators.map((s) => `${s.kind} 127.0.0.1:${s.port}`).join(', ')}  (demo only)`] : []),
    // Only the demo's published default is shown: a token set through HUB_ADMIN_TOKEN is a secret.
    demo && config.auth.adminToken === DEMO_ADMIN_TOKEN
      ? `  admin token   ${config.auth.adminToken}  (demo default; set HUB_ADMIN_TOKEN to change it)`
      : '  admin token   from the configuration (not shown)',
    '',
    'Try:',
    `  curl -s '${base}/v1/availability?site=${sites}&from=${today}&to=${plusDays(today, 3)}' -H 'X-Api-Key: ${key?.key ?? '<key>'}'`,
    '',
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

function plusDays(date: string, n: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}
