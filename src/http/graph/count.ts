import type {
  FastifyInstance,
  FastifyReply,
  FastifyRequest,
  FastifySchema,
  RouteHandlerMethod,
  RouteOptions,
} from 'fastify';
import { z } from 'zod';
import { BadRequestError } from '../../domain/shared/errors.js';
import { ODataError } from '../../odata/index.js';
import { collectionQuerystring, selectQuerystring } from './query.js';

/**
 * Directory objects: Graph counts them only with `ConsistencyLevel: eventual` (its advanced
 * queries); without the header it answers 400 `Request_BadRequest` "$count is not currently
 * supported.". Matched on the path after the service root.
 */
const DIRECTORY_OBJECTS = /^\/(?:users|groups|servicePrincipals)(?:\/|$)/;

/** The path segment Graph uses for "how many": `GET /v1.0/users/$count` → `text/plain` integer. */
export const COUNT_SEGMENT = '$count';

const optionValue = z.union([z.string().max(4096), z.array(z.string().max(4096))]);

/** What `/$count` of a paged collection accepts: `$filter` (other `$` options are refused). */
const pagedCountQuerystring = z
  .object({
    $filter: z
      .string()
      .max(4096)
      .optional()
      .describe("OData filter expression: only matching items are counted, e.g. `displayName eq 'Ann'`."),
  })
  .catchall(optionValue);

/** What `/$count` of an unpaged navigation (a policy's rules) accepts: no `$` option. */
const unpagedCountQuerystring = z.object({}).catchall(optionValue);

const consistencyHeaders = z
  .object({
    consistencylevel: z
      .string()
      .max(32)
      .meta({ enum: ['eventual'] })
      .optional()
      .describe('`eventual`: Graph counts directory objects only in its advanced-query mode.'),
  })
  // Documented as Graph has it (required, `eventual`); refused with Graph's own error when absent.
  .meta({ required: ['consistencylevel'] });

const countResponse = {
  description: 'The number of items, as plain text (e.g. `42`).',
  content: { 'text/plain': { schema: z.string().regex(/^\d+$/) } },
};

type Query = Record<string, unknown>;

/**
 * How a collection is counted. A paged collection (`collectionQuerystring`) by its own handler run
 * with the client's `$filter`, `$count=true` and `$top=0` (no item is read); an unpaged navigation
 * (`selectQuerystring`: a policy's rules) by the length of what its handler returns.
 */
type Mode = 'paged' | 'unpaged';

function modeOf(route: RouteOptions): Mode | undefined {
  const get = route.method === 'GET' || (Array.isArray(route.method) && route.method.includes('GET'));
  const last = route.url.split('/').at(-1) ?? '';
  if (!get || last === '' || last.startsWith(':')) return undefined;
  const querystring = route.schema?.querystring;
  return querystring === collectionQuerystring
    ? 'paged'
    : querystring === selectQuerystring
      ? 'unpaged'
      : undefined;
}

/**
 * The query the collection's handler is run with: the client's non-`$` keys, and for a paged
 * collection its `$filter` plus `$count=true&$top=0`.
 * @throws ODataError('unsupportedQueryOption') for any other `$` option
 */
function countQuery(query: Query, mode: Mode): Query {
  const out: Query = {};
  for (const [key, value] of Object.entries(query)) {
    if (!key.startsWith('$')) out[key] = value;
    else if (mode === 'paged' && key.toLowerCase() === '$filter') out.$filter = value;
    else
      throw new ODataError(
        'unsupportedQueryOption',
        `Query option '${key.slice(0, 40)}' is not supported with /$count${mode === 'paged' ? '; only $filter is' : ''}.`,
        key.slice(0, 64),
      );
  }
  return mode === 'paged' ? { ...out, $count: 'true', $top: '0' } : out;
}

/** The number from what the collection's handler returned. */
function countOf(envelope: unknown, mode: Mode, url: string): number {
  const body = envelope as { '@odata.count'?: unknown; value?: unknown };
  const count =
    mode === 'paged' ? body['@odata.count'] : Array.isArray(body.value) ? body.value.length : null;
  if (typeof count !== 'number') throw new Error(`${url} gave no count`);
  return count;
}

/**
 * `onRoute` hook, added once on the root instance: for every collection route (a GET whose path
 * ends in a literal segment and whose query string is {@link collectionQuerystring} or
 * {@link selectQuerystring}), registers `{path}/$count` beside it in the same plugin (same prefix,
 * same authentication, same path parameters). The count runs the collection's own handler, so it
 * counts exactly what a listing shows the caller, `$filter` included, and answers `200 text/plain`
 * with the number. Directory objects need `ConsistencyLevel: eventual`, as in Graph.
 */
export function countSegments(
  this: FastifyInstance,
  route: RouteOptions & { routePath: string; prefix: string },
): void {
  const mode = modeOf(route);
  if (mode === undefined) return;
  const list = route.handler as (
    this: FastifyInstance,
    request: FastifyRequest,
    reply: FastifyReply,
  ) => Promise<unknown>;
  const directory = DIRECTORY_OBJECTS.test(route.routePath);
  const parent: FastifySchema = route.schema ?? {};
  const errorResponses = Object.fromEntries(
    Object.entries((parent.response ?? {}) as Record<string, unknown>).filter(([status]) => status >= '400'),
  );

  const handler: RouteHandlerMethod = async function (this: FastifyInstance, request, reply) {
    const level = request.headers.consistencylevel;
    if (directory && (typeof level !== 'string' || level.toLowerCase() !== 'eventual')) {
      throw new BadRequestError('Request_BadRequest', '$count is not currently supported.');
    }
    request.query = countQuery((request.query ?? {}) as Query, mode);
    const count = countOf(await list.call(this, request, reply), mode, route.url);
    return reply.type('text/plain; charset=utf-8').send(String(count));
  };

  this.route({
    method: 'GET',
    url: `${route.routePath}/${COUNT_SEGMENT}`,
    schema: {
      ...(parent.tags ? { tags: parent.tags } : {}),
      ...(parent.hide ? { hide: true } : {}),
      description:
        'The number of items of the collection, as Graph answers `/$count`' +
        (mode === 'paged' ? '; `$filter` applies.' : '.') +
        (directory ? ' Needs `ConsistencyLevel: eventual`, as Graph does for directory objects.' : ''),
      ...(parent.params ? { params: parent.params } : {}),
      querystring: mode === 'paged' ? pagedCountQuerystring : unpagedCountQuerystring,
      ...(directory ? { headers: consistencyHeaders } : {}),
      response: { 200: countResponse, ...errorResponses },
    },
    handler,
  });
}
