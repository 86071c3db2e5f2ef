import type { FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import type { Clock } from '../domain/time/clock.js';
import { graphError } from './errors.js';

/** The Graph service roots: unknown paths under them answer as Graph does (400, the segment named). */
export const GRAPH_PREFIXES = ['/v1.0', '/beta'] as const;

/** Longest segment echoed back in an error message. */
const MAX_ECHO = 100;

type Pattern = readonly string[];

const segmentsOf = (path: string): string[] => {
  const trimmed = path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
  return trimmed.split('/').slice(1);
};

/** Does a route's pattern segment (`users`, `:id`, `*`) accept a concrete segment? */
const accepts = (pattern: string, segment: string): boolean =>
  pattern === segment || (pattern.startsWith(':') && segment !== '');

/** Does the whole pattern accept the path (a trailing `*` takes the rest)? */
function matches(pattern: Pattern, path: readonly string[]): boolean {
  for (const [i, expected] of pattern.entries()) {
    if (expected === '*') return true;
    const segment = path[i];
    if (segment === undefined || !accepts(expected, segment)) return false;
  }
  return pattern.length === path.length;
}

const decode = (segment: string): string => {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
};

/**
 * Every route the app has, recorded by an `onRoute` hook, so that a request the router could not
 * place is answered precisely: a path some route has, asked with another method, is 405 with an
 * `Allow` header; under a Graph prefix any other path is Graph's 400 naming the first segment no
 * route has; elsewhere 404.
 */
export class RouteTable {
  private readonly routes: { method: string; pattern: Pattern }[] = [];

  /** The `onRoute` hook that fills the table. */
  readonly record = (route: RouteOptions): void => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) this.routes.push({ method, pattern: segmentsOf(route.url) });
  };

  /** Methods some route answers for this concrete path, sorted (`GET, HEAD, POST`). */
  methodsOf(path: string): string[] {
    const segments = segmentsOf(path);
    const methods = new Set(this.routes.filter((r) => matches(r.pattern, segments)).map((r) => r.method));
    return [...methods].sort();
  }

  /**
   * The first segment of `path` that no route has in that place after the segments before it; the
   * last segment when every segment is known but the path itself is only a prefix of routes.
   */
  unknownSegment(path: string): string {
    const segments = segmentsOf(path);
    let candidates: readonly Pattern[] = this.routes.map((r) => r.pattern);
    for (const [i, segment] of segments.entries()) {
      if (candidates.some((p) => p[i] === '*')) break;
      candidates = candidates.filter((p) => {
        const pattern = p[i];
        return pattern !== undefined && accepts(pattern, segment);
      });
      if (candidates.length === 0) return decode(segment);
    }
    return decode(segments.at(-1) ?? '');
  }
}

const underGraphPrefix = (path: string): boolean =>
  GRAPH_PREFIXES.some((prefix) => path === prefix || path.startsWith(`${prefix}/`));

/**
 * The not-found handler: what Graph answers for a request no route takes. A known path with another
 * method is `405` (code `Request_BadRequest`, Graph's message for it) with `Allow`; an unknown path
 * under `/v1.0` or `/beta` is `400 BadRequest` "Resource not found for the segment '…'."; anything
 * else `404 NotFound`. The query string is never echoed.
 */
export function unknownRouteHandler(table: RouteTable, clock: Clock) {
  return (request: FastifyRequest, reply: FastifyReply) => {
    const path = request.url.split('?')[0] ?? '/';
    const now = clock.now();
    const allowed = table.methodsOf(path);
    if (allowed.length > 0 && !allowed.includes(request.method)) {
      return reply
        .status(405)
        .header('allow', allowed.join(', '))
        .send(
          graphError(
            request,
            now,
            'Request_BadRequest',
            'Specified HTTP method is not allowed for the request target.',
          ),
        );
    }
    if (underGraphPrefix(path)) {
      const segment = table.unknownSegment(path).slice(0, MAX_ECHO);
      return reply
        .status(400)
        .send(graphError(request, now, 'BadRequest', `Resource not found for the segment '${segment}'.`));
    }
    return reply
      .status(404)
      .send(
        graphError(request, now, 'NotFound', `No resource matches ${request.method} ${path.slice(0, 200)}.`),
      );
  };
}
