import type { HoldBody, HoldEntry, Journal, Told } from './journal.js';

/**
 * Booking clients for the crash tests: each books, confirms, releases and cancels through the
 * HTTP API with a widget key, as a guest's browser does, and writes what it was told into the
 * journal. A request that gets no definitive answer (connection refused or cut, a timeout, a 5xx)
 * is sent again unchanged, with the same Idempotency-Key, until one comes: that is what a careful
 * client does, and what the hub promises to answer exactly.
 */

export interface ClientOptions {
  base: string;
  widgetKey: string;
  site: string;
  resource: string;
  /** Stays fall in `nights` nights starting at `firstNight` (local dates). */
  firstNight: string;
  nights: number;
  journal: Journal;
  random: () => number;
  /** Prefix of every Idempotency-Key of this run. */
  runId: string;
  /** True once the clients should finish what they are doing and stop. */
  done: () => boolean;
  /** A request still without a definitive answer at this time fails the run. */
  giveUpAt: () => number;
}

interface Reply { status: number; body: any; replayed: boolean }

/** Every 5xx seen while retrying, by status and problem type (the test asserts they are all 503s). */
const retryReason = (r: Reply) => `${r.status} ${typeof r.body?.type === 'string' ? r.body.type : 'no-type'}`;

async function once(o: ClientOptions, method: string, path: string, headers: Record<string, string>, body?: unknown): Promise<Reply | string> {
  try {
    const res = await fetch(o.base + path, {
      method,
      headers: { 'x-api-key': o.widgetKey, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(10_000),
    });
    const text = await res.text();
    return { status: res.status, body: text && /json/.test(res.headers.get('content-type') ?? '') ? JSON.parse(text) : text, replayed: res.headers.get('idempotent-replayed') === 'true' };
  } catch (err) {
    return (err as Error).name === 'TimeoutError' ? 'timeout' : 'lost';
  }
}

/** Sends until a definitive (< 500) answer comes; retries are counted in the journal by reason. */
async function untilAnswered(o: ClientOptions, method: string, path: string, headers: Record<string, string>, body?: unknown): Promise<Reply> {
  for (let attempt = 0; ; attempt++) {
    const r = await once(o, method, path, headers, body);
    if (typeof r !== 'string' && r.status < 500) return r;
    o.journal.retried(typeof r === 'string' ? r : retryReason(r));
    if (Date.now() > o.giveUpAt()) {
      throw new Error(`${method} ${path} got no definitive answer in time; last: ${typeof r === 'string' ? r : `${r.status} ${JSON.stringify(r.body)}`}`);
    }
    await new Promise((res) => setTimeout(res, Math.min(1_000, 50 * 2 ** Math.min(attempt, 4)) * (0.5 + o.random())));
  }
}

const told = (r: Reply): Told => ({
  status: r.status, replayed: r.replayed,
  ...(r.status >= 400 && typeof r.body?.type === 'string' ? { type: r.body.type as string } : {}),
  ...(r.status === 201 ? { id: r.body.id, expiresAt: r.body.expiresAt, holdStatus: r.body.status } : {}),
  ...(r.status === 202 ? { reservationId: r.body.reservationId, token: r.body.token } : {}),
});

const addDays = (date: string, days: number) => new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);

async function requestHold(o: ClientOptions, h: HoldEntry): Promise<Told> {
  o.journal.stats.holdRequests += 1;
  const t = told(await untilAnswered(o, 'POST', '/v1/holds', { 'idempotency-key': h.key }, h.body));
  h.answers.push(t);
  if (t.status === 201 && !h.held) { h.held = t; h.fate = 'held'; }
  return t;
}

async function confirm(o: ClientOptions, h: HoldEntry): Promise<void> {
  o.journal.stats.confirms += 1;
  const t = told(await untilAnswered(o, 'POST', `/v1/holds/${h.held!.id}/confirm`, {}));
  h.confirms.push(t);
  if (t.status === 202 && !h.reservation) {
    h.reservation = { id: t.reservationId!, token: t.token! };
    h.fate = 'confirmed';
  }
}

async function cancel(o: ClientOptions, h: HoldEntry): Promise<void> {
  o.journal.stats.cancels += 1;
  const r = await untilAnswered(o, 'DELETE', `/v1/reservations/${h.reservation!.id}`, { 'x-reservation-token': h.reservation!.token });
  if (r.status !== 200) throw new Error(`cancelling ${h.reservation!.id} answered ${r.status} ${JSON.stringify(r.body)}`);
  h.cancelled = true;
}

/** One client's loop: book a stay, then maybe repeat it, confirm, confirm again, release or cancel. */
async function client(o: ClientOptions, index: number): Promise<void> {
  const rnd = o.random;
  const mine: HoldEntry[] = [];
  for (let n = 0; !o.done(); n++) {
    // Now and then cancel an older reservation, so capacity keeps changing hands.
    const live = mine.filter((h) => h.reservation && !h.cancelled);
    if (live.length > 0 && rnd() < 0.3) {
      await cancel(o, live[Math.floor(rnd() * live.length)]!);
      continue;
    }
    const start = Math.floor(rnd() * o.nights);
    const length = 1 + Math.floor(rnd() * Math.min(3, o.nights - start));
    const body: HoldBody = {
      site: o.site, resource: o.resource, checkIn: addDays(o.firstNight, start), checkOut: addDays(o.firstNight, start + length),
      quantity: rnd() < 0.8 ? 1 : 2, customer: { name: `guest ${index}-${n} ✓ Zoë` },
    };
    const h: HoldEntry = { client: index, key: `${o.runId}-c${index}-${n}`, body, answers: [], confirms: [], cancelled: false };
    o.journal.holds.push(h);
    mine.push(h);
    const first = await requestHold(o, h);
    if (first.status !== 201) continue;
    if (rnd() < 0.25) { o.journal.stats.replays += 1; await requestHold(o, h); }
    const next = rnd();
    if (next < 0.7) {
      await confirm(o, h);
      if (h.reservation && rnd() < 0.2) { o.journal.stats.replays += 1; await confirm(o, h); }
      if (h.reservation && rnd() < 0.3) await cancel(o, h);
    } else if (next < 0.9) {
      o.journal.stats.releases += 1;
      const r = await untilAnswered(o, 'DELETE', `/v1/holds/${h.held!.id}`, {});
      if (r.status !== 204) throw new Error(`releasing ${h.held!.id} answered ${r.status} ${JSON.stringify(r.body)}`);
      h.fate = 'released';
    }
    // else: the guest walks away; the hold stays until it expires (after the run).
  }
}

/** Runs `count` clients until `done()`; resolves when each has finished its last request. */
export async function runClients(o: ClientOptions, count: number): Promise<void> {
  await Promise.all(Array.from({ length: count }, (_, i) => client(o, i)));
}
