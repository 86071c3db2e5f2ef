import { sql, type SelectQueryBuilder } from 'kysely';
import type { FieldMap } from './field-map.js';
import { compileFilter, type CompileOptions } from './filter-compiler.js';
import type { QueryOptions } from './query-options.js';

/** How {@link applyQuery} finishes the order; `QuerySpec` fits here too. */
export interface ApplySettings extends CompileOptions {
  /** Unique column that ends every ordering so pages never overlap. Default `id`. */
  tieBreaker?: string;
}

/** One page of rows and where the next one starts, if there is one. */
export interface RowPage<Row> {
  items: Row[];
  hasMore: boolean;
  /** Offset of the next page; pass it to `nextLink` when `hasMore`. */
  nextOffset: number;
}

/**
 * Adds `$filter`, `$orderby`, `$skip` and `$top` to a select. The order always ends with the
 * `tieBreaker` column so that rows with equal sort keys keep a fixed order across pages, and it
 * fetches `top + 1` rows: {@link splitPage} then knows whether a next page exists without a count.
 * Nulls sort first ascending and last descending, as OData specifies, on SQLite and PostgreSQL alike.
 * @throws ODataError('invalidFilter') when the filter does not fit `fields`.
 */
export function applyQuery<DB, TB extends keyof DB, O>(
  qb: SelectQueryBuilder<DB, TB, O>,
  options: QueryOptions,
  fields: FieldMap,
  settings: ApplySettings = {},
): SelectQueryBuilder<DB, TB, O> {
  const { filter, top, skip } = options;
  const tieBreaker = settings.tieBreaker ?? 'id';
  let query = filter ? qb.where((eb) => compileFilter(eb, filter, fields, settings)) : qb;
  for (const { column, direction } of options.orderBy) {
    query = query.orderBy(sql.ref(column), (ob) =>
      direction === 'asc' ? ob.asc().nullsFirst() : ob.desc().nullsLast(),
    );
  }
  if (!options.orderBy.some(({ column }) => column === tieBreaker)) {
    query = query.orderBy(sql.ref(tieBreaker), (ob) => ob.asc());
  }
  return query.limit(top === 0 ? 0 : top + 1).offset(skip);
}

/** Splits the `top + 1` rows {@link applyQuery} fetched into the page and whether more follow. */
export function splitPage<Row>(
  rows: readonly Row[],
  options: Pick<QueryOptions, 'top' | 'skip'>,
): RowPage<Row> {
  const items = rows.slice(0, options.top);
  return { items, hasMore: rows.length > options.top, nextOffset: options.skip + items.length };
}

/**
 * The same select with only `$filter` applied, counting rows, for `@odata.count`. Keep the route's
 * own conditions (tenant, caller scope) on `qb`, so the count covers exactly what paging covers.
 * @returns a query whose single row has `count` (a number on SQLite, a string on PostgreSQL);
 *   read it with {@link readCount}.
 */
export function countQuery<DB, TB extends keyof DB, O>(
  qb: SelectQueryBuilder<DB, TB, O>,
  options: Pick<QueryOptions, 'filter'>,
  fields: FieldMap,
  settings: CompileOptions = {},
): SelectQueryBuilder<DB, TB, { count: string | number | bigint }> {
  const { filter } = options;
  const filtered = filter ? qb.where((eb) => compileFilter(eb, filter, fields, settings)) : qb;
  return filtered
    .clearSelect()
    .clearOrderBy()
    .clearLimit()
    .clearOffset()
    .select(sql<string | number | bigint>`count(*)`.as('count'))
    .$castTo<{ count: string | number | bigint }>(); // TypeScript cannot reduce Selection<DB, …> for a generic DB
}

/** The count from a {@link countQuery} row as a number (PostgreSQL returns bigint counts as text). */
export const readCount = (row: { count: string | number | bigint } | undefined): number =>
  Number(row?.count ?? 0);
