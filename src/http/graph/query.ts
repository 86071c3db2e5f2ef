import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Page } from '../../app/ports.js';
import {
  nextLink,
  ODataError,
  parseQueryOptions,
  project,
  type QueryOptions,
  type QuerySpec,
} from '../../odata/index.js';

const optionValue = z.union([z.string().max(4096), z.array(z.string().max(4096))]);
const option = (description: string) => optionValue.optional().describe(description);

/**
 * An option whose text the OData parser checks against `pattern`: the document states the pattern,
 * the parser keeps its own named errors (`invalidTop`, `invalidCount`). A repeated option arrives
 * as an array and is refused ("may be given only once"), hence at most one item.
 */
const patterned = (pattern: RegExp, description: string) =>
  z
    .union([
      z.string().max(4096).meta({ pattern: pattern.source }),
      z.array(z.string().max(4096).meta({ pattern: pattern.source })).meta({ maxItems: 1 }),
    ])
    .optional()
    .describe(description);

const boundedNames = (q: Record<string, unknown>) => Object.keys(q).every((k) => k.length <= 64);
const NAMES_MESSAGE = 'query option names are at most 64 characters';

/**
 * Query string of a collection route: OData options are parsed by `readCollectionQuery`. The
 * options are named (not a record) so that the OpenAPI document lists them as query parameters;
 * other keys pass through for `readCollectionQuery` to judge (`$search`, `$skip` → 400). A GET
 * route with this query string is a collection: it also gets its `/$count` (`graph/count.ts`).
 */
export const collectionQuerystring = z
  .object({
    $filter: option("OData filter expression, e.g. `displayName eq 'Ann'`."),
    $select: option('Comma-separated properties to return.'),
    $orderby: option('Comma-separated properties, each optionally followed by `asc` or `desc`.'),
    $top: patterned(/^\d{1,3}$/, 'Page size (0–999).'),
    $skiptoken: option('Opaque paging token from `@odata.nextLink`.'),
    $count: patterned(/^(?:[Tt][Rr][Uu][Ee]|[Ff][Aa][Ll][Ss][Ee])$/, '`true` adds `@odata.count`.'),
  })
  .catchall(optionValue)
  .refine(boundedNames, NAMES_MESSAGE);

/** Query string of one entity (`readEntityQuery`): `$select` and `$expand`; other `$` options → 400. */
export const entityQuerystring = z
  .object({
    $select: option('Comma-separated properties to return.'),
    $expand: option('Navigation properties to include, e.g. `rules`.'),
  })
  .catchall(optionValue)
  .refine(boundedNames, NAMES_MESSAGE);

/** Query string of what has nothing to expand (a policy's rules): `$select` only. */
export const selectQuerystring = z
  .object({ $select: option('Comma-separated properties to return.') })
  .catchall(optionValue)
  .refine(boundedNames, NAMES_MESSAGE);

/**
 * Parses `$filter`, `$select`, `$orderby`, `$top`, `$skiptoken`, `$count` against the collection's
 * field map. @throws ODataError (400) pointing at the problem.
 */
export function readCollectionQuery(query: unknown, spec: QuerySpec): QueryOptions {
  return parseQueryOptions((query ?? {}) as Record<string, unknown>, spec);
}

/**
 * Query options of one entity (or of a navigation collection such as a policy's rules): only
 * `$select` and `$expand`. @throws ODataError('unsupportedQueryOption') for any other `$` option.
 */
export function readEntityQuery(query: unknown, spec: QuerySpec): QueryOptions {
  const options = (query ?? {}) as Record<string, unknown>;
  for (const key of Object.keys(options)) {
    if (key.startsWith('$') && !['$select', '$expand'].includes(key.toLowerCase())) {
      throw new ODataError(
        'unsupportedQueryOption',
        `Query option '${key.slice(0, 40)}' is not supported here.`,
        key.slice(0, 64),
      );
    }
  }
  return parseQueryOptions(options, spec);
}

/** What `project` returns: `id` and annotations (`@odata.type`) always stay, the rest may be dropped. */
export type Selected<J> = { [K in keyof J as K extends 'id' | `@${string}` ? K : never]: J[K] } & {
  [K in keyof J]?: J[K];
};

/** {@link project}, typed with what it keeps. */
export const projectSelected = <J extends Record<string, unknown>>(
  json: J,
  select: readonly string[] | undefined,
): Selected<J> => project(json, select) as Selected<J>;

/** `$select` plus the expanded navigation names, which a projection must keep. */
export const selectWithExpand = (q: QueryOptions): string[] | undefined =>
  q.select && [...q.select, ...q.expand.map((item) => item.name)];

/**
 * The Graph collection envelope: `@odata.context`, `@odata.count`, `value` (each item projected by
 * `$select`, expanded navigations kept), `@odata.nextLink` while more items follow.
 */
export function collectionEnvelope<T, J extends Record<string, unknown>>(
  request: FastifyRequest,
  publicUrl: string,
  contextUrl: string,
  page: Page<T>,
  q: QueryOptions,
  toJson: (item: T) => J,
) {
  const select = selectWithExpand(q);
  return {
    '@odata.context': contextUrl,
    ...(page.count !== undefined ? { '@odata.count': page.count } : {}),
    value: page.items.map((item) => projectSelected(toJson(item), select)),
    ...(page.hasMore
      ? { '@odata.nextLink': nextLink(request.url, publicUrl, q.skip + page.items.length) }
      : {}),
  };
}
