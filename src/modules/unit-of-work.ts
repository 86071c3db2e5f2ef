import type { UnitOfWork } from '../app/ports.js';
import type { Db } from '../store/db.js';
import { createStoreUnitOfWork } from '../store/unit-of-work.js';
import { FEATURE_STORES } from './index.js';

/**
 * A unit of work over every feature's stores: what the server, the CLI and tests run use cases in.
 * @param messagesCommitted called after a commit that wrote outbox messages (the relay's nudge)
 */
export function createUnitOfWork(db: Db, messagesCommitted?: () => void): UnitOfWork {
  return createStoreUnitOfWork(db, {
    features: FEATURE_STORES,
    ...(messagesCommitted === undefined ? {} : { messagesCommitted }),
  });
}
