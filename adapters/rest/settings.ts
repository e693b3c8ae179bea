import { z } from 'zod';
import { DOT_PATH } from './dot-path.js';
import { placeholdersIn, placeholdersInBody } from './template.js';

/**
 * The `adapter:` block of a site on `kind: rest` (README.md has a full example). Validated once at
 * start-up; every issue names its field and says what would be right.
 */

const dotPath = z.string().regex(DOT_PATH, { error: 'a dot path like data.items or guest.name (letters, digits, _ - $, joined by .)' });
/** Where the items are: a dot path, or "" / "." when the response itself is the array. */
const itemsPath = z.union([z.literal(''), z.literal('.'), dotPath]);

/** Placeholders each kind of request may use. */
const PLACEHOLDERS = {
  availability: ['resource', 'from', 'to'],
  bookings: ['since', 'page', 'from', 'to'],
  lookup: ['reference', 'resource'],
  create: ['resource', 'reference', 'checkIn', 'checkOut', 'start', 'end', 'quantity', 'reservationId'],
  cancel: ['id', 'reference', 'resource'],
} as const;
/** Placeholders that may be absent (full pull, first page): allowed only as a whole query value. */
const OPTIONAL = new Set(['since', 'page']);

type Ctx = z.RefinementCtx;

function checkPath(path: string, allowed: readonly string[], ctx: Ctx, at: PropertyKey[]): void {
  const issue = (message: string) => ctx.addIssue({ code: 'custom', path: at, message });
  if (/^[a-z][a-z0-9+.-]*:/i.test(path) || path.startsWith('//')) {
    issue(`"${path}" must be a path relative to baseUrl (like /bookings/{id}), not a URL`);
  }
  if (/(^|\/)\.\.?(\/|\?|$)/.test(path)) issue(`"${path}" must not contain . or .. segments`);
  if (path.includes('#')) issue(`"${path}" must not contain #`);
  if (/[{}]/.test(path.replace(/\{[^{}]*\}/g, ''))) issue(`"${path}" has an unbalanced { or }`);
  const q = path.indexOf('?');
  for (const name of placeholdersIn(path)) {
    if (!allowed.includes(name)) {
      issue(`unknown placeholder {${name}}; this path may use ${allowed.map((p) => `{${p}}`).join(' ')}`);
    } else if (OPTIONAL.has(name) && (q === -1 || path.indexOf(`{${name}}`) < q)) {
      issue(`{${name}} may be absent, so it must be a whole query value, like ?${name}={${name}}`);
    }
  }
  if (q !== -1) {
    for (const pair of path.slice(q + 1).split('&')) {
      for (const name of OPTIONAL) {
        if (pair.includes(`{${name}}`) && !new RegExp(`^[^=]*=\\{${name}\\}$`).test(pair)) {
          issue(`{${name}} may be absent, so it must be a whole query value, like ${name}={${name}}`);
        }
      }
    }
  }
}

function pathFor(kind: keyof typeof PLACEHOLDERS) {
  return z.string().min(1, { error: 'a path relative to baseUrl, like /bookings' })
    .superRefine((path, ctx) => checkPath(path, PLACEHOLDERS[kind], ctx, []));
}

const statusList = z.array(z.string().min(1)).min(1, { error: 'one or more status values of the PMS' });

const availability = z.strictObject({
  method: z.literal('GET', { error: 'availability is read with GET' }).default('GET'),
  /** `{resource}` (the room type's source id), `{from}` and `{to}` (first and last night, inclusive). */
  path: pathFor('availability'),
  items: itemsPath,
  fields: z.strictObject({
    date: dotPath,
    available: dotPath,
    closed: dotPath.optional(),
    /** Only when the path has no {resource}: which room type an item counts. */
    resource: dotPath.optional(),
  }),
  /** Nights per request (the PMS's longest range); the window is split into chunks this long. */
  maxNights: z.int().min(1).max(366, { error: 'at most 366 nights per request' }).default(31),
}).superRefine((a, ctx) => {
  const byPath = placeholdersIn(a.path).includes('resource');
  if (!byPath && a.fields.resource === undefined) {
    ctx.addIssue({ code: 'custom', path: ['path'], message: 'put {resource} in the path, or name fields.resource so each item says its room type' });
  }
});

const bookings = z.strictObject({
  method: z.literal('GET', { error: 'bookings are read with GET' }).default('GET'),
  /** `{since}` (ISO instant; absent on a full pull), `{page}` (absent on the first page), `{from}`, `{to}`. */
  path: pathFor('bookings'),
  items: itemsPath,
  /** Where the next page's token is; absent, null, "" or false means this was the last page. */
  nextPage: dotPath.optional(),
  fields: z.strictObject({
    id: dotPath,
    resource: dotPath,
    checkIn: dotPath,
    checkOut: dotPath,
    status: dotPath.optional(),
    reference: dotPath.optional(),
    createdAt: dotPath.optional(),
    updatedAt: dotPath.optional(),
    quantity: dotPath.optional(),
  }),
  /** The PMS's status values per hub status (case-insensitive); any other value is `unknownStatus`. */
  statusMap: z.strictObject({
    cancelled: statusList.optional(),
    tentative: statusList.optional(),
    confirmed: statusList.optional(),
  }).default({}),
  /**
   * A status value statusMap does not list (when statusMap lists any): `busy` (the default: it
   * counts as a confirmed booking, the safe side against double booking) or `free` (it holds
   * nothing). Either way every pull logs the values it did not know.
   */
  unknownStatus: z.enum(['busy', 'free'], { error: 'busy or free' }).default('busy'),
}).superRefine((b, ctx) => {
  const hasPage = placeholdersIn(b.path).includes('page');
  if (b.nextPage !== undefined && !hasPage) {
    ctx.addIssue({ code: 'custom', path: ['path'], message: 'nextPage is set, so the path needs a page={page} query value' });
  }
  if (b.nextPage === undefined && hasPage) {
    ctx.addIssue({ code: 'custom', path: ['nextPage'], message: 'the path uses {page}: name where the response gives the next page (nextPage: data.nextPage)' });
  }
});

const create = z.strictObject({
  method: z.enum(['POST', 'PUT'], { error: 'POST or PUT' }).default('POST'),
  path: pathFor('create'),
  /** JSON body; string values may hold placeholders (see README). */
  body: z.record(z.string(), z.unknown()).superRefine((body, ctx) => {
    for (const name of placeholdersInBody(body)) {
      if (!(PLACEHOLDERS.create as readonly string[]).includes(name) && !/^customer\.[\w$-]+(\.[\w$-]+)*$/.test(name)) {
        ctx.addIssue({ code: 'custom', path: [], message: `unknown placeholder {${name}}; a body may use ${PLACEHOLDERS.create.map((p) => `{${p}}`).join(' ')} and {customer.<field>}` });
      }
    }
  }),
  /** Dot path to the new booking's id in the response. */
  id: dotPath,
});

const lookup = z.strictObject({
  method: z.literal('GET', { error: 'a lookup is read with GET' }).default('GET'),
  /** Must filter by `{reference}`. */
  path: pathFor('lookup').refine((p) => placeholdersIn(p).includes('reference'), { error: 'a lookup path must filter by {reference}' }),
  items: itemsPath,
  id: dotPath,
  /** When set, only items whose value here equals the reference count (guards a PMS that ignores the filter). */
  reference: dotPath.optional(),
  /** When set, items whose status maps to `cancelled` (bookings.statusMap) are ignored. */
  status: dotPath.optional(),
});

const cancel = z.strictObject({
  method: z.enum(['DELETE', 'POST', 'PUT', 'PATCH'], { error: 'DELETE, POST, PUT or PATCH' }).default('DELETE'),
  path: pathFor('cancel'),
  body: z.record(z.string(), z.unknown()).superRefine((body, ctx) => {
    for (const name of placeholdersInBody(body)) {
      if (!(PLACEHOLDERS.cancel as readonly string[]).includes(name)) {
        ctx.addIssue({ code: 'custom', path: [], message: `unknown placeholder {${name}}; a cancel body may use ${PLACEHOLDERS.cancel.map((p) => `{${p}}`).join(' ')}` });
      }
    }
  }).optional(),
});

export const restSettings = z.strictObject({
  /** The PMS's API root; every path is appended to it. */
  baseUrl: z.url({ protocol: /^https?$/, error: 'an http(s) URL like http://pms.example.local/api/' }),
  /** One header carrying the credential, e.g. Authorization: "Bearer ${PMS_TOKEN}". A secret. */
  auth: z.strictObject({
    header: z.string().regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, { error: 'an HTTP header name like Authorization or X-Api-Key' }),
    value: z.string().min(1, { error: 'the header value (use "${ENV_VAR}" for the secret)' }),
  }).optional(),
  timeoutMs: z.int().min(100).max(120_000, { error: 'milliseconds, 100 to 120000' }).default(10_000),
  /** Prefix of the hub's reference on bookings it writes; recognises them when they come back. */
  referencePrefix: z.string().regex(/^[\w.:-]{1,20}$/, { error: '1-20 letters, digits, _ . : -' }).default('avhub-'),
  availability: availability.optional(),
  bookings: bookings.optional(),
  create: create.optional(),
  lookup: lookup.optional(),
  cancel: cancel.optional(),
}).superRefine((s, ctx) => {
  if (!s.availability && !s.bookings) {
    ctx.addIssue({ code: 'custom', path: [], message: 'configure availability (per-night counts), bookings (a reservation list) or both' });
  }
  if (s.create && !s.lookup) {
    ctx.addIssue({ code: 'custom', path: ['lookup'], message: 'create needs lookup (find a booking by {reference}) so a retried write-back never books twice' });
  }
  if (s.cancel && !s.create) {
    ctx.addIssue({ code: 'custom', path: ['cancel'], message: 'cancel without create: the hub never has a booking of its own to cancel' });
  }
});

export type RestSettings = z.infer<typeof restSettings>;

/** Each resource's `source:` at a rest site: the PMS's id of the room type (or unit). */
export const restSource = z.strictObject({
  id: z.string().min(1, { error: "the PMS's id of this room type, substituted for {resource}" }),
});
