#!/usr/bin/env node
// The published entry point runs the compiled CLI; `npm ci` (prepare) builds it.
import { existsSync } from 'node:fs';

const cli = new URL('../dist/src/cli.js', import.meta.url);
if (!existsSync(cli)) {
  console.error('avhub is not built yet: run `npm run build` (npm ci does it for you).');
  process.exit(1);
}
await import(cli.href);
