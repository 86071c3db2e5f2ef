import type { SelectQueryBuilder } from 'kysely';
import {
  applyQuery,
  countQuery,
  readCount,
  splitPage,
  type CompileOptions,
  type FieldMap,
  type QueryOptions,
} from '../../odata/index.js';
import { principalIsOf } from '../../odata/collections.js';

/** `isof(principal,'microsoft.graph.user')` for every PIM collection (its rows have `principal_type`). */
export const PIM_FILTER_FUNCTIONS: CompileOptions = { functions: { isof: principalIsOf } };

/**
 * One page of a PIM collection: like `listPage`, plus the `isof` function and a tie-breaker column
 * chosen per collection (instances are ordered last by their schedule id, which is unique).
 */
export async function pageOf<DB, TB extends keyof DB, O>(
  qb: SelectQueryBuilder<DB, TB, O>,
  q: QueryOptions,
  fields: FieldMap,
  tieBreaker: string,
): Promise<{ items: O[]; hasMore: boolean; count?: number }> {
  const rows = await applyQuery(qb, q, fields, { ...PIM_FILTER_FUNCTIONS, tieBreaker }).execute();
  const page = splitPage(rows, q);
  if (!q.count) return { items: page.items, hasMore: page.hasMore };
  const countRow = await countQuery(qb, q, fields, PIM_FILTER_FUNCTIONS).executeTakeFirst();
  return { items: page.items, hasMore: page.hasMore, count: readCount(countRow) };
}
