import { ConflictError } from '../domain/shared/errors.js';

/**
 * Compare-and-set: an `update … where id = ? and version = ?` must touch exactly one row.
 * Zero rows means another transaction changed the row first (DESIGN.md invariant 4).
 * Works the same on SQLite and PostgreSQL; no row locks in shared code.
 * @throws ConflictError
 */
export function expectOneRow(result: { numUpdatedRows: bigint } | { numDeletedRows: bigint }): void {
  const n = 'numUpdatedRows' in result ? result.numUpdatedRows : result.numDeletedRows;
  if (n !== 1n)
    throw new ConflictError('The resource was changed by another request; read it again and retry.');
}
