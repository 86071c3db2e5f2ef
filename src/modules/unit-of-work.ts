import type { UnitOfWork } from '../app/ports.js';
import type { RefusalWindows } from '../app/events/refusal-windows.js';
import type { Db } from '../store/db.js';
import { createStoreUnitOfWork } from '../store/unit-of-work.js';
import { FEATURE_STORES } from './index.js';

/**
 * A unit of work over every feature's stores: what the server, the CLI and tests run use cases in.
 * @param messagesCommitted called after a commit that wrote outbox messages (the relay's nudge)
 * @param refusals the server's refusal windows (repeated identical refusals summarised)
 */
export function createUnitOfWork(
  db: Db,
  messagesCommitted?: () => void,
  refusals?: RefusalWindows,
): UnitOfWork {
  return createStoreUnitOfWork(db, {
    features: FEATURE_STORES,
    ...(messagesCommitted === undefined ? {} : { messagesCommitted }),
    ...(refusals === undefined ? {} : { refusals }),
  });
}
