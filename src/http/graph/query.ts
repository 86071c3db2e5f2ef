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

/** Query string of a collection route: OData options are parsed by `readCollectionQuery`. */
export const collectionQuerystring = z.record(
  z.string().max(64),
  z.union([z.string().max(4096), z.array(z.string().max(4096))]),
);

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
