import type { Logger } from 'pino';
import { HubError } from '../core/errors.js';

/** A widget key refused the request's Origin; carries what the hub may log about the key. */
export class OriginRefused extends HubError {
  constructor(readonly origin: string, readonly key: { scope: string; sites: readonly string[] }) {
    super(403, 'origin-not-allowed', 'Origin not allowed', `this widget key is not allowed from origin ${origin}`);
  }
}

/** Distinct (key, origin) pairs remembered; an older one may be logged again. */
const REMEMBERED = 1_000;

/**
 * One log line per refused (widget key, origin) pair per `every`, and at most `perMinute` lines a
 * minute in all, so a page (or a script sending made-up Origin headers) cannot flood the logs.
 * The line names the key by its digest (`scope`, as in rate-limit keys) and its sites, never the
 * key itself; lines left out are counted in the next one (`suppressed`). Per process: each API
 * process logs its own refusals.
 */
export class OriginRefusals {
  private readonly last = new Map<string, number>();
  private window = { start: 0, lines: 0 };
  private suppressed = 0;

  constructor(private readonly logger: Logger,
    private readonly opts: { every: number; perMinute: number; now: () => number } = { every: 10 * 60_000, perMinute: 20, now: Date.now }) {}

  /** `key` is null for a preflight, which carries no key: then no key allows the origin. */
  note(origin: string, key: { scope: string; sites: readonly string[] } | null): void {
    const now = this.opts.now();
    // The header is the caller's to choose: keep the line short.
    const shown = origin.slice(0, 200);
    const pair = `${key?.scope ?? '-'}|${shown}`;
    const seen = this.last.get(pair);
    if (seen !== undefined && now - seen < this.opts.every) return;
    if (now - this.window.start >= 60_000) this.window = { start: now, lines: 0 };
    if (this.window.lines >= this.opts.perMinute) {
      this.suppressed++;
      return;
    }
    this.window.lines++;
    this.last.delete(pair);
    this.last.set(pair, now);
    if (this.last.size > REMEMBERED) this.last.delete(this.last.keys().next().value!);
    const suppressed = this.suppressed;
    this.suppressed = 0;
    this.logger.warn({
      origin: shown, ...(key ? { widgetKey: key.scope, sites: key.sites } : {}), ...(suppressed > 0 ? { suppressed } : {}),
    }, key
      ? 'widget key refused a page: its origins do not list this origin (add it to auth.widgetKeys[].origins if the page is yours)'
      : 'CORS preflight refused: no widget key lists this origin');
  }
}
