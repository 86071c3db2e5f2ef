import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Page } from '../../app/ports.js';
import {
  nextLink,
  parseQueryOptions,
  project,
  type QueryOptions,
  type QuerySpec,
} from '../../odata/index.js';

const optionValue = z.union([z.string().max(4096), z.array(z.string().max(4096))]);
const option = (description: string) => optionValue.optional().describe(description);

/**
 * Query string of a collection route: OData options are parsed by `readCollectionQuery`. The
 * options are named (not a record) so that the OpenAPI document lists them as query parameters;
 * other keys pass through for `readCollectionQuery` to judge (`$search` → 400).
 */
export const collectionQuerystring = z
  .object({
    $filter: option("OData filter expression, e.g. `displayName eq 'Ann'`."),
    $select: option('Comma-separated properties to return.'),
    $orderby: option('Comma-separated properties, each optionally followed by `asc` or `desc`.'),
    $top: option('Page size (0–999).'),
    $skip: option('Number of items to skip.'),
    $skiptoken: option('Opaque paging token from `@odata.nextLink`.'),
    $count: option('`true` adds `@odata.count`.'),
  })
  .catchall(optionValue)
  .refine((q) => Object.keys(q).every((k) => k.length <= 64), 'query option names are at most 64 characters');

/**
 * Parses `$filter`, `$select`, `$orderby`, `$top`, `$skiptoken`, `$count` against the collection's
 * field map. @throws ODataError (400) pointing at the problem.
 */
export function readCollectionQuery(query: unknown, spec: QuerySpec): QueryOptions {
  return parseQueryOptions((query ?? {}) as Record<string, unknown>, spec);
}

/** The Graph collection envelope: `@odata.context`, `@odata.count`, `value`, `@odata.nextLink`. */
export function sendPage<T, J extends Record<string, unknown>>(
  request: FastifyRequest,
  publicUrl: string,
  contextUrl: string,
  page: Page<T>,
  q: QueryOptions,
  toJson: (item: T) => J,
) {
  const value = page.items.map((item) => project(toJson(item), q.select));
  return {
    '@odata.context': contextUrl,
    ...(page.count !== undefined ? { '@odata.count': page.count } : {}),
    value,
    ...(page.hasMore
      ? { '@odata.nextLink': nextLink(request.url, publicUrl, q.skip + page.items.length) }
      : {}),
  };
}
