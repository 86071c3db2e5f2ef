import { ConflictError } from '../domain/shared/errors.js';

/** Turns a unique-constraint violation (either dialect) into a ConflictError; rethrows others. */
export async function uniqueOrConflict<T>(work: Promise<T>, message: string | (() => Error)): Promise<T> {
  try {
    return await work;
  } catch (e) {
    if (isUniqueViolation(e))
      throw typeof message === 'string' ? new ConflictError(message, 'conflict') : message();
    throw e;
  }
}

export function isUniqueViolation(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}
