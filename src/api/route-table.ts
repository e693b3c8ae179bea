import type { z } from 'zod';

/** `feed`: a feed's own token in the URL's query (`?token=`), checked by the feed service. */
type Access = 'public' | 'widget' | 'admin' | 'reservation' | 'feed';

/** One HTTP route: what it accepts and answers. The server validates with it; OpenAPI is made of it. */
export interface RouteSpec {
  method: 'GET' | 'POST' | 'DELETE' | 'PATCH';
  /** Fastify-style path, `:id` for parameters. */
  url: string;
  summary: string;
  access: Access;
  query?: z.ZodType;
  params?: z.ZodType;
  body?: z.ZodType;
  headers?: Array<{ name: string; description: string; required?: boolean }>;
  responses: Record<number, { description: string; schema?: z.ZodType; contentType?: string }>;
  /** `false` for a page's own files (scripts, style sheets, redirects): served, but no API operation. */
  inOpenApi?: false;
  /**
   * The handler hands a widget caller's rate limit (`input.rate`) to the store script that serves
   * the request, which counts it in the same round trip; otherwise register() counts it first.
   */
  rateLimitInStore?: true;
  /**
   * Parsed queries are kept per query string (bounded) and handed out again, frozen: for routes
   * widgets call with the same URL over and over (availability), so each is validated once.
   */
  keepParsedQueries?: true;
}

/** Collects the specs of every registered route, in registration order. */
export class RouteTable {
  readonly specs: RouteSpec[] = [];

  add(spec: RouteSpec): RouteSpec {
    this.specs.push(spec);
    return spec;
  }
}
