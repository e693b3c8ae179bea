import fc from 'fast-check';

/**
 * Requests for the OpenAPI fuzzer (openapi-fuzz.test.ts), generated from the served document
 * itself with fast-check: for each operation, path parameters, query, headers, credentials and a
 * body, each either what the schema asks for (with the hub's real ids and plausible dates, so
 * requests get past validation into the handlers) or something hostile (wrong types, boundaries,
 * huge and unicode strings, broken JSON, wrong content types, missing or wrong credentials).
 */

export interface FuzzRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
  /** One line naming what was sent, for failure reports. */
  label: string;
}

/** What the fuzzer knows about the running hub: ids that exist and credentials that work. */
export interface FuzzWorld {
  adminToken: string;
  widgetKey: string;
  allowedOrigin: string;
  heartbeatToken: string;
  sites: string[];
  resources: string[];
  /** Path parameter values that exist, by operation path parameter (`id` of holds, reservations…). */
  ids: { hold: string[]; reservation: string[]; other: string[] };
  reservationToken: string;
}

type Schema = Record<string, any>;
type Operation = { method: string; path: string; op: Record<string, any> };

const HUGE = 'x'.repeat(70_000); // over the API's 64 KiB body limit
const hostileText = fc.oneof(
  fc.string(),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom('', ' ', '\u0000', '../../etc/passwd', '%00', '__proto__', 'constructor', "' OR 1=1 --", '<script>alert(1)</script>',
    '💥🏨', 'Zoë', '\uFEFF', '\uD800', '2027-02-30', '2027-13-01', '0000-01-01', '9999-12-31', '2027-03-28T02:30', '1e309', 'NaN', '-0',
    'x'.repeat(201), 'x'.repeat(5_000), 'null', 'true', '[]', '{}'),
);
const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  hostileText,
  fc.constantFrom(null, true, false, 0, -1, 1.5, 2 ** 31, Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER, 1e308),
  fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 4 }),
  fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 }),
);

const DAY = 86_400_000;
const day = (offset: number) => new Date(Math.floor(Date.now() / DAY) * DAY + offset * DAY).toISOString().slice(0, 10);
const dates = fc.integer({ min: -3, max: 400 }).map(day);
const instants = fc.tuple(fc.integer({ min: -3, max: 400 }), fc.integer({ min: 0, max: 47 }))
  .map(([d, half]) => new Date(Math.floor(Date.now() / DAY) * DAY + d * DAY + half * 1_800_000).toISOString());

/** Values that get past validation: the hub's ids, dates near now, by the field's name. */
function hinted(name: string, world: FuzzWorld): fc.Arbitrary<unknown> | undefined {
  if (name === 'site') return fc.constantFrom(...world.sites);
  if (name === 'resource') return fc.constantFrom(...world.resources);
  if (['checkIn', 'checkOut', 'from', 'to'].includes(name)) return fc.oneof(dates, instants);
  if (['start', 'end'].includes(name)) return fc.oneof(instants, dates);
  if (name === 'quantity') return fc.integer({ min: 0, max: 5 });
  return undefined;
}

function deref(schema: Schema, doc: Schema): Schema {
  let s = schema;
  while (typeof s?.$ref === 'string') s = s.$ref.replace(/^#\//, '').split('/').reduce((o: any, k: string) => o?.[k], doc) ?? {};
  return s ?? {};
}

/** Mostly what the schema asks for; a field at a time replaced by something hostile. */
function fromSchema(schema: Schema, doc: Schema, world: FuzzWorld, name = '', depth = 0): fc.Arbitrary<unknown> {
  const s = deref(schema, doc);
  const hint = hinted(name, world);
  const valid = ((): fc.Arbitrary<unknown> => {
    if (hint) return hint;
    if (Array.isArray(s.enum)) return fc.constantFrom(...(s.enum as unknown[]));
    if (s.const !== undefined) return fc.constant(s.const);
    const alternatives = (s.anyOf ?? s.oneOf) as Schema[] | undefined;
    if (alternatives) return fc.oneof(...alternatives.map((a) => fromSchema(a, doc, world, name, depth)));
    if (depth > 3) return fc.constant(null);
    switch (s.type) {
      case 'string': return fc.string({ minLength: s.minLength ?? 0, maxLength: Math.min(s.maxLength ?? 30, 60) });
      case 'integer': return fc.integer({ min: s.minimum ?? -1_000, max: s.maximum ?? 1_000 });
      case 'number': return fc.double({ min: s.minimum ?? -1e6, max: s.maximum ?? 1e6, noNaN: true });
      case 'boolean': return fc.boolean();
      case 'array': return fc.array(fromSchema(s.items ?? {}, doc, world, name, depth + 1), { maxLength: Math.min(s.maxItems ?? 3, 3) });
      case 'object': {
        const props = Object.entries((s.properties ?? {}) as Record<string, Schema>);
        if (props.length === 0) return fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 1 }), { maxKeys: 3 });
        return fc.record(Object.fromEntries(props.map(([k, v]) => [k, fromSchema(v, doc, world, k, depth + 1)])),
          { requiredKeys: (s.required ?? []) as string[] });
      }
      default: return fc.jsonValue({ maxDepth: 2 });
    }
  })();
  return depth === 0 ? valid : fc.oneof({ weight: 8, arbitrary: valid }, { weight: 1, arbitrary: hostileValue });
}

/** Percent-encodes the UTF-8 bytes (lone surrogates become U+FFFD), unlike encodeURIComponent which throws on them. */
const percentEncode = (v: string) => [...Buffer.from(v, 'utf8')]
  .map((b) => (/[A-Za-z0-9\-._~]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, '0')}`)).join('');

/** A header value fetch accepts: no control characters, UTF-8 bytes read as Latin-1. */
const headerSafe = (v: string) => Buffer.from([...v].filter((c) => c.charCodeAt(0) > 0x1f && c !== '\x7f').join(''), 'utf8').toString('latin1');

/** One operation's requests: `count` of them from `seed`. */
export function requestsFor(o: Operation, doc: Schema, world: FuzzWorld, seed: number, count: number): FuzzRequest[] {
  const params = ((o.op.parameters ?? []) as Schema[]).map((p) => deref(p, doc));
  const pathParams = params.filter((p) => p.in === 'path');
  const queryParams = params.filter((p) => p.in === 'query');
  const security = ((o.op.security ?? []) as Array<Record<string, unknown>>).flatMap((s) => Object.keys(s));
  // The heartbeat's credential is the site's own token, a header parameter rather than a scheme.
  if (params.some((p) => p.in === 'header' && p.name === 'Authorization')) security.push('siteToken');
  const bodySchema = o.op.requestBody?.content?.['application/json']?.schema as Schema | undefined;

  const known = o.path.startsWith('/v1/holds') ? world.ids.hold
    : o.path.startsWith('/v1/reservations') ? world.ids.reservation
      : o.path.startsWith('/v1/sites') ? world.sites : world.ids.other;
  const pathValue = fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...known, 'h_doesnotexist', 'r_doesnotexist') },
    { weight: 3, arbitrary: hostileText.filter((t) => t.length > 0).map(percentEncode) },
    { weight: 1, arbitrary: fc.constantFrom('a%ZZb', '%', '..', '.', '%2e%2e', 'a%2Fb', '%C0%AF', 'x'.repeat(150), `${known[0] ?? 'x'}%00`) },
  );
  const query = fc.record(Object.fromEntries(queryParams.map((p) => [p.name as string,
    fc.oneof({ weight: 5, arbitrary: fromSchema(p.schema ?? {}, doc, world, p.name as string).map(String) }, { weight: 1, arbitrary: hostileText })])),
  { requiredKeys: [] });
  const credential = fc.constantFrom(...(security.length > 0 ? [...security, 'none', 'wrong', 'junk'] : ['none', 'junk']));
  const body: fc.Arbitrary<{ type?: string; text?: string } | undefined> = bodySchema
    ? fc.oneof(
      { weight: 10, arbitrary: fromSchema(bodySchema, doc, world).map((v) => ({ type: 'application/json', text: JSON.stringify(v) })) },
      { weight: 2, arbitrary: hostileValue.map((v) => ({ type: 'application/json', text: JSON.stringify(v) ?? 'undefined' })) },
      { weight: 1, arbitrary: fc.constantFrom('{', '{"site":', 'nul', '\u0000', '{"__proto__":{"admin":true}}', `{"a":"${HUGE}"}`, '[1,2', '1e99999')
        .map((text) => ({ type: 'application/json', text })) },
      { weight: 1, arbitrary: fc.tuple(fc.constantFrom('text/plain', 'application/x-www-form-urlencoded', 'application/xml', 'multipart/form-data', 'application/json; charset=latin1', ''), fc.string())
        .map(([type, text]) => ({ type, text })) },
      { weight: 1, arbitrary: fc.constant(undefined) },
    )
    : o.method === 'get' ? fc.constant(undefined) // fetch sends no body with a GET
      : fc.oneof({ weight: 9, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.constant({ type: 'application/json', text: '{"unexpected":true}' }) });
  const extras = fc.record({
    idem: fc.option(fc.oneof(fc.uuid(), hostileText), { nil: undefined }),
    origin: fc.option(fc.constantFrom(world.allowedOrigin, 'https://evil.example', 'null', 'not a url'), { nil: undefined }),
    // trustProxy is on: each request may come from another client address (or a forged junk one).
    forwardedFor: fc.oneof(fc.ipV4(), fc.ipV6(), fc.constantFrom('not-an-ip', '127.0.0.1, 10.0.0.1', '')),
    unknownQuery: fc.boolean(),
  });

  const arb = fc.record({ path: fc.array(pathValue, { minLength: pathParams.length, maxLength: pathParams.length }), query, credential, body, extras });
  return fc.sample(arb, { seed, numRuns: count }).map((r) => {
    let path = o.path;
    pathParams.forEach((p, i) => { path = path.replace(`{${p.name as string}}`, r.path[i]!); });
    const search = new URLSearchParams(Object.entries(r.query).filter((e): e is [string, string] => typeof e[1] === 'string'));
    if (r.extras.unknownQuery) search.append('unexpected', 'yes');
    const headers: Record<string, string> = { 'x-forwarded-for': r.extras.forwardedFor };
    switch (r.credential) {
      case 'widgetKey': headers['x-api-key'] = world.widgetKey; break;
      case 'widgetKeyQuery': search.set('key', world.widgetKey); break;
      case 'adminToken': headers.authorization = `Bearer ${world.adminToken}`; break;
      case 'siteToken': headers.authorization = `Bearer ${world.heartbeatToken}`; break;
      case 'reservationToken': headers['x-reservation-token'] = world.reservationToken; break;
      case 'wrong': Object.assign(headers, { 'x-api-key': 'wrong-widget-key', authorization: 'Bearer wrong-admin-token-0123456789', 'x-reservation-token': 'wrong' }); break;
      case 'junk': Object.assign(headers, { authorization: 'Basic Zm9vOmJhcg==', 'x-api-key': headerSafe('ключ 🗝️'), 'x-reservation-token': 'x'.repeat(3_000) }); break;
      default: break;
    }
    if (r.extras.idem !== undefined) headers['idempotency-key'] = headerSafe(r.extras.idem);
    if (r.extras.origin !== undefined) headers.origin = r.extras.origin;
    if (r.body?.type) headers['content-type'] = r.body.type;
    const qs = search.toString();
    const full = `${path}${qs ? `?${qs}` : ''}`;
    const bodyText = r.body?.text;
    return {
      method: o.method.toUpperCase(), path: full, headers, ...(bodyText !== undefined ? { body: bodyText } : {}),
      label: `${o.method.toUpperCase()} ${full.slice(0, 300)} [${r.credential}] ${bodyText === undefined ? '' : `${r.body?.type} ${bodyText.slice(0, 300)}`}`,
    };
  });
}

/** Every operation of the served document. */
export function operationsOf(doc: Schema): Operation[] {
  return Object.entries(doc.paths as Record<string, Record<string, any>>).flatMap(([path, item]) =>
    Object.entries(item).filter(([m]) => ['get', 'post', 'put', 'patch', 'delete'].includes(m)).map(([method, op]) => ({ method, path, op: op as Record<string, any> })));
}
