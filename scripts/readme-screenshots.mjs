// Copies the README's screenshots from the browser tests' output (test-artifacts/, written by
// test/browser/*.test.ts) into docs/images/. Run the browser tests first:
//   npx vitest run test/browser/widget.test.ts test/browser/dashboard.test.ts test/browser/dashboard-ops.test.ts
//   npm run screenshots
import { copyFileSync, existsSync } from 'node:fs';

const SHOTS = {
  'widget-hold.png': 'widget.png', // widget.test.ts: three sites in two time zones, a hold counting down
  'dashboard-limited.png': 'dashboard.png', // dashboard.test.ts: a site gone dark is limited
  'dashboard-ops.png': 'dashboard-operations.png', // dashboard-ops.test.ts: workers, conflicts, alerts, search
};
const missing = Object.keys(SHOTS).filter((from) => !existsSync(new URL(`../test-artifacts/${from}`, import.meta.url)));
if (missing.length > 0) {
  console.error(`run the browser tests first; missing in test-artifacts/: ${missing.join(', ')}`);
  process.exit(1);
}
for (const [from, to] of Object.entries(SHOTS)) {
  copyFileSync(new URL(`../test-artifacts/${from}`, import.meta.url), new URL(`../docs/images/${to}`, import.meta.url));
  console.log(`docs/images/${to} <- test-artifacts/${from}`);
}
