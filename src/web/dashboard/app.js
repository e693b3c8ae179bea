// Staff dashboard: plain DOM, no framework, no third-party request. It reads the admin API every
// 2 s with the admin token from session storage, sent only as `Authorization: Bearer`.
// Long because it is one module the page loads as is (no bundler): sites, workers, health,
// write-backs, conflicts, alert deliveries and the search of holds and reservations.

const TOKEN_KEY = 'avhub.adminToken';
const EVERY_MS = 2000;
/** The page lives at <hub>/dashboard/; the API is relative to the hub's root. */
const ROOT = new URL('../', location.href);

const $ = (id) => document.getElementById(id);
let token = sessionStorage.getItem(TOKEN_KEY);
let timer = 0;
let running = false;
let first = true;
/** Server time minus browser time, from the Date header: ages are computed against the hub's clock. */
let skew = 0;
const seenHealth = new Map();
const seenFailed = new Set();
const conflicts = { missing: false, checkedAt: 0, seen: null };

class AuthError extends Error {}

async function api(method, path, payload) {
  const headers = { authorization: `Bearer ${token}`, accept: 'application/json' };
  if (payload !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(new URL(path, ROOT), {
    method, cache: 'no-store', credentials: 'omit', headers,
    ...(payload !== undefined ? { body: JSON.stringify(payload) } : {}),
  });
  const date = Date.parse(res.headers.get('date') ?? '');
  if (!Number.isNaN(date)) skew = date - Date.now();
  if (res.status === 401 || res.status === 403) throw new AuthError(`the hub refused the token (${res.status})`);
  const body = /json/.test(res.headers.get('content-type') ?? '') ? await res.json() : null;
  return { status: res.status, body };
}

// ---- formatting --------------------------------------------------------------------------------

const now = () => Date.now() + skew;
function ago(iso) {
  if (!iso) return '—';
  const s = Math.max(0, Math.round((now() - Date.parse(iso)) / 1000));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min`;
  if (s < 86400) return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
  return `${Math.floor(s / 86400)} d`;
}
/** Each site's IANA zone, from its detail: staff read every time in the site's own time. */
const zones = new Map();
/** Each site's display name, from GET /v1/sites. */
const names = new Map();
const siteName = (id) => names.get(id) ?? id;
const formats = new Map();
function formatIn(timeZone, part) {
  const key = `${timeZone}|${part}`;
  let f = formats.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat('en-GB', part === 'date'
      ? { timeZone, weekday: 'short', day: 'numeric', month: 'short', year: 'numeric' }
      : { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    formats.set(key, f);
  }
  return f;
}
/**
 * An instant as the wall clock at `site` (a site id), with its zone named: "Fri 4 Dec 2026, 17:05
 * America/New_York"; the date is left out for today at the site. Without a known zone, UTC (named).
 */
function clock(iso, site) {
  if (!iso) return '—';
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return '—';
  const timeZone = zones.get(site) ?? 'UTC';
  const day = formatIn(timeZone, 'date').format(ms);
  const time = formatIn(timeZone, 'time').format(ms);
  return `${day === formatIn(timeZone, 'date').format(now()) ? time : `${day}, ${time}`} ${timeZone}`;
}

// ---- words: what a record is about ---------------------------------------------------------------

/** Reservations by id (guest, resource, dates), read once per write-back or conflict that names them. */
const reservations = new Map();
function loadReservation(id) {
  if (!id || reservations.has(id)) return;
  reservations.set(id, null);
  api('GET', `v1/reservations/${encodeURIComponent(id)}`)
    .then((res) => { if (res.status === 200) reservations.set(id, res.body); else reservations.delete(id); })
    .catch(() => reservations.delete(id));
}
function guestOf(r) {
  const c = r?.customer ?? {};
  const name = c.name ?? c.fullName ?? [c.firstName, c.lastName].filter(Boolean).join(' ');
  return typeof name === 'string' && name ? name : null;
}
function dates(item) {
  if (item.checkIn) return `${item.checkIn} to ${item.checkOut}`;
  if (item.start) return `${clock(item.start, item.site)} to ${clock(item.end, item.site)}`;
  return '';
}
/** "Ada Lovelace: double at Hotel inn, 2026-12-29 to 2026-12-31", or the id while it loads. */
function describeReservation(id) {
  const r = reservations.get(id);
  if (!r) return null;
  const what = r.items.map((i) => `${i.quantity > 1 ? `${i.quantity} × ` : ''}${i.resource} at ${siteName(i.site)}, ${dates(i)}`).join('; ');
  return `${guestOf(r) ?? 'Guest not named'}: ${what}`;
}

// ---- DOM helpers: rows are keyed and cells rewritten only when they change, so focus (a Retry
// button) survives the 2-second refresh and screen readers are not flooded. --------------------

function el(tag, attrs = {}, ...kids) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'class') node.className = v;
    else if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v);
  }
  node.append(...kids.filter((k) => k !== null && k !== undefined));
  return node;
}

/** Sets cell `i` of `row` from `content` (text, or a [signature, build] pair for structured content). */
function setCell(row, i, content, tag = 'td') {
  while (row.cells.length <= i) row.append(el(tag));
  const cell = row.cells[i];
  const [sig, build] = typeof content === 'string' ? [content, () => [content]] : content;
  if (cell.dataset.sig === sig) return cell;
  cell.dataset.sig = sig;
  cell.replaceChildren(...build());
  return cell;
}

function syncRows(table, items, keyOf, render, emptyId) {
  const tbody = table.tBodies[0];
  const heads = table.tHead?.rows[0]?.cells ?? [];
  const stale = new Map([...tbody.rows].map((r) => [r.dataset.key, r]));
  let cursor = tbody.firstElementChild;
  for (const item of items) {
    const key = keyOf(item);
    let row = stale.get(key);
    stale.delete(key);
    if (!row) {
      row = el('tr');
      row.dataset.key = key;
    }
    render(row, item);
    // On a phone the table stacks (style.css): each cell names its column.
    for (const cell of row.cells) if (!cell.dataset.label) cell.dataset.label = heads[cell.cellIndex]?.textContent ?? '';
    if (row === cursor) cursor = cursor.nextElementSibling;
    else tbody.insertBefore(row, cursor);
  }
  for (const row of stale.values()) row.remove();
  table.hidden = items.length === 0;
  $(emptyId).hidden = items.length > 0;
}

const badge = (health) => [health, () => [el('span', { class: `badge ${health}` }, health)]];
const muted = (text) => el('span', { class: 'id' }, text);
function announce(text) {
  const region = $('announcer');
  region.append(el('p', {}, text));
  while (region.childElementCount > 5) region.firstElementChild.remove();
}

// ---- sections -----------------------------------------------------------------------------------

function renderSites(sites) {
  syncRows($('sites'), sites, (s) => s.id, (row, s) => {
    row.dataset.health = s.health;
    const th = row.cells[0] ?? row.appendChild(el('th', { scope: 'row' }));
    if (th.dataset.sig !== `${s.name}|${s.timezone}`) {
      th.dataset.sig = `${s.name}|${s.timezone}`;
      th.replaceChildren(s.name, ' ', muted(s.id), el('br'), el('span', { class: 'tz' }, `times in ${s.timezone ?? 'UTC'}`));
    }
    const sync = s.sync;
    const system = s.adapter === 'none' ? 'hub (no external system)' : `${s.adapter}${s.pollEvery ? `, every ${s.pollEvery}` : ''}`;
    const push = pushNote(s.push);
    setCell(row, 1, push ? [`${system}|${push}`, () => [system, el('br'), el('span', { class: 'note push' }, push)]] : system);
    setCell(row, 2, badge(s.health));
    setCell(row, 3, s.adapter === 'none' ? 'live' : sync?.lastSuccessAt ? ago(sync.lastSuccessAt) : 'never synced');
    setCell(row, 4, sync?.lastPollAt ? `${ago(sync.lastPollAt)} ago` : '—');
    setCell(row, 5, s.adapter === 'none' ? '—' : nextPoll(sync?.nextPollAt, s.id));
    setCell(row, 6, String(sync?.consecutiveFailures ?? 0));
    const error = sync?.lastError ? `${sync.lastErrorCode ? `${sync.lastErrorCode}: ` : ''}${sync.lastError} (${ago(sync.lastErrorAt)} ago)` : null;
    // A resource whose feed or calendar fails keeps its last data; staff see which one and where.
    const failing = (s.resourceStatus ?? []).filter((r) => r.failure)
      .map((r) => `${r.resource}: ${r.failure.code} from ${r.failure.origin} for ${ago(r.failure.since)}, last data kept`);
    setCell(row, 7, [error, ...failing].filter(Boolean).join('; ') || '—').className = 'reason';
    // A limited or failing site's fix is a poll that succeeds: the button says so where it matters.
    const problem = s.health !== 'healthy' || failing.length > 0;
    setCell(row, 8, [`${s.adapter}|${problem}`, () => (s.adapter === 'none' ? [el('span', { class: 'note' }, 'nothing to poll')]
      : [el('button', { type: 'button', class: 'sync', 'aria-label': `Sync now: ${s.name}`, onclick: (e) => syncNow(s, e.currentTarget) }, 'Sync now'),
        ...(problem ? [el('br'), el('span', { class: 'note' }, 'polls at once; fix the source first if it keeps failing')] : [])])]);
  }, 'sites-empty');
  for (const s of sites) {
    const before = seenHealth.get(s.id);
    if (!first && before && before !== s.health) announce(`${s.name} is now ${s.health} (was ${before}).`);
    seenHealth.set(s.id, s.health);
  }
}

/** One line on a site's change notifications, or null when push is not configured (issue 17). */
function pushNote(push) {
  if (!push || push.via.length === 0) return null;
  if (!push.active) return `push inactive: ${push.inactiveReason}`;
  const lag = push.lastLagMs === null ? '' : `, lag ${(push.lastLagMs / 1000).toFixed(1)} s`;
  return `push active (${push.via.join(', ')}): last ${ago(push.lastNotificationAt)} ago${lag}`;
}

/** Polls a site at once (POST /v1/sites/{id}/sync); the table shows the result on the next refresh. */
async function syncNow(site, button) {
  button.disabled = true;
  try {
    const res = await api('POST', `v1/sites/${encodeURIComponent(site.id)}/sync`);
    announce(res.status === 202 || res.status === 200 ? `Sync of ${site.name} started.` : `Sync of ${site.name} refused: ${res.body?.detail ?? res.status}.`);
  } catch (err) {
    if (err instanceof AuthError) return logout(err.message);
    announce(`Sync of ${site.name} failed: ${err.message}.`);
  }
  button.disabled = false;
  refreshSoon(500);
}

/** "in 25 s (14:05 Europe/Berlin)", or "due now" once the slot has passed (the worker is on it). */
function nextPoll(iso, site) {
  if (!iso) return 'not scheduled (no scheduler running?)';
  const s = Math.round((Date.parse(iso) - now()) / 1000);
  if (s <= 0) return 'due now';
  const wait = s < 60 ? `${s} s` : s < 3600 ? `${Math.round(s / 60)} min` : `${Math.floor(s / 3600)} h ${Math.round((s % 3600) / 60)} min`;
  return `in ${wait} (${clock(iso, site)})`;
}

function renderHistory(sites) {
  const changes = sites.flatMap((s) => (s.history ?? []).map((h) => ({ ...h, site: s })))
    .sort((a, b) => b.at.localeCompare(a.at)).slice(0, 20);
  syncRows($('history'), changes, (h) => `${h.site.id}|${h.at}|${h.to}`, (row, h) => {
    const th = row.cells[0] ?? row.appendChild(el('th', { scope: 'row' }));
    th.textContent = clock(h.at, h.site.id);
    setCell(row, 1, h.site.name);
    setCell(row, 2, [`${h.from}>${h.to}`, () => [badge(h.from)[1]()[0], ' → ', badge(h.to)[1]()[0]]]);
    setCell(row, 3, h.reason ?? '—');
  }, 'history-empty');
}

async function retry(job, button) {
  button.disabled = true;
  button.textContent = 'Retrying…';
  try {
    const res = await api('POST', `v1/admin/writebacks/${encodeURIComponent(job.id)}/retry`);
    if (res.status === 202) announce(`Write-back (${job.op}) of reservation ${job.reservation} was queued again.`);
    else announce(`Retry of reservation ${job.reservation} refused: ${res.body?.detail ?? res.status}.`);
  } catch (err) {
    if (err instanceof AuthError) return logout(err.message);
    announce(`Retry of reservation ${job.reservation} failed: ${err.message}.`);
  }
  button.disabled = false;
  button.textContent = 'Retry';
  refreshSoon(0);
}

function renderJobs(jobs) {
  const failed = jobs.filter((j) => j.state === 'failed');
  const pending = jobs.filter((j) => j.state !== 'failed');
  const resv = (row, j) => {
    loadReservation(j.reservation);
    const words = describeReservation(j.reservation);
    const th = row.cells[0] ?? row.appendChild(el('th', { scope: 'row' }));
    if (th.dataset.sig !== `${j.id}|${words}`) {
      th.dataset.sig = `${j.id}|${words}`;
      th.replaceChildren(...(words ? [words, el('br')] : []), muted(`reservation ${j.reservation}, job ${j.id}`));
    }
  };
  syncRows($('failed'), failed, (j) => j.id, (row, j) => {
    resv(row, j);
    setCell(row, 1, j.op);
    setCell(row, 2, j.sites.map(siteName).join(', ') || '—');
    setCell(row, 3, `${j.attemptsMade} of ${j.attempts}`);
    setCell(row, 4, j.failedReason ?? '—').className = 'reason';
    setCell(row, 5, clock(j.finishedAt, j.sites[0]));
    setCell(row, 6, [`${j.retryable}`, () => (j.retryable
      ? [el('button', { type: 'button', class: 'retry', 'aria-label': `Retry ${j.op} write-back of reservation ${j.reservation}`,
        onclick: (e) => retry(j, e.currentTarget) }, 'Retry')]
      : [el('span', { class: 'note' }, `cannot retry: reservation ${j.reservationStatus ?? 'gone'}, capacity released`)])]);
  }, 'failed-empty');
  syncRows($('pending'), pending, (j) => j.id, (row, j) => {
    resv(row, j);
    setCell(row, 1, j.op);
    setCell(row, 2, j.sites.map(siteName).join(', ') || '—');
    // A delay that has run out waits only for a free worker: "delayed until" a past time misleads.
    const due = j.state === 'delayed' && j.nextAttemptAt && Date.parse(j.nextAttemptAt) > now();
    const retrying = j.attemptsMade > 0 ? 'retrying now' : 'writing now';
    setCell(row, 3, due ? `waiting to retry: next attempt ${nextPoll(j.nextAttemptAt, j.sites[0])}`
      : j.state === 'active' ? retrying
        : j.state === 'delayed' ? `${retrying} (due, waiting for a free worker)` : `${j.state}, waiting for a free worker`);
    setCell(row, 4, `${j.attemptsMade} of ${j.attempts}`);
    setCell(row, 5, j.failedReason ?? '—').className = 'reason';
    setCell(row, 6, clock(j.createdAt, j.sites[0]));
  }, 'pending-empty');
  for (const j of failed) {
    if (!first && !seenFailed.has(j.id)) announce(`Write-back (${j.op}) of reservation ${j.reservation} failed: ${j.failedReason ?? 'no reason given'}.`);
  }
  seenFailed.clear();
  for (const j of failed) seenFailed.add(j.id);
}

/** Applies a staff decision to a conflict; the audit trail records it. */
async function resolveConflict(c, decision, button) {
  button.disabled = true;
  try {
    const res = await api('POST', `v1/conflicts/${encodeURIComponent(c.id)}/resolve`, decision);
    if (res.status === 200) announce(`Conflict at ${c.sites.join(', ')} resolved: ${res.body?.outcome?.summary ?? decision.action}.`);
    else announce(`Resolving the conflict was refused: ${res.body?.detail ?? res.status}.`);
  } catch (err) {
    if (err instanceof AuthError) return logout(err.message);
    announce(`Resolving the conflict failed: ${err.message}.`);
  }
  button.disabled = false;
  refreshSoon(0);
}

/** Each button's accessible name starts with its visible text (WCAG 2.5.3 Label in Name). */
function conflictActions(c) {
  const where = c.sites.map(siteName).join(', ');
  return [
    ...(c.bookings ?? []).map((b) => {
      const text = `Keep ${b.origin === 'hub' ? 'hub reservation' : `${siteName(b.site)} booking`}`;
      return el('button', {
        type: 'button', class: 'resolve', 'aria-label': `${text} ${b.reservationId ?? b.externalId ?? b.ref} at ${where}; the others give way`,
        onclick: (e) => resolveConflict(c, { action: 'keep', keep: b.ref }, e.currentTarget),
      }, text);
    }),
    el('button', {
      type: 'button', class: 'resolve', 'aria-label': `Accept overbooking at ${where}`,
      onclick: (e) => resolveConflict(c, { action: 'accept', note: 'accepted from the dashboard' }, e.currentTarget),
    }, 'Accept overbooking'),
  ];
}

async function loadConflicts() {
  // A hub without conflict tracking has no such route: ask again only every 30 s.
  if (conflicts.missing && Date.now() - conflicts.checkedAt < 30_000) return;
  conflicts.checkedAt = Date.now();
  const res = await api('GET', 'v1/conflicts?status=open');
  conflicts.missing = res.status === 404;
  const note = $('conflicts-note');
  if (res.status !== 200) {
    syncRows($('conflicts'), [], (c) => c.id, () => undefined, 'conflicts-note');
    note.textContent = res.status === 404 ? 'No conflict tracking yet.' : `Conflicts could not be read (${res.status}).`;
    return;
  }
  const open = (res.body?.conflicts ?? []).filter((c) => c.status === 'open');
  syncRows($('conflicts'), open, (c) => c.id, (row, c) => {
    const th = row.cells[0] ?? row.appendChild(el('th', { scope: 'row' }));
    th.textContent = (c.resources ?? []).map((r) => `${r.resource} at ${siteName(r.site)}`).join(', ') || c.id;
    const when = c.when?.nights ? `${c.when.nights[0]}${c.when.nights.length > 1 ? ` to ${c.when.nights[c.when.nights.length - 1]}` : ''}`
      : c.when ? `${clock(c.when.start, c.sites[0])} to ${clock(c.when.end, c.sites[0])}` : '—';
    setCell(row, 1, when);
    setCell(row, 2, `${c.excess} more booked than the ${c.capacity} available`);
    // A hub booking's ref is its reservation id when the record carries no reservationId.
    const resvOf = (b) => b.reservationId ?? b.ref;
    for (const b of c.bookings ?? []) if (b.origin === 'hub') loadReservation(resvOf(b));
    const booking = (b) => {
      const count = b.quantity > 1 ? ` (${b.quantity})` : '';
      if (b.origin === 'hub') {
        const guest = guestOf(reservations.get(resvOf(b)));
        return `hub reservation ${resvOf(b)}${guest ? ` for ${guest}` : ''}${count}`;
      }
      // What the front desk calls it at the site (the source event's title), then its id there.
      return `${b.title ? `“${b.title}”, ` : ''}booking ${b.externalId ?? b.ref} made at ${siteName(b.site)}${count}`;
    };
    const texts = (c.bookings ?? []).map(booking);
    const links = (c.bookings ?? []).filter((b) => b.link);
    setCell(row, 3, [`${texts.join('; ')}|${links.map((b) => b.link).join(' ')}`, () => [
      texts.join('; ') || '—',
      ...links.flatMap((b) => [el('br'), el('a', { href: b.link, target: '_blank', rel: 'noopener noreferrer', class: 'source' },
        `Open ${b.title ? `“${b.title}”` : `booking ${b.externalId ?? b.ref}`} at ${siteName(b.site)}`)]),
    ]]);
    // The summary often starts with the policy's name already: say it once.
    const summary = c.outcome?.summary ?? 'waits for staff';
    setCell(row, 4, summary.startsWith(c.policy) ? summary : `${c.policy}: ${summary}`).className = 'reason';
    setCell(row, 5, clock(c.openedAt, c.sites[0]));
    setCell(row, 6, [`${c.id}:${(c.bookings ?? []).map((b) => b.ref).join(',')}`, () => conflictActions(c)]);
  }, 'conflicts-note');
  note.textContent = 'No open conflicts.';
  if (!first) for (const c of open) if (!conflicts.seen?.has(c.id)) announce(`New conflict at ${c.sites.join(', ')}: over capacity by ${c.excess}.`);
  conflicts.seen = new Set(open.map((c) => c.id));
}

// ---- workers, alert deliveries ------------------------------------------------------------------

function renderWorkers(body) {
  const alive = body.workers.filter((w) => w.alive).length;
  const line = $('readiness');
  if (body.redis === 'down') line.textContent = 'Not ready: the hub cannot reach Redis.';
  else if (alive === 0) line.textContent = 'Not ready: no worker is running, so no site is polled and no reservation is written back. Start one: avhub worker (or avhub start).';
  else line.textContent = `Ready: ${alive} worker${alive === 1 ? '' : 's'} running.`;
  line.className = `readiness${body.ready ? '' : ' bad'}`;
  syncRows($('workers'), body.workers, (w) => w.id, (row, w) => {
    const th = row.cells[0] ?? row.appendChild(el('th', { scope: 'row' }));
    th.textContent = w.id;
    setCell(row, 1, w.host);
    setCell(row, 2, w.pid === null ? '—' : `pid ${w.pid}`);
    setCell(row, 3, `${ago(w.lastBeatAt)} ago`);
    setCell(row, 4, [String(w.alive), () => [el('span', { class: `badge ${w.alive ? 'healthy' : 'limited'}` }, w.alive ? 'alive' : 'gone')]]);
  }, 'workers-empty');
}

async function retryAlert(d, button) {
  button.disabled = true;
  try {
    const res = await api('POST', `v1/admin/alerts/${encodeURIComponent(d.id)}/retry`);
    announce(res.status === 202 ? `Alert "${d.summary}" to ${d.channel.kind} ${d.channel.target} was queued again.`
      : `Retry of the alert refused: ${res.body?.detail ?? res.status}.`);
  } catch (err) {
    if (err instanceof AuthError) return logout(err.message);
    announce(`Retry of the alert failed: ${err.message}.`);
  }
  button.disabled = false;
  refreshSoon(0);
}

function renderAlerts(body) {
  const note = $('alerts-empty');
  note.textContent = body.configured ? 'No alert deliveries yet.' : 'No alert channel is configured (config alerts:).';
  syncRows($('alerts'), body.deliveries.slice(0, 50), (d) => d.id, (row, d) => {
    const th = row.cells[0] ?? row.appendChild(el('th', { scope: 'row' }));
    const sig = `${d.event}|${d.summary}`;
    if (th.dataset.sig !== sig) {
      th.dataset.sig = sig;
      th.replaceChildren(d.summary, el('br'), muted(d.event));
    }
    setCell(row, 1, `${d.channel.kind}: ${d.channel.target}`);
    const waiting = d.nextAttemptAt && Date.parse(d.nextAttemptAt) > now();
    setCell(row, 2, [`${d.state}|${waiting}`, () => [el('span', { class: `badge ${d.state === 'sent' ? 'healthy' : d.state === 'failed' ? 'limited' : 'degraded'}` },
      d.state === 'pending' ? (waiting ? 'retrying' : 'sending') : d.state)]]);
    setCell(row, 3, `${d.attemptsMade} of ${d.attempts}`);
    setCell(row, 4, d.error ?? '—').className = 'reason';
    setCell(row, 5, d.state === 'pending' && waiting ? `next attempt ${nextPoll(d.nextAttemptAt, d.site)}` : clock(d.finishedAt ?? d.queuedAt, d.site));
    setCell(row, 6, [d.state, () => (d.state === 'failed'
      ? [el('button', { type: 'button', class: 'retry-alert', 'aria-label': `Send again: ${d.summary} to ${d.channel.kind} ${d.channel.target}`,
        onclick: (e) => retryAlert(d, e.currentTarget) }, 'Send again')]
      : [el('span', { class: 'note' }, '—')])]);
  }, 'alerts-empty');
}

// ---- holds and reservations: searched on demand, not refreshed ----------------------------------

const search = { params: null, next: null };

function bookingWhat(b) {
  return b.items.map((i) => `${i.quantity > 1 ? `${i.quantity} × ` : ''}${i.resourceName} at ${i.siteName}, ${dates(i)}`).join('; ');
}

function renderBookings(rows, append) {
  const tbody = $('bookings').tBodies[0];
  if (!append) tbody.replaceChildren();
  const heads = [...$('bookings').tHead.rows[0].cells].map((c) => c.textContent);
  for (const b of rows) {
    const guest = guestOf({ customer: b.customer });
    const email = b.customer?.email;
    const made = b.kind === 'hold' ? `held ${clock(b.createdAt, b.items[0]?.site)}, lapses ${clock(b.expiresAt, b.items[0]?.site)}` : clock(b.createdAt, b.items[0]?.site);
    const cells = [
      el('th', { scope: 'row' }, guest ?? 'Guest not named', ...(typeof email === 'string' ? [el('br'), muted(email)] : [])),
      el('td', {}, bookingWhat(b)),
      el('td', {}, el('span', { class: `badge ${['failed', 'cancelled'].includes(b.status) ? 'limited' : b.status === 'confirmed' ? 'healthy' : 'degraded'}` }, b.kind === 'hold' ? 'held' : b.status),
        ...(b.error ? [el('br'), el('span', { class: 'note' }, b.error)] : [])),
      el('td', {}, made),
      el('td', {}, muted([`${b.kind} ${b.id}`, ...b.items.filter((i) => i.externalId).map((i) => `at ${i.siteName}: ${i.externalId}`)].join(', '))),
    ];
    cells.forEach((c, i) => { if (i > 0) c.dataset.label = heads[i]; });
    tbody.append(el('tr', { 'data-key': `${b.kind}:${b.id}` }, ...cells));
  }
  $('bookings').hidden = tbody.rows.length === 0;
}

async function runSearch(append) {
  const form = new FormData($('search'));
  if (!append) {
    search.params = new URLSearchParams([...form.entries()].flatMap(([k, v]) => (typeof v === 'string' && v.trim() !== '' ? [[k, v.trim()]] : [])));
    search.params.set('limit', '25');
    search.next = null;
  }
  const params = new URLSearchParams(search.params);
  if (append && search.next !== null) params.set('cursor', String(search.next));
  const note = $('bookings-note');
  note.textContent = 'Searching…';
  try {
    const res = await api('GET', `v1/admin/bookings?${params}`);
    if (res.status !== 200) {
      note.textContent = `The search was refused: ${res.body?.detail ?? res.status}.`;
      return;
    }
    renderBookings(res.body.bookings, append);
    search.next = res.body.next;
    const shown = $('bookings').tBodies[0].rows.length;
    note.textContent = shown === 0 ? 'Nothing found.' : `${shown} found${search.next !== null ? '; more may follow' : ''}.`;
    $('bookings-more').hidden = search.next === null;
  } catch (err) {
    if (err instanceof AuthError) return logout(err.message);
    note.textContent = `The search failed: ${err.message}.`;
  }
}

$('search').addEventListener('submit', (event) => {
  event.preventDefault();
  void runSearch(false);
});
$('bookings-more').addEventListener('click', () => void runSearch(true));

function fillSiteChoices(sites) {
  const select = $('s-site');
  if (select.options.length > 1) return;
  for (const s of sites) select.append(el('option', { value: s.id }, s.name));
}

// ---- the loop -----------------------------------------------------------------------------------

async function refresh() {
  const list = await api('GET', 'v1/sites');
  if (list.status !== 200) throw new Error(`GET /v1/sites answered ${list.status}`);
  for (const s of list.body.sites) {
    if (s.timezone) zones.set(s.id, s.timezone);
    names.set(s.id, s.name);
  }
  fillSiteChoices(list.body.sites);
  const [details, jobs, workers, alerts] = await Promise.all([
    Promise.all(list.body.sites.map(async (s) => {
      const d = await api('GET', `v1/sites/${encodeURIComponent(s.id)}`);
      return d.status === 200 ? d.body : s;
    })),
    api('GET', 'v1/admin/writebacks'),
    api('GET', 'v1/admin/workers'),
    api('GET', 'v1/admin/alerts?limit=50'),
    loadConflicts(),
  ]);
  renderSites(details);
  renderHistory(details);
  if (jobs.status === 200) renderJobs(jobs.body.jobs);
  if (workers.status === 200) renderWorkers(workers.body);
  if (alerts.status === 200) renderAlerts(alerts.body);
  if (first) void runSearch(false);
  first = false;
  $('updated').textContent = `Updated ${new Date().toLocaleTimeString()}`;
  $('app').dataset.updatedAt = String(Date.now());
}

async function tick() {
  if (!token || running) return;
  running = true;
  try {
    await refresh();
    $('offline').hidden = true;
  } catch (err) {
    if (err instanceof AuthError) {
      running = false;
      logout(`Logged out: ${err.message}.`);
      return;
    }
    $('offline').hidden = false;
    $('offline').textContent = `Cannot read the hub right now (${err.message}); retrying.`;
  } finally {
    running = false;
  }
  refreshSoon(EVERY_MS);
}

function refreshSoon(ms) {
  clearTimeout(timer);
  if (token) timer = setTimeout(() => void tick(), ms); // tick catches its own failures
}

function showApp() {
  $('login').hidden = true;
  $('app').hidden = false;
  $('session').hidden = false;
  first = true;
  refreshSoon(0);
}

function logout(message = '') {
  clearTimeout(timer);
  token = null;
  sessionStorage.removeItem(TOKEN_KEY);
  seenHealth.clear();
  seenFailed.clear();
  for (const id of ['sites', 'history', 'failed', 'pending', 'conflicts', 'workers', 'alerts', 'bookings']) $(id).tBodies[0].replaceChildren();
  $('bookings').hidden = true;
  $('bookings-more').hidden = true;
  Object.assign(conflicts, { missing: false, checkedAt: 0, seen: null });
  $('app').hidden = true;
  $('session').hidden = true;
  $('login').hidden = false;
  $('login-error').textContent = message;
  $('token').focus();
}

$('login-form').addEventListener('submit', (event) => {
  event.preventDefault();
  void logIn(); // it reports its own failures in #login-error
});

async function logIn() {
  const candidate = $('token').value.trim();
  if (!candidate) {
    $('login-error').textContent = 'Enter the admin token.';
    return;
  }
  token = candidate;
  try {
    const res = await api('GET', 'v1/sites');
    if (res.status !== 200) throw new Error(`the hub answered ${res.status}`);
  } catch (err) {
    token = null;
    $('login-error').textContent = err instanceof AuthError ? 'That token was not accepted.' : `Cannot reach the hub: ${err.message}`;
    return;
  }
  sessionStorage.setItem(TOKEN_KEY, token);
  $('token').value = '';
  $('login-error').textContent = '';
  showApp();
  $('sites-h').setAttribute('tabindex', '-1');
  $('sites-h').focus();
}
$('logout').addEventListener('click', () => logout());

if (token) showApp();
else $('token').focus();
