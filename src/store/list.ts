import type { SelectQueryBuilder } from 'kysely';
import {
  applyQuery,
  countQuery,
  readCount,
  splitPage,
  type FieldMap,
  type QueryOptions,
} from '../odata/index.js';

export type Fields = FieldMap;

/**
 * One page of a collection query: `$filter`, `$orderby`, `$top`, `$skiptoken` and `$count`
 * applied to a select that already carries the caller's own conditions (tenant, scope).
 */
export async function listPage<DB, TB extends keyof DB, O>(
  qb: SelectQueryBuilder<DB, TB, O>,
  q: QueryOptions,
  fields: FieldMap,
  tieBreaker = 'id',
): Promise<{ items: O[]; hasMore: boolean; count?: number }> {
  const rows = await applyQuery(qb, q, fields, { tieBreaker }).execute();
  const page = splitPage(rows, q);
  if (!q.count) return { items: page.items, hasMore: page.hasMore };
  const countRow = await countQuery(qb, q, fields).executeTakeFirst();
  return { items: page.items, hasMore: page.hasMore, count: readCount(countRow) };
}
