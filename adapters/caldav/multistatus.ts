import { calendarQuery, davRequest, propfind, syncCollection, type DAVResponse } from 'tsdav';
import { AdapterUnavailableError, TooManyItemsError } from '../../src/core/adapter/errors.js';
import { normalizeCalendar, type NormalizeOptions, type NormalizeResult } from '../icalendar/index.js';

/**
 * Parsing a WebDAV answer on a worker thread of the parse pool (adapters/parsing): the same tsdav
 * function that built the request parses the answer's bytes here (its XML parser is synchronous
 * and slow: seconds for a large multistatus, minutes for garbage), and only what the adapter reads
 * goes back to the event loop.
 */

/** The tsdav functions the adapter sends its requests with. */
export type DavCallName = 'calendarQuery' | 'davRequest' | 'propfind' | 'syncCollection';
/** Their parameters without `fetch` (plain data: URLs, props, filters, headers). */
export type DavParams = Record<string, unknown>;

/** One answer as it arrived, its body unread. */
export interface DavAnswer {
  /** `PROPFIND /path`, for errors. */
  what: string;
  status: number;
  statusText: string;
  headers: Record<string, string>;
  bytes: Uint8Array | null;
}

export interface MultistatusInput {
  fn: DavCallName;
  params: DavParams;
  answer: DavAnswer;
  maxItems: number;
}

const FUNCTIONS = { calendarQuery, davRequest, propfind, syncCollection } as unknown as
  Record<DavCallName, (params: DavParams & { fetch: typeof fetch }) => Promise<DAVResponse[]>>;

/** Why `text` is not an XML answer tsdav may parse, or null. A few linear scans, no parsing. */
export function xmlRefusal(text: string): string | null {
  const start = text.replace(/^\uFEFF/, '').trimStart();
  if (start !== '' && !start.startsWith('<')) return 'something that is not XML';
  if (/<!(?:DOCTYPE|ENTITY)/i.test(text)) return 'XML with a document type declaration (entities are never expanded)';
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is looked for
  if (/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFD]/.test(text)) return 'bytes that are not well-formed XML text';
  return null;
}

/** What of tsdav's `raw` (the whole parsed document) the adapter reads: the sync token, or error text. */
function slim(raw: unknown): unknown {
  if (typeof raw === 'string') return raw.length > 4096 ? `${raw.slice(0, 4096)}…` : raw;
  const multistatus = (raw as { multistatus?: { syncToken?: unknown; response?: unknown } } | null)?.multistatus;
  if (multistatus) return { multistatus: { syncToken: multistatus.syncToken, ...(multistatus.response === undefined ? {} : { response: true }) } };
  const text = JSON.stringify(raw ?? '');
  return text.length > 4096 ? `${text.slice(0, 4096)}…` : text;
}

/**
 * The tsdav function's answer for these bytes, each response's `raw` cut to what is read.
 * @throws AdapterUnavailableError for XML that is not XML or declares entities (refused unparsed);
 *   TooManyItemsError past `maxItems` responses; tsdav's own errors as they are.
 */
export async function readMultistatus(input: MultistatusInput): Promise<DAVResponse[]> {
  const { answer } = input;
  const xml = answer.status === 207 || /xml/i.test(answer.headers['content-type'] ?? '');
  const text = answer.bytes === null ? null : new TextDecoder().decode(answer.bytes);
  if (xml && text !== null) {
    const refusal = xmlRefusal(text);
    if (refusal) throw new AdapterUnavailableError(`${answer.what}: the CalDAV server answered ${refusal}; refused unparsed`);
  }
  const noBody = [101, 204, 205, 304].includes(answer.status);
  const response = new Response(noBody ? null : text, { status: answer.status, statusText: answer.statusText, headers: answer.headers });
  const responses = await FUNCTIONS[input.fn]({ ...input.params, fetch: (async () => response) });
  if (responses.length > input.maxItems) {
    throw new TooManyItemsError(`${answer.what}: the CalDAV server answered more than ${input.maxItems} items (the site's item limit); refused`, input.maxItems);
  }
  return responses.map((r) => ({ ...r, raw: slim(r.raw) }));
}

export interface NormalizeObjectsInput {
  items: Array<{ ics: string; opts: NormalizeOptions }>;
}
export type NormalizedObject = { ok: true; result: NormalizeResult } | { ok: false; error: string };

/** Normalizes calendar objects, each on its own: one unreadable object fails only itself. */
export function normalizeObjects(input: NormalizeObjectsInput): NormalizedObject[] {
  return input.items.map(({ ics, opts }) => {
    try {
      return { ok: true as const, result: normalizeCalendar(ics, opts) };
    } catch (err) {
      return { ok: false as const, error: err instanceof Error ? err.message : String(err) };
    }
  });
}
