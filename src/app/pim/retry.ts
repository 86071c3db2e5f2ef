import { ConflictError } from '../../domain/shared/errors.js';

/** Attempts of one PIM write when a compare-and-set loses (invariant 4). */
export const MAX_CAS_ATTEMPTS = 6;

/**
 * Runs a whole unit of work again when it lost a compare-and-set (`ConflictError`): the losers
 * re-read and re-evaluate against the winner's committed state, so two concurrent activations give
 * one activation and one `RoleAssignmentExists`, not a 409. After {@link MAX_CAS_ATTEMPTS} the
 * conflict is answered (409): the state keeps moving under the request.
 */
export async function retryOnConflict<T>(work: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await work();
    } catch (e) {
      if (!(e instanceof ConflictError) || attempt >= MAX_CAS_ATTEMPTS) throw e;
      // A short random pause spreads the retries of many losers (no clock read: only a delay).
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 5 * attempt));
    }
  }
}
