/**
 * Values per `in (…)` list or rows per multi-row INSERT: well under SQLite's (32,766) and
 * PostgreSQL's (65,535) bound-parameter limits, also for rows of twenty columns.
 */
export const ROWS_PER_STATEMENT = 500;

/** `items` in consecutive slices of at most `size`. */
export function* chunks<T>(items: readonly T[], size = ROWS_PER_STATEMENT): Generator<T[]> {
  for (let i = 0; i < items.length; i += size) yield items.slice(i, i + size);
}

/**
 * The rows `select` finds for `ids`, one statement per slice of `ROWS_PER_STATEMENT` ids (none
 * for no ids): a batch's lookups in a few round trips instead of one per id.
 */
export async function selectByIds<R>(
  ids: readonly string[],
  select: (part: string[]) => Promise<R[]>,
): Promise<R[]> {
  const rows: R[] = [];
  for (const part of chunks(ids)) rows.push(...(await select(part)));
  return rows;
}
