import type { UnitOfWork } from '../app/ports.js';
import type { Db } from '../store/db.js';
import { createStoreUnitOfWork, type UnitOfWorkOptions } from '../store/unit-of-work.js';
import { FEATURE_STORES } from './index.js';

/**
 * A unit of work over every feature's stores: what the server, the CLI and tests run use cases in.
 * The server passes its commit hooks (the relay's nudge, refusal windows, the holdings index) and
 * group commit on SQLite; without options, one plain transaction per use case.
 */
export function createUnitOfWork(db: Db, o: Omit<UnitOfWorkOptions, 'features'> = {}): UnitOfWork {
  return createStoreUnitOfWork(db, { ...o, features: FEATURE_STORES });
}
