import { parseArgs } from 'node:util';
import { startGoogleSimulator } from './index.js';

/**
 * Runs the simulator as its own process (the demo, manual testing):
 *
 *   npx tsx adapters/google/simulator/main.ts --port 8091 \
 *     --calendar hall@sim=Europe/Berlin --client-id demo --client-secret demo --refresh-token demo
 *
 * Prints one JSON line with `url`, `tokenUrl` and the OAuth credentials it accepts, then serves
 * until SIGINT/SIGTERM. Drive it over HTTP with GoogleSimulatorClient (`/__sim/...`).
 */
const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    host: { type: 'string', default: '127.0.0.1' },
    calendar: { type: 'string', multiple: true, default: [] },
    'client-id': { type: 'string' },
    'client-secret': { type: 'string' },
    'refresh-token': { type: 'string' },
  },
});

const sim = await startGoogleSimulator({ port: Number(values.port), host: values.host });
for (const spec of values.calendar) {
  const eq = spec.lastIndexOf('=');
  sim.createCalendar(eq > 0 ? spec.slice(0, eq) : spec, { timeZone: eq > 0 ? spec.slice(eq + 1) : 'UTC' });
}
const oauth = sim.createOAuthClient({
  ...(values['client-id'] ? { clientId: values['client-id'] } : {}),
  ...(values['client-secret'] ? { clientSecret: values['client-secret'] } : {}),
  ...(values['refresh-token'] ? { refreshToken: values['refresh-token'] } : {}),
});
process.stdout.write(`${JSON.stringify({ url: sim.url, tokenUrl: sim.tokenUrl, oauth })}\n`);

const stop = () => void sim.stop().then(() => process.exit(0));
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
