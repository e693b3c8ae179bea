import type { SourceClaim } from '../../core/claims.js';
import type { ClaimSpan, HubItem, MirroredBlock, NightFigures, SeenBooking, SeenInput, TimeClaim } from './types.js';

/*
 * The Lua scripts' storage format, read and written here only (common.lua documents the keys):
 * - claims and items are JSON with one-letter fields: l ledger, by, q quantity, d dates,
 *   s/e start/end (ms), m time-ledger member, c/u created/updated (ms), x external id;
 * - a time ledger member is "<claimId>|<start>|<end>|<quantity>", with claimId
 *   "src:<site>:<externalId>" for source bookings and "h:<holdOrReservationId>:..." for the hub's;
 * - seen bookings (cf:meta:<site>) add f first seen, k counted (1: a count-only source), r resource.
 */

type Raw = Record<string, unknown>;

const MEMBER = /^(.*)\|(-?\d+)\|(-?\d+)\|(\d+)$/;

export const asObject = (v: unknown): Raw => (v && typeof v === 'object' && !Array.isArray(v) ? v as Raw : {});
export const asList = <T>(v: unknown): T[] => (Array.isArray(v) ? v as T[] : []);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

/** Parses JSON, answering undefined for unreadable text (a record is skipped, not fatal). */
export function tryJson(text: string | null | undefined): unknown {
  if (!text) return undefined;
  try { return JSON.parse(text) as unknown; } catch { return undefined; }
}

/** Numbers by date from a Lua table (values may arrive as strings or numbers). */
function numbersByDate(v: unknown): Record<string, number> {
  return Object.fromEntries(Object.entries(asObject(v)).map(([d, n]) => [d, Number(n) || 0]));
}

/** The span and quantity fields shared by claims, items and seen bookings. */
function span(r: Raw): ClaimSpan {
  return {
    ledger: str(r.l) ?? '', by: r.by === 'time' ? 'time' : 'night', quantity: num(r.q) ?? 1,
    ...(Array.isArray(r.d) ? { nights: r.d as string[] } : {}),
    ...(num(r.s) !== undefined ? { start: num(r.s)! } : {}),
    ...(num(r.e) !== undefined ? { end: num(r.e)! } : {}),
  };
}

function times(r: Raw): Pick<SourceClaim, 'createdAt' | 'updatedAt'> {
  return { ...(num(r.c) !== undefined ? { createdAt: num(r.c)! } : {}), ...(num(r.u) !== undefined ? { updatedAt: num(r.u)! } : {}) };
}

/** A src:<site> hash value. */
export function decodeSourceClaim(id: string, v: unknown): SourceClaim {
  const r = asObject(v);
  return { id, ...span(r), ...times(r) };
}

/** The items JSON of a hold or reservation hash. */
export function decodeItems(text: string | null | undefined): HubItem[] {
  return asList<unknown>(tryJson(text)).map((v) => {
    const r = asObject(v);
    return {
      ...span(r), site: str(r.site) ?? '', resource: str(r.res) ?? '',
      ...(str(r.m) ? { claimKey: str(r.m)! } : {}), ...(str(r.x) ? { externalId: str(r.x)! } : {}),
    };
  });
}

/** Ledgers an items JSON claims on. */
export function itemLedgers(text: string | null | undefined): string[] {
  return decodeItems(text).map((it) => it.ledger).filter((l) => l !== '');
}

export function decodeSeen(v: unknown): SeenBooking {
  const r = asObject(v);
  const title = str(r.t);
  const link = str(r.h);
  return {
    firstSeen: num(r.f) ?? 0, counted: r.k === 1, resource: str(r.r) ?? '', ...span(r), ...times(r),
    ...(title ? { title } : {}), ...(link ? { link } : {}),
  };
}

export function encodeSeen(b: SeenInput, firstSeen: number): string {
  return JSON.stringify({
    f: firstSeen, k: b.counted ? 1 : 0, r: b.resource, l: b.ledger, by: b.by, q: b.quantity,
    ...(b.by === 'night' ? { d: b.nights ?? [] } : { s: b.start, e: b.end }),
    ...(b.createdAt !== undefined ? { c: b.createdAt } : {}), ...(b.updatedAt !== undefined ? { u: b.updatedAt } : {}),
    ...(b.title ? { t: b.title } : {}), ...(b.link ? { h: b.link } : {}),
  });
}

/** A time ledger's member; null for one that does not parse. */
export function decodeTimeMember(member: string): TimeClaim | null {
  const m = MEMBER.exec(member);
  if (!m) return null;
  const claim = m[1]!;
  const at = { start: Number(m[2]), end: Number(m[3]), quantity: Number(m[4]) };
  if (claim.startsWith('src:')) {
    const rest = claim.slice(4);
    const site = rest.slice(0, rest.indexOf(':'));
    return { ...at, origin: 'site', site, externalId: rest.slice(site.length + 1) };
  }
  return { ...at, origin: 'hub', key: member, owner: claim.startsWith('h:') ? claim.slice(2).split(':')[0]! : claim };
}

/** A night ledger as conflict-read.lua returns it: {n, sn, rep, inv, unrep}. */
export function decodeNightFigures(v: unknown): NightFigures {
  const r = asObject(v);
  return {
    claimed: numbersByDate(r.n), sourceFree: numbersByDate(r.sn), reported: numbersByDate(r.rep),
    inventory: numbersByDate(r.inv), unreported: numbersByDate(r.unrep),
  };
}

export function decodeBlock(v: unknown): MirroredBlock | null {
  const r = asObject(v);
  const [ref, key, x] = [str(r.ref), str(r.key), str(r.x)];
  return ref && key && x ? { ref, key, externalId: x } : null;
}

export function encodeBlock(b: MirroredBlock): string {
  return JSON.stringify({ ref: b.ref, key: b.key, x: b.externalId });
}
