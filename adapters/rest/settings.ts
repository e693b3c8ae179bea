import { z } from 'zod';
import { DOT_PATH, FIELD_PATH, ITEMS_PATH } from './dot-path.js';
import { placeholdersIn, placeholdersInBody } from './template.js';

/**
 * The `adapter:` block of a site on `kind: rest` (README.md has a full example). Validated once at
 * start-up; every issue names its field and says what would be right.
 */

const dotPath = z.string().regex(DOT_PATH, { error: 'a dot path like data.items or guest.name (letters, digits, _ - $, joined by .)' });
/** A value inside an item; `^.` steps out to the element an `items` walk (`[]`) found it in. */
const fieldPath = z.string().regex(FIELD_PATH, { error: 'a dot path like guest.name, or ^.id for the enclosing element of an items walk ([])' });
/** Where the items are: a dot path (segments may end in [] to walk nested arrays), or "" / "." when the response itself is the array. */
const itemsPath = z.union([z.literal(''), z.literal('.'), z.string().regex(ITEMS_PATH, {
  error: 'a dot path like data.bookings, or data.roomTypes[].nights to walk nested arrays ([] after a segment)',
})]);

/** Placeholders each kind of request may use. */
const PLACEHOLDERS = {
  availability: ['resource', 'from', 'to'],
  bookings: ['since', 'page', 'offset', 'limit', 'from', 'to'],
  lookup: ['reference', 'resource'],
  create: ['resource', 'reference', 'checkIn', 'checkOut', 'start', 'end', 'nights', 'quantity', 'reservationId'],
  cancel: ['id', 'reference', 'resource'],
  modify: ['id', 'resource', 'checkIn', 'checkOut', 'start', 'end', 'nights', 'quantity', 'reservationId'],
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
    date: fieldPath,
    available: fieldPath,
    closed: fieldPath.optional(),
    /** Only when the path has no {resource}: which room type an item counts (`^.code` inside `roomTypes[].nights`). */
    resource: fieldPath.optional(),
  }),
  /** Nights per request (the PMS's longest range); the window is split into chunks this long. */
  maxNights: z.int().min(1).max(366, { error: 'at most 366 nights per request' }).default(31),
}).superRefine((a, ctx) => {
  const byPath = placeholdersIn(a.path).includes('resource');
  if (!byPath && a.fields.resource === undefined) {
    ctx.addIssue({ code: 'custom', path: ['path'], message: 'put {resource} in the path, or name fields.resource so each item says its room type' });
  }
});

/** Page size: a page with fewer items than this is the last (an empty page always is). */
const pageSize = z.int().min(1).max(10_000, { error: 'items per page, 1 to 10000' });
const paging = z.discriminatedUnion('style', [
  /** {page} = first, first + 1, …; {limit} = size. */
  z.strictObject({ style: z.literal('page'), size: pageSize.optional(), first: z.int().min(0).max(1).default(1) }),
  /** {offset} = 0, size, 2 × size, …; {limit} = size. */
  z.strictObject({ style: z.literal('offset'), size: pageSize }),
  /** The next page's URL in an RFC 8288 `Link` header with rel="next". */
  z.strictObject({ style: z.literal('link') }),
  /** The next page's URL (absolute, or relative to the request) at `at` in the body. */
  z.strictObject({ style: z.literal('nextUrl'), at: dotPath }),
], { error: 'paging.style is page (with size), offset (with size), link or nextUrl (with at); a next-page token is nextPage' });

const bookings = z.strictObject({
  method: z.literal('GET', { error: 'bookings are read with GET' }).default('GET'),
  /** `{since}` (ISO instant; absent on a full pull), `{page}` (absent on the first page), `{from}`, `{to}`. */
  path: pathFor('bookings'),
  items: itemsPath,
  /** Where the next page's token is; absent, null, "" or false means this was the last page. */
  nextPage: dotPath.optional(),
  /** The other paging styles (README, "Paging"); `nextPage` is the token style. */
  paging: paging.optional(),
  fields: z.strictObject({
    /** With `^.id` (a booking's id, items walking `rooms[]`), its rooms are `<id>`, `<id>/1`, `<id>/2`, …. */
    id: fieldPath,
    resource: fieldPath,
    checkIn: fieldPath,
    /** The departure; or give `nights` (a length of stay) instead. */
    checkOut: fieldPath.optional(),
    /** Nights from checkIn (a length of stay), for a PMS that sends no departure. */
    nights: fieldPath.optional(),
    status: fieldPath.optional(),
    reference: fieldPath.optional(),
    createdAt: fieldPath.optional(),
    updatedAt: fieldPath.optional(),
    quantity: fieldPath.optional(),
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
  const used = placeholdersIn(b.path);
  const issue = (path: PropertyKey[], message: string) => ctx.addIssue({ code: 'custom', path, message });
  const style = b.paging?.style;
  if (b.nextPage !== undefined && b.paging !== undefined) {
    issue(['paging'], 'nextPage is the token paging style; give either nextPage or paging, not both');
  }
  const wantsPage = b.nextPage !== undefined || style === 'page';
  if (wantsPage && !used.includes('page')) {
    issue(['path'], `${b.nextPage !== undefined ? 'nextPage' : 'paging.style page'} is set, so the path needs a page={page} query value`);
  }
  if (!wantsPage && used.includes('page')) {
    issue(['nextPage'], 'the path uses {page}: name where the response gives the next page token (nextPage: data.nextPage), or set paging: { style: page, size: 100 }');
  }
  if (style === 'offset' && !used.includes('offset')) issue(['path'], 'paging.style offset: the path needs an offset={offset} query value (and usually limit={limit})');
  if (style !== 'offset' && used.includes('offset')) issue(['paging'], 'the path uses {offset}: set paging: { style: offset, size: 100 }');
  if (used.includes('limit') && (style !== 'offset' && style !== 'page')) issue(['paging'], '{limit} is the page size of paging.style page or offset');
  if (used.includes('limit') && style === 'page' && b.paging?.style === 'page' && b.paging.size === undefined) issue(['paging', 'size'], 'the path uses {limit}: give paging.size');
  if (b.fields.checkOut === undefined && b.fields.nights === undefined) {
    issue(['fields', 'checkOut'], 'name where a booking ends: checkOut (the departure) or nights (a length of stay)');
  }
  if (b.fields.checkOut !== undefined && b.fields.nights !== undefined) {
    issue(['fields', 'nights'], 'give checkOut or nights, not both');
  }
});

const create = z.strictObject({
  method: z.enum(['POST', 'PUT'], { error: 'POST or PUT' }).default('POST'),
  path: pathFor('create'),
  /** JSON body; string values may hold placeholders (see README). */
  body: bodyOf('create'),
  /** Dot path to the new booking's id in the response. */
  id: dotPath,
});

const lookup = z.strictObject({
  method: z.literal('GET', { error: 'a lookup is read with GET' }).default('GET'),
  /** Must filter by `{reference}`. */
  path: pathFor('lookup').refine((p) => placeholdersIn(p).includes('reference'), { error: 'a lookup path must filter by {reference}' }),
  items: itemsPath,
  id: fieldPath,
  /** When set, only items whose value here equals the reference count (guards a PMS that ignores the filter). */
  reference: fieldPath.optional(),
  /** When set, items whose status maps to `cancelled` (bookings.statusMap) are ignored. */
  status: fieldPath.optional(),
});

/** Placeholders a body template may use (plus {customer.<field>} where `customer` is true). */
function bodyOf(kind: 'create' | 'modify' | 'cancel') {
  const allowed: readonly string[] = PLACEHOLDERS[kind];
  const customer = kind !== 'cancel';
  return z.record(z.string(), z.unknown()).superRefine((body, ctx) => {
    for (const name of placeholdersInBody(body)) {
      if (!allowed.includes(name) && !(customer && /^customer\.[\w$-]+(\.[\w$-]+)*$/.test(name))) {
        ctx.addIssue({ code: 'custom', path: [], message: `unknown placeholder {${name}}; a ${kind} body may use ${allowed.map((p) => `{${p}}`).join(' ')}${customer ? ' and {customer.<field>}' : ''}` });
      }
    }
  });
}

/** Changes a booking in place (new dates, room type or quantity) instead of a new booking plus a cancel. */
const modify = z.strictObject({
  method: z.enum(['PUT', 'PATCH', 'POST'], { error: 'PUT, PATCH or POST' }).default('PATCH'),
  path: pathFor('modify'),
  body: bodyOf('modify'),
});

const cancel = z.strictObject({
  method: z.enum(['DELETE', 'POST', 'PUT', 'PATCH'], { error: 'DELETE, POST, PUT or PATCH' }).default('DELETE'),
  path: pathFor('cancel'),
  body: bodyOf('cancel').optional(),
});

const SECRET_HINT = 'use "${ENV_VAR}" so the secret comes from the environment';
const auth = z.strictObject({
  header: z.string().regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, { error: 'an HTTP header name like Authorization or X-Api-Key' }).optional(),
  /** A query parameter carrying the key (`?api_key=…`); paths in messages and logs never show a query. */
  query: z.string().regex(/^[\w.~-]{1,64}$/, { error: 'a query parameter name like api_key (letters, digits, _ . ~ -)' }).optional(),
  value: z.string().min(1, { error: `the credential (${SECRET_HINT})` }).optional(),
  /** OAuth2 client credentials (RFC 6749 §4.4): a bearer token from tokenUrl, kept until it expires. */
  oauth2: z.strictObject({
    tokenUrl: z.url({ protocol: /^https?$/, error: 'the token endpoint, an http(s) URL like https://auth.example.com/oauth/token' }),
    clientId: z.string().min(1, { error: 'the client id the PMS issued' }),
    clientSecret: z.string().min(1, { error: `the client secret (${SECRET_HINT})` }),
    scope: z.string().min(1).optional(),
    /** Some token endpoints (Auth0 and its imitators) want the API they issue for. */
    audience: z.string().min(1).optional(),
    /** How the client authenticates (RFC 6749 §2.3.1): HTTP Basic (the default every server must take) or in the form body. */
    clientAuth: z.enum(['basic', 'body'], { error: 'basic or body' }).default('basic'),
  }).optional(),
}).superRefine((a, ctx) => {
  const kinds = (['header', 'query', 'oauth2'] as const).filter((k) => a[k] !== undefined);
  if (kinds.length !== 1) {
    ctx.addIssue({ code: 'custom', path: [], message: `give one of header (with value), query (with value) or oauth2; found ${kinds.length === 0 ? 'none' : kinds.join(' and ')}` });
  } else if (kinds[0] === 'oauth2' && a.value !== undefined) {
    ctx.addIssue({ code: 'custom', path: ['value'], message: 'oauth2 takes its secret as oauth2.clientSecret; remove value' });
  } else if (kinds[0] !== 'oauth2' && a.value === undefined) {
    ctx.addIssue({ code: 'custom', path: ['value'], message: `${kinds[0]} needs the credential as value (${SECRET_HINT})` });
  }
});

export const restSettings = z.strictObject({
  /** The PMS's API root; every path is appended to it. */
  baseUrl: z.url({ protocol: /^https?$/, error: 'an http(s) URL like http://pms.example.local/api/' }),
  /**
   * The credential, one of: a header (`{ header: Authorization, value: "Bearer ${PMS_TOKEN}" }`),
   * a query parameter (`{ query: api_key, value: "${PMS_KEY}" }`), or OAuth2 client credentials
   * (`{ oauth2: { tokenUrl, clientId, clientSecret } }`). Secrets come from the environment.
   */
  auth: auth.optional(),
  timeoutMs: z.int().min(100).max(120_000, { error: 'milliseconds, 100 to 120000' }).default(10_000),
  /** Prefix of the hub's reference on bookings it writes; recognises them when they come back. */
  referencePrefix: z.string().regex(/^[\w.:-]{1,20}$/, { error: '1-20 letters, digits, _ . : -' }).default('avhub-'),
  availability: availability.optional(),
  bookings: bookings.optional(),
  create: create.optional(),
  lookup: lookup.optional(),
  cancel: cancel.optional(),
  modify: modify.optional(),
}).superRefine((s, ctx) => {
  if (!s.availability && !s.bookings) {
    ctx.addIssue({ code: 'custom', path: [], message: 'configure availability (per-night counts), bookings (a reservation list) or both' });
  }
  if (s.create && !s.lookup) {
    ctx.addIssue({ code: 'custom', path: ['lookup'], message: 'create needs lookup (find a booking by {reference}) so a retried write-back never books twice' });
  }
  if (s.modify && !s.create) {
    ctx.addIssue({ code: 'custom', path: ['modify'], message: 'modify without create: the hub never has a booking of its own to change' });
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
