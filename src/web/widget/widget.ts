/**
 * `<avhub-availability>`: the embeddable availability widget (DESIGN §7), served as `/widget.js`.
 *
 * A classic script with no imports and no framework: a page embeds it with one `<script src>` and
 * it talks only to the hub that served it (or the `api` attribute). Everything lives in this one
 * file because there is no bundler between tsc and the browser; it is wrapped in a function so
 * nothing leaks into the page's globals. All text from the API goes into the DOM as text nodes.
 *
 * Long because it is one classic script: splitting it would need a bundler or several script tags
 * in every embedding page.
 */
(() => {
  interface Night { date: string; available: number }
  interface Piece { start: string; end: string; available: number }
  interface ResourceView {
    id: string; name: string; kind: 'unit' | 'pool'; group: string; capacity: number;
    nights?: Night[]; intervals?: Piece[];
  }
  interface SiteView {
    id: string; name: string; timezone: string; health: 'healthy' | 'degraded' | 'limited';
    limited: boolean; asOf: string; resources: ResourceView[];
  }
  interface Availability { sites: SiteView[] }
  interface Problem { type?: string; title?: string; status?: number; detail?: string }
  interface Held { id: string; expiresAt: string }
  interface Confirmed { reservationId: string; status: string; token: string }
  interface OpenHold {
    id: string; expires: number; site: SiteView; resource: ResourceView; what: string;
    /** `data-k` of the button that made the hold: focus returns there. */
    back: string; reservation?: Confirmed;
  }

  // The hub fills this in when it serves /widget.js: groups that still take holds while a site
  // is limited (every workflow but centralized). Served as is, it names no group: no hold then.
  const HOLD_WHILE_LIMITED = new Set('__AVHUB_HOLD_WHILE_LIMITED__'.split(',').filter((g) => !g.startsWith('__')));
  const script = document.currentScript as HTMLScriptElement | null;
  const SCRIPT_ORIGIN = script?.src ? new URL(script.src).origin : location.origin;
  const POLL_MS = 2000;
  const LENGTHS: Array<[number, string]> = [[30, '30 min'], [60, '1 hour'], [120, '2 hours'], [180, '3 hours'], [240, '4 hours'], [480, '8 hours']];

  class HttpProblem extends Error {
    constructor(readonly status: number, readonly problem: Problem) { super(problem.detail ?? `HTTP ${status}`); }
  }
  /** fetch rejected: offline, or the browser blocked the answer (CORS). */
  class Unreachable extends Error {}
  /** The hub answers, but not to this page: its origin is not among the widget key's `origins`. */
  class Refused extends Error {}

  /**
   * Tells a refused page from an unreachable hub. A refused origin gets no CORS headers, so the
   * browser hides the hub's 403 and fetch fails exactly as it does offline; an opaque (no-cors)
   * request to `/healthz` still succeeds when the hub is reachable, and fails when it is not.
   */
  async function refusedOrUnreachable(api: string): Promise<Error> {
    try {
      await fetch(`${api}/healthz`, { mode: 'no-cors', credentials: 'omit', cache: 'no-store' });
    } catch {
      return new Unreachable();
    }
    console.warn(`avhub-availability: the hub at ${api} refused this page: the widget key is unknown, or its origins (auth.widgetKeys[].origins in the hub's config) do not list "${location.origin}". The hub logs each refusal.`);
    return new Refused();
  }

  async function request<T>(url: string, init: RequestInit): Promise<T> {
    let res: Response;
    try {
      res = await fetch(url, { ...init, credentials: 'omit', mode: 'cors' });
    } catch (err) {
      if ((err as Error).name === 'AbortError') throw err;
      throw new Unreachable();
    }
    const text = await res.text();
    let body: unknown = {};
    try { body = text ? JSON.parse(text) : {}; } catch { /* not JSON: keep {} */ }
    if (!res.ok) throw new HttpProblem(res.status, body as Problem);
    return body as T;
  }

  /** A sentence for a person, for every answer the widget can get instead of what it asked for. */
  function explain(err: unknown, site = 'This site'): string {
    if (err instanceof Refused) {
      return 'Online booking is not set up for this web page, so availability cannot be shown here. Please contact us directly to book.';
    }
    if (err instanceof Unreachable) {
      return 'Availability could not be loaded: the booking service could not be reached. Please check your connection and try again.';
    }
    if (!(err instanceof HttpProblem)) return 'Something went wrong. Please try again.';
    const { status, problem } = err;
    switch (problem.type) {
      case 'unavailable': return 'Sorry, that has just been taken. The availability below is refreshed.';
      case 'hold-expired': return 'The hold expired before it was confirmed. Nothing was booked; please hold again.';
      case 'hold-released': return 'This hold was already released.';
      case 'site-limited': return `${site} is not answering right now, so it cannot take bookings here. Please contact it directly.`;
      case 'too-many-holds': return 'You have too many open holds. Confirm or release one first.';
      case 'origin-not-allowed': case 'forbidden-site': case 'unauthorized': case 'forbidden':
        return 'Online booking is not set up for this web page, so availability cannot be shown here. Please contact us directly to book.';
      default: break;
    }
    if (status === 429) return 'Too many requests. Please wait a moment and try again.';
    if (status === 503) return 'The booking service is busy. Please try again shortly.';
    if (status === 422 || status === 400) return problem.detail ? `Not possible: ${problem.detail}.` : 'That request is not possible.';
    return problem.title ? `${problem.title}${problem.detail ? `: ${problem.detail}` : ''}.` : `Something went wrong (${status}).`;
  }

  // Dates are plain YYYY-MM-DD strings; arithmetic on them happens in UTC, where days have 24 h.
  const pad = (n: number) => String(n).padStart(2, '0');
  function today(): string {
    const d = new Date();
    return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
  }
  const addDays = (date: string, n: number) => new Date(Date.parse(`${date}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
  const daysBetween = (a: string, b: string) => Math.round((Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / 86_400_000);
  /** Local wall-clock `date`T`time` plus minutes, as a local ISO time without offset (the hub reads it in the site's zone). */
  const wallPlus = (date: string, time: string, minutes: number) => new Date(Date.parse(`${date}T${time}:00Z`) + minutes * 60_000).toISOString().slice(0, 19);

  /**
   * The visitor's clock convention, the one `<input type="time">` shows: the browser's locale
   * (`navigator.language`) decides 12 or 24 hours, so a span reads as the start field does.
   */
  const H12 = ['h11', 'h12'].includes(new Intl.DateTimeFormat(undefined, { hour: 'numeric' }).resolvedOptions().hourCycle ?? '');
  const clocks = new Map<string, Intl.DateTimeFormat>();
  /** The wall clock at the site (its own time zone, never the visitor's), in the visitor's 12/24-hour convention. */
  function siteTime(instant: number, timeZone: string): string {
    let f = clocks.get(timeZone);
    if (!f) {
      clocks.set(timeZone, f = new Intl.DateTimeFormat(undefined, H12
        ? { timeZone, hour: 'numeric', minute: '2-digit', hourCycle: 'h12' }
        : { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }));
    }
    return f.format(instant);
  }
  const values = new Map<string, Intl.DateTimeFormat>();
  /** HH:MM (24 h) at the site: what an `<input type="time">` takes as its value, whatever it shows. */
  function siteValue(instant: number, timeZone: string): string {
    let f = values.get(timeZone);
    if (!f) values.set(timeZone, f = new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }));
    return f.format(instant);
  }
  function ago(ms: number): string {
    const s = Math.max(0, Math.round(ms / 1000));
    if (s < 60) return `${s} s ago`;
    if (s < 3600) return `${Math.round(s / 60)} min ago`;
    if (s < 172_800) return `${Math.round(s / 3600)} h ago`;
    return `${Math.round(s / 86_400)} days ago`;
  }
  const mmss = (ms: number) => {
    const s = Math.max(0, Math.ceil(ms / 1000));
    return `${pad(Math.floor(s / 60))}:${pad(s % 60)}`;
  };
  function randomKey(): string {
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    return `w-${Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')}`;
  }

  type Kid = Node | string | null | undefined | false;
  /** A DOM element with attributes (`text` sets textContent) and children. */
  function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string | undefined> = {}, ...kids: Kid[]): HTMLElementTagNameMap[K] {
    const el = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) {
      if (v === undefined) continue;
      if (k === 'text') el.textContent = v;
      else el.setAttribute(k, v);
    }
    for (const kid of kids) if (kid) el.append(kid);
    return el;
  }

  const CSS = `
:host{display:block;--_a:var(--avhub-accent,#0b57d0);--_on:var(--avhub-on-accent,#fff);--_fg:var(--avhub-fg,#1b1b1f);--_bg:var(--avhub-bg,#fff);--_r:var(--avhub-radius,8px);font-family:var(--avhub-font,system-ui,sans-serif);color:var(--_fg);background:var(--avhub-bg,transparent);line-height:1.4}
[hidden]{display:none!important}
*{box-sizing:border-box}
h2,h3,p,ul{margin:0}
.pick{display:flex;flex-wrap:wrap;gap:.75rem;align-items:end}
.f{display:flex;flex-direction:column;gap:.2rem;font-size:.9rem}
input,select,button{font:inherit;border-radius:var(--_r)}
input,select{padding:.35rem .5rem;border:1px solid color-mix(in srgb,var(--_fg) 45%,transparent);background:var(--_bg);color:var(--_fg)}
button{cursor:pointer;padding:.4rem .9rem;border:2px solid var(--_a);background:var(--_a);color:var(--_on)}
button.alt{background:transparent;color:var(--_a)}
button:disabled{opacity:.5;cursor:not-allowed}
:focus-visible{outline:3px solid var(--_a);outline-offset:2px}
.msg{margin-top:.75rem;min-height:1.4em}
.err{color:#b3261e;font-weight:600}
.sites{display:grid;grid-template-columns:repeat(auto-fit,minmax(15rem,1fr));gap:1rem;margin-top:.75rem}
.site{border:1px solid color-mix(in srgb,var(--_fg) 20%,transparent);border-radius:var(--_r);padding:1rem;display:flex;flex-direction:column;gap:.6rem}
.tz,.age{font-size:.85rem;opacity:.8}
.lim{border-left:4px solid #b26a00;padding:.4rem .6rem;background:color-mix(in srgb,#b26a00 12%,var(--_bg));border-radius:var(--_r)}
.res{list-style:none;padding:0;display:flex;flex-direction:column;gap:.75rem}
.row{display:flex;flex-wrap:wrap;gap:.5rem;align-items:center;justify-content:space-between}
.n{font-weight:600}
.free{list-style:none;padding:0;display:flex;flex-wrap:wrap;gap:.3rem}
.free li{border:1px solid var(--_a);border-radius:var(--_r);padding:0 .4rem;font-variant-numeric:tabular-nums}
.slot{display:flex;flex-wrap:wrap;gap:.5rem;align-items:end}
.hold{margin-top:1rem;border:2px solid var(--_a);border-radius:var(--_r);padding:1rem;display:flex;flex-direction:column;gap:.5rem}
.clock{font-size:1.6rem;font-variant-numeric:tabular-nums;font-weight:700}
.acts{display:flex;gap:.5rem;flex-wrap:wrap}
.sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}`;

  const TEMPLATE = `<style>${CSS}</style>
<form class="pick" part="form" hidden>
<div class="f stay"><label for="ci">Check-in</label><input id="ci" type="date" required></div>
<div class="f stay"><label for="co">Check-out</label><input id="co" type="date" required></div>
<div class="f day" hidden><label for="day">Day</label><input id="day" type="date" required disabled></div>
<button type="submit">Show availability</button>
</form>
<p id="status" class="msg" role="status" aria-live="polite"></p>
<p id="error" class="msg err" role="alert" hidden></p>
<div id="sites" class="sites" part="sites"></div>
<section id="hold" class="hold" part="hold" tabindex="-1" aria-labelledby="hold-title" hidden>
<h3 id="hold-title">Your hold</h3>
<p id="hold-what"></p>
<p id="countdown" aria-live="polite" aria-atomic="true"><span aria-hidden="true">Held for <span id="clock" class="clock" role="timer">--:--</span></span><span id="clock-sr" class="sr"></span></p>
<p id="res-status" role="status" aria-live="polite"></p>
<div class="acts"><button id="confirm" type="button">Confirm</button><button id="release" type="button" class="alt">Release</button><button id="done" type="button" class="alt" hidden>Done</button></div>
</section>`;

  class AvailabilityElement extends HTMLElement {
    static readonly observedAttributes = ['key', 'sites', 'group', 'api'];
    private readonly root = this.attachShadow({ mode: 'open' });
    private loading?: AbortController;
    private timers: number[] = [];
    private countdown = 0;
    private pollTimer = 0;
    private held?: OpenHold;
    private kinds = { night: true, time: false };
    private lastMinute = -1;
    private loadQueued = false;
    /** The dates the rendered list (and its Hold buttons) are for; a hold is only ever for these. */
    private shown?: { ci: string; co: string; day: string };
    private editTimer = 0;

    constructor() {
      super();
      this.root.innerHTML = TEMPLATE;
      const ci = this.$<HTMLInputElement>('ci');
      const co = this.$<HTMLInputElement>('co');
      ci.addEventListener('change', () => {
        if (ci.value && (!co.value || co.value <= ci.value)) co.value = addDays(ci.value, 1);
        if (ci.value) co.min = addDays(ci.value, 1);
      });
      // Changed dates make the list out of date: its Hold buttons stop at once and the list is
      // read again for the new dates, so a guest never holds dates other than the ones shown.
      for (const input of [ci, co, this.$<HTMLInputElement>('day')]) {
        input.addEventListener('input', () => this.datesEdited());
        input.addEventListener('change', () => this.datesEdited());
      }
      this.root.querySelector('form')!.addEventListener('submit', (e) => { e.preventDefault(); void this.load(); });
      this.$('confirm').addEventListener('click', () => void this.confirm());
      this.$('release').addEventListener('click', () => void this.release());
      this.$('done').addEventListener('click', () => void this.close('Done.'));
    }

    connectedCallback(): void {
      const ci = this.$<HTMLInputElement>('ci');
      const start = addDays(today(), 1);
      ci.min = today();
      if (!ci.value) ci.value = start;
      const co = this.$<HTMLInputElement>('co');
      if (!co.value) co.value = addDays(ci.value, 1);
      co.min = addDays(ci.value, 1);
      const day = this.$<HTMLInputElement>('day');
      day.min = today();
      if (!day.value) day.value = start;
      // Each site's local clock stays current.
      this.timers.push(window.setInterval(() => this.tickClocks(), 15_000));
      // Moved in the page while holding: the countdown goes on.
      if (this.held && !this.held.reservation) this.countdown = window.setInterval(() => this.tick(), 250);
      this.scheduleLoad();
    }

    disconnectedCallback(): void {
      this.loading?.abort();
      for (const t of this.timers) clearInterval(t);
      this.timers = [];
      clearInterval(this.countdown);
      clearTimeout(this.pollTimer);
      clearTimeout(this.editTimer);
    }

    attributeChangedCallback(_name: string, old: string | null, now: string | null): void {
      if (old !== now) this.scheduleLoad();
    }

    /** One load for any number of attribute changes in one task (an upgrade reports each attribute). */
    private scheduleLoad(): void {
      if (this.loadQueued) return;
      this.loadQueued = true;
      queueMicrotask(() => {
        this.loadQueued = false;
        if (this.isConnected) void this.load();
      });
    }

    private chosen(): { ci: string; co: string; day: string } {
      return { ci: this.$<HTMLInputElement>('ci').value, co: this.$<HTMLInputElement>('co').value, day: this.$<HTMLInputElement>('day').value };
    }

    /** True while the inputs name other dates than the list on screen. */
    private stale(): boolean {
      const now = this.chosen();
      const was = this.shown;
      if (!was) return true;
      return this.kinds.night ? now.ci !== was.ci || now.co !== was.co : now.day !== was.day;
    }

    private datesEdited(): void {
      if (!this.shown) return; // nothing drawn yet: the first load reads the inputs
      this.lockHolds(true);
      const { ci, co } = this.chosen();
      if (this.kinds.night && (!ci || !co || co <= ci)) return; // load() says what is wrong on submit
      clearTimeout(this.editTimer);
      // Typing a date fires an event per part: read once the typing pauses.
      this.editTimer = window.setTimeout(() => this.scheduleLoad(), 400);
    }

    private $<T extends HTMLElement = HTMLElement>(id: string): T {
      return this.root.getElementById(id) as T;
    }
    private get api(): string { return (this.getAttribute('api') || SCRIPT_ORIGIN).replace(/\/+$/, ''); }
    private get keyHeader(): Record<string, string> { return { 'X-Api-Key': this.getAttribute('key') ?? '' }; }
    private emit(type: string, detail: unknown): void {
      this.dispatchEvent(new CustomEvent(type, { detail, bubbles: true, composed: true }));
    }
    private say(text: string): void { this.$('status').textContent = text; }
    private fail(text: string): void {
      const el = this.$('error');
      el.textContent = text;
      el.hidden = !text;
    }

    private fetchWindow(from: string, to: string, signal: AbortSignal): Promise<Availability> {
      const q = new URLSearchParams({ site: this.getAttribute('sites') ?? '', from, to });
      const group = this.getAttribute('group');
      if (group) q.set('group', group);
      return request<Availability>(`${this.api}/v1/availability?${q}`, { headers: this.keyHeader, signal });
    }

    /** Reads availability for the chosen stay (and the chosen day, when time resources show) and renders it. */
    async load(): Promise<void> {
      // This load reads the inputs as they are now: a pending edit-triggered reload would only draw
      // the same list again later and reset what the guest typed meanwhile (a slot's start).
      clearTimeout(this.editTimer);
      const sitesEl = this.$('sites');
      const ci = this.$<HTMLInputElement>('ci').value;
      const co = this.$<HTMLInputElement>('co').value;
      const day = this.$<HTMLInputElement>('day').value;
      if (!this.getAttribute('key') || !(this.getAttribute('sites') ?? '').trim()) {
        this.fail('The widget needs its key and sites attributes.');
        return;
      }
      if (this.kinds.night && (!ci || !co || co <= ci)) {
        this.fail('Check-out must be after check-in.');
        return;
      }
      this.loading?.abort();
      const ctl = this.loading = new AbortController();
      this.fail('');
      this.say('Loading availability…');
      sitesEl.setAttribute('aria-busy', 'true');
      try {
        const stayFrom = this.kinds.night ? ci : day;
        const stayTo = this.kinds.night ? co : addDays(day, 1);
        const stay = await this.fetchWindow(stayFrom, stayTo, ctl.signal);
        const all = stay.sites.flatMap((s) => s.resources);
        this.kinds = { night: all.some((r) => r.nights) || all.length === 0, time: all.some((r) => r.intervals) };
        const sameDay = stayFrom === day && stayTo === addDays(day, 1);
        const dayAnswer = this.kinds.time && !sameDay ? await this.fetchWindow(day, addDays(day, 1), ctl.signal) : stay;
        this.showInputs();
        this.render(stay, dayAnswer, ci, co, day);
        const n = stay.sites.length;
        this.say(`Availability for ${n} site${n === 1 ? '' : 's'} loaded.`);
      } catch (caught) {
        if ((caught as Error).name === 'AbortError') return;
        const err = caught instanceof Unreachable ? await refusedOrUnreachable(this.api) : caught;
        if (this.loading !== ctl) return; // a newer load started meanwhile
        if (err instanceof Refused) {
          // Nothing the guest can change: no inputs to try again with.
          this.root.querySelector('form')!.hidden = true;
          sitesEl.replaceChildren();
          this.say('');
          this.fail(explain(err));
          this.emit('avhub:error', { message: explain(err), status: 403, reason: 'origin-not-allowed' });
          return;
        }
        this.showInputs(); // so the guest can try again
        sitesEl.replaceChildren();
        this.say('');
        this.fail(explain(err));
        this.emit('avhub:error', { message: explain(err), status: err instanceof HttpProblem ? err.status : 0 });
      } finally {
        if (this.loading === ctl) sitesEl.setAttribute('aria-busy', 'false');
      }
    }

    /** The inputs show once the first answer says which kind (stay or day) this widget's resources need. */
    private showInputs(): void {
      this.root.querySelector('form')!.hidden = false;
      for (const el of this.root.querySelectorAll<HTMLElement>('.stay')) {
        el.hidden = !this.kinds.night;
        el.querySelector('input')!.disabled = !this.kinds.night;
      }
      const day = this.root.querySelector<HTMLElement>('.day')!;
      day.hidden = !this.kinds.time;
      day.querySelector('input')!.disabled = !this.kinds.time;
    }

    private render(stay: Availability, dayAnswer: Availability, ci: string, co: string, day: string): void {
      const now = Date.now();
      const sections = stay.sites.map((site, i) => {
        const head = `site-${i}`;
        const timed = new Map((dayAnswer.sites.find((s) => s.id === site.id)?.resources ?? []).map((r) => [r.id, r]));
        const age = now - Date.parse(site.asOf);
        const items = site.resources.map((res, j) => {
          const id = `${i}-${j}`;
          const holdable = !site.limited || HOLD_WHILE_LIMITED.has(res.group);
          return res.nights
            ? this.nightRow(site, res, id, holdable, ci, co)
            : this.timeRow(site, timed.get(res.id) ?? res, id, holdable, day);
        });
        // Two widgets on one page (rooms, halls) list the same sites: the group keeps region names
        // unique, and a number the widgets that share a group (or have none).
        const group = this.getAttribute('group');
        const twins = [...document.querySelectorAll('avhub-availability')].filter((el) => el.getAttribute('group') === group);
        const nth = twins.length > 1 ? twins.indexOf(this) + 1 : 0;
        const label = [site.name, group].filter(Boolean).join(', ') + (nth > 1 ? ` (${nth})` : '');
        return h('section', { class: 'site', role: 'region', 'aria-label': group || nth > 1 ? label : undefined,
          'aria-labelledby': group || nth > 1 ? undefined : head, 'data-site': site.id, part: 'site' },
          h('h3', { id: head, text: site.name }),
          h('p', { class: 'tz' }, `${site.timezone}, `, h('time', { 'data-tz': site.timezone, text: siteTime(now, site.timezone) }), ' local'),
          site.limited
            ? h('p', { class: 'lim', 'data-state': 'limited' }, h('strong', { text: 'Limited availability — on request' }),
              h('span', { class: 'age', text: ` · data from ${Date.parse(site.asOf) > 0 ? ago(age) : 'no data yet'}` }))
            : site.health === 'degraded' ? h('p', { class: 'age', text: `Updates delayed · data from ${ago(age)}` }) : null,
          items.length ? h('ul', { class: 'res' }, ...items) : h('p', { text: 'Nothing to book here.' }));
      });
      this.$('sites').replaceChildren(...sections);
      this.shown = { ci, co, day };
      if (this.held || this.stale()) this.lockHolds(true);
    }

    private holdButton(site: SiteView, res: ResourceView, label: string): HTMLButtonElement {
      return h('button', { type: 'button', class: 'hb', 'data-k': `${site.id}/${res.id}`, 'aria-label': label, text: 'Hold' });
    }

    private nightRow(site: SiteView, res: ResourceView, id: string, holdable: boolean, ci: string, co: string): HTMLLIElement {
      const nights = res.nights ?? [];
      const min = nights.length ? Math.min(...nights.map((n) => n.available)) : 0;
      const count = daysBetween(ci, co);
      const stayText = `${count} night${count === 1 ? '' : 's'} from ${ci}`;
      let action: HTMLElement;
      if (!holdable) action = h('span', { text: 'On request' });
      else if (min <= 0) action = h('span', { text: 'Sold out' });
      else {
        action = this.holdButton(site, res, `Hold ${res.name} at ${site.name}, ${stayText}`);
        action.addEventListener('click', () => void this.hold(site, res, { checkIn: ci, checkOut: co }, `${res.name} at ${site.name}, ${stayText}`, action));
      }
      return h('li', { 'data-resource': res.id },
        h('div', { class: 'row' },
          h('span', {}, h('span', { class: 'n', id: `r-${id}`, text: res.name }), ' ',
            h('span', { class: 'avail', 'data-available': String(min), text: min > 0 ? `${min} available` : 'none available' })),
          action));
    }

    private timeRow(site: SiteView, res: ResourceView, id: string, holdable: boolean, day: string): HTMLLIElement {
      // Adjacent free pieces read as one span of free time.
      const free: Array<{ start: number; end: number }> = [];
      for (const p of res.intervals ?? []) {
        if (p.available <= 0) continue;
        const start = Date.parse(p.start);
        const end = Date.parse(p.end);
        const last = free[free.length - 1];
        if (last && last.end === start) last.end = end;
        else free.push({ start, end });
      }
      const tz = site.timezone;
      // A span up to midnight ends at 24:00 on a 24-hour clock (00:00 would read as its start).
      const fmtEnd = (ms: number) => (!H12 && siteValue(ms, tz) === '00:00' ? '24:00' : siteTime(ms, tz));
      const spans = free.map((f) => `${siteTime(f.start, tz)}–${fmtEnd(f.end)}`);
      const li = h('li', { 'data-resource': res.id },
        h('div', { class: 'row' }, h('span', { class: 'n', id: `r-${id}`, text: res.name })),
        spans.length
          ? h('ul', { class: 'free', 'aria-label': `Free at ${site.name} on ${day} (${tz} time)` }, ...spans.map((s) => h('li', { text: s })))
          : h('p', { class: 'avail', text: 'Fully booked this day' }));
      if (!spans.length) return li;
      if (!holdable) { li.append(h('p', { text: 'On request' })); return li; }
      const start = h('input', { id: `t-${id}`, type: 'time', step: '900', value: siteValue(free[0]!.start, tz), required: '' });
      const length = h('select', { id: `l-${id}` }, ...LENGTHS.map(([m, text]) => h('option', { value: String(m), text, ...(m === 60 ? { selected: '' } : {}) })));
      const button = this.holdButton(site, res, `Hold ${res.name} at ${site.name} on ${day}`);
      button.addEventListener('click', () => {
        if (!start.value) { this.fail('Choose a start time.'); start.focus(); return; }
        const minutes = Number(length.value);
        const from = `${day}T${start.value.slice(0, 5)}:00`;
        const lengthText = length.selectedOptions[0]?.textContent ?? '';
        void this.hold(site, res, { start: from, end: wallPlus(day, start.value.slice(0, 5), minutes) },
          `${res.name} at ${site.name}, ${day} ${start.value.slice(0, 5)} (${tz}) for ${lengthText}`, button);
      });
      li.append(h('div', { class: 'slot' },
        h('div', { class: 'f' }, h('label', { for: `t-${id}`, text: `Start (${tz})` }), start),
        h('div', { class: 'f' }, h('label', { for: `l-${id}`, text: 'Length' }), length),
        button));
      return li;
    }

    private lockHolds(locked: boolean): void {
      for (const b of this.root.querySelectorAll<HTMLButtonElement>('button.hb')) b.disabled = locked;
    }

    private async hold(site: SiteView, res: ResourceView, span: Record<string, string>, what: string, button: HTMLElement): Promise<void> {
      if (this.held) return;
      if (this.stale()) {
        // The inputs were changed after this list was drawn: show the new dates, hold nothing.
        this.say('The dates changed: showing availability for the new dates. Choose again.');
        this.scheduleLoad();
        return;
      }
      this.fail('');
      this.lockHolds(true);
      this.say(`Holding ${what}…`);
      try {
        // A new key per click: a retried request of this click never claims twice.
        const held = await request<Held>(`${this.api}/v1/holds`, {
          method: 'POST',
          headers: { ...this.keyHeader, 'Content-Type': 'application/json', 'Idempotency-Key': randomKey() },
          body: JSON.stringify({ site: site.id, resource: res.id, ...span }),
        });
        this.open({ id: held.id, expires: Date.parse(held.expiresAt), site, resource: res, what, back: button.dataset.k ?? '' });
        this.emit('avhub:held', { holdId: held.id, expiresAt: held.expiresAt, site: site.id, resource: res.id, ...span });
        void this.load();
      } catch (err) {
        this.lockHolds(false);
        this.say('');
        // What was shown is out of date: refresh it, then say why the hold failed.
        if (err instanceof HttpProblem && (err.problem.type === 'unavailable' || err.problem.type === 'site-limited')) await this.load();
        this.fail(explain(err, site.name));
      }
    }

    private open(held: OpenHold): void {
      this.held = held;
      this.$('hold-title').textContent = 'Your hold';
      this.$('hold-what').textContent = held.what;
      this.$('res-status').textContent = '';
      this.$('countdown').hidden = false;
      this.$('confirm').hidden = false;
      this.$<HTMLButtonElement>('confirm').disabled = false;
      this.$('release').hidden = false;
      this.$<HTMLButtonElement>('release').disabled = false;
      this.$('done').hidden = true;
      this.$('hold').hidden = false;
      this.lastMinute = -1;
      this.tick();
      clearInterval(this.countdown);
      this.countdown = window.setInterval(() => this.tick(), 250);
      this.say('');
      this.$('hold').focus();
    }

    /** The visible mm:ss; the screen-reader text changes once a minute (and in the last minute). */
    private tick(): void {
      const held = this.held;
      if (!held) return;
      const left = held.expires - Date.now();
      this.$('clock').textContent = mmss(left);
      const minutes = Math.ceil(left / 60_000);
      if (minutes !== this.lastMinute) {
        this.lastMinute = minutes;
        this.$('clock-sr').textContent = left > 0 ? `${minutes} minute${minutes === 1 ? '' : 's'} left to confirm` : '';
      }
      if (left <= 0) {
        this.settle();
        this.$('res-status').textContent = 'The hold expired. Nothing was booked.';
        this.emit('avhub:expired', { holdId: held.id });
      }
    }

    private async confirm(): Promise<void> {
      const held = this.held;
      if (!held) return;
      this.$<HTMLButtonElement>('confirm').disabled = true;
      this.$<HTMLButtonElement>('release').disabled = true;
      this.$('res-status').textContent = 'Confirming…';
      try {
        const r = await request<Confirmed>(`${this.api}/v1/holds/${encodeURIComponent(held.id)}/confirm`, { method: 'POST', headers: this.keyHeader });
        held.reservation = r;
        this.$('hold-title').textContent = 'Your reservation';
        this.showReservation(r.status);
        this.settle();
      } catch (err) {
        this.$('res-status').textContent = explain(err);
        const over = err instanceof HttpProblem && ['hold-expired', 'hold-released', 'hold-confirmed', 'not-found'].includes(err.problem.type ?? '');
        if (over) {
          this.settle();
        } else {
          this.$<HTMLButtonElement>('confirm').disabled = false;
          this.$<HTMLButtonElement>('release').disabled = false;
          if (this.focusLost()) this.$('confirm').focus();
        }
      }
    }

    /** A button that had focus was disabled (Chromium then drops focus to the body). */
    private focusLost(): boolean {
      return this.root.activeElement === null && (document.activeElement === null || document.activeElement === document.body);
    }

    /** The hold is over (confirmed, expired or gone): only Done is left, and focus must not fall out of the panel. */
    private settle(): void {
      clearInterval(this.countdown);
      const hadFocus = this.focusLost() || (this.root.activeElement !== null && this.$('hold').contains(this.root.activeElement));
      this.$('countdown').hidden = true;
      this.$('confirm').hidden = true;
      this.$('release').hidden = true;
      this.$('done').hidden = false;
      if (hadFocus) this.$('done').focus();
    }

    /** Shows where the reservation stands and polls it every 2 s until the site has it (or refused it). */
    private showReservation(status: string, error?: string): void {
      const held = this.held;
      const r = held?.reservation;
      if (!held || !r) return;
      const el = this.$('res-status');
      el.dataset.status = status;
      if (status === 'confirmed') {
        el.textContent = `Reservation confirmed (${r.reservationId}).`;
        this.emit('avhub:reserved', { reservationId: r.reservationId, token: r.token, status, site: held.site.id, resource: held.resource.id });
        return;
      }
      if (status === 'failed' || status === 'cancelled') {
        el.textContent = `${held.site.name} could not take the reservation${error ? `: ${error}` : ''}. Nothing was booked.`;
        this.emit('avhub:reservation-failed', { reservationId: r.reservationId, status, error, site: held.site.id, resource: held.resource.id });
        return;
      }
      el.textContent = `Reservation ${r.reservationId} is pending: ${held.site.name} is recording it…`;
      clearTimeout(this.pollTimer);
      this.pollTimer = window.setTimeout(() => void this.poll(held, r), POLL_MS);
    }

    private async poll(held: OpenHold, r: Confirmed): Promise<void> {
      if (this.held !== held) return;
      try {
        const view = await request<{ status: string; error?: string }>(`${this.api}/v1/reservations/${encodeURIComponent(r.reservationId)}`,
          { headers: { ...this.keyHeader, 'X-Reservation-Token': r.token } });
        if (this.held === held) this.showReservation(view.status, view.error);
      } catch {
        // Offline for a moment: keep asking.
        if (this.held === held) this.pollTimer = window.setTimeout(() => void this.poll(held, r), POLL_MS);
      }
    }

    private async release(): Promise<void> {
      const held = this.held;
      if (!held) return;
      this.$<HTMLButtonElement>('release').disabled = true;
      this.$<HTMLButtonElement>('confirm').disabled = true;
      try {
        await request<unknown>(`${this.api}/v1/holds/${encodeURIComponent(held.id)}`, { method: 'DELETE', headers: this.keyHeader });
        this.emit('avhub:released', { holdId: held.id });
        await this.close('Hold released.');
      } catch (err) {
        this.$('res-status').textContent = explain(err);
        this.$<HTMLButtonElement>('release').disabled = false;
        this.$<HTMLButtonElement>('confirm').disabled = false;
        if (this.focusLost()) this.$('release').focus();
      }
    }

    /** Closes the hold panel, refreshes availability and puts focus back where the hold started. */
    private async close(message: string): Promise<void> {
      const held = this.held;
      this.held = undefined;
      clearInterval(this.countdown);
      clearTimeout(this.pollTimer);
      this.$('hold').hidden = true;
      await this.load();
      this.say(message);
      const back = held && [...this.root.querySelectorAll<HTMLElement>('button.hb')].find((b) => b.dataset.k === held.back);
      (back ?? this.root.querySelector<HTMLElement>('button.hb') ?? this.$('ci')).focus();
    }

    private tickClocks(): void {
      const now = Date.now();
      for (const t of this.root.querySelectorAll<HTMLElement>('time[data-tz]')) t.textContent = siteTime(now, t.dataset.tz!);
    }
  }

  if (!customElements.get('avhub-availability')) customElements.define('avhub-availability', AvailabilityElement);
})();
