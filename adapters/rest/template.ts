import { getPath } from './dot-path.js';

/**
 * Placeholders: `{name}` or `{customer.name}` inside a path or a body template, replaced by the
 * adapter with a value of the request (a room type id, a local date, the hub's reference).
 */

/** Every `{placeholder}` name in `text`, in order. */
export function placeholdersIn(text: string): string[] {
  return [...text.matchAll(/\{([^{}]*)\}/g)].map((m) => m[1]!);
}

/** Values a template may use; a nested object is reached with a dot path (`customer.name`). */
export type TemplateValues = Readonly<Record<string, unknown>>;

function lookup(values: TemplateValues, name: string): unknown {
  return getPath(values, name);
}

function asText(value: unknown): string {
  if (value === null || value === undefined) return '';
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

/**
 * Fills a request path (`/bookings/{id}?updatedSince={since}&page={page}`). Values are URL-encoded.
 * A query parameter whose whole value is one placeholder without a value (`page={page}` on the
 * first page, `updatedSince={since}` on a full pull) is left out of the query.
 * @throws Error when a placeholder in the path part (before `?`) has no value.
 */
export function fillPath(template: string, values: TemplateValues): string {
  const q = template.indexOf('?');
  const pathPart = q === -1 ? template : template.slice(0, q);
  const queryPart = q === -1 ? '' : template.slice(q + 1);
  const path = pathPart.replace(/\{([^{}]*)\}/g, (_, name: string) => {
    const value = lookup(values, name);
    if (value === null || value === undefined || value === '') {
      throw new Error(`path placeholder {${name}} has no value`);
    }
    return encodeURIComponent(asText(value));
  });
  const pairs: string[] = [];
  for (const pair of queryPart.split('&')) {
    if (pair === '') continue;
    const whole = /^([^=]*)=\{([^{}]*)\}$/.exec(pair);
    if (whole) {
      const value = lookup(values, whole[2]!);
      if (value === null || value === undefined) continue;
    }
    pairs.push(pair.replace(/\{([^{}]*)\}/g, (_, name: string) => encodeURIComponent(asText(lookup(values, name)))));
  }
  return pairs.length > 0 ? `${path}?${pairs.join('&')}` : path;
}

/**
 * Renders a JSON body template. A string that is exactly one placeholder (`"{quantity}"`) becomes
 * the value itself with its type (a number stays a number, a missing value becomes null); a
 * placeholder inside longer text is interpolated as text. Objects and arrays are rendered deeply.
 */
export function renderBody(template: unknown, values: TemplateValues): unknown {
  if (typeof template === 'string') {
    const whole = /^\{([^{}]*)\}$/.exec(template);
    if (whole) return lookup(values, whole[1]!) ?? null;
    return template.replace(/\{([^{}]*)\}/g, (_, name: string) => asText(lookup(values, name)));
  }
  if (Array.isArray(template)) return template.map((item) => renderBody(item, values));
  if (template !== null && typeof template === 'object') {
    return Object.fromEntries(Object.entries(template).map(([k, v]) => [k, renderBody(v, values)]));
  }
  return template;
}

/** Every placeholder used anywhere in a body template (keys are never templates). */
export function placeholdersInBody(template: unknown): string[] {
  if (typeof template === 'string') return placeholdersIn(template);
  if (Array.isArray(template)) return template.flatMap(placeholdersInBody);
  if (template !== null && typeof template === 'object') return Object.values(template).flatMap(placeholdersInBody);
  return [];
}
