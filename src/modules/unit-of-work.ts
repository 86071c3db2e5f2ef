import type { UnitOfWork } from '../app/ports.js';
import type { RefusalWindows } from '../app/events/refusal-windows.js';
import type { Db } from '../store/db.js';
import { createStoreUnitOfWork } from '../store/unit-of-work.js';
import type { HoldingsCommitHook } from '../store/authzen/holdings-source.js';
import { FEATURE_STORES } from './index.js';

/**
 * A unit of work over every feature's stores: what the server, the CLI and tests run use cases in.
 * @param messagesCommitted called after a commit that wrote outbox messages (the relay's nudge)
 * @param refusals the server's refusal windows (repeated identical refusals summarised)
 * @param holdings keeps the server's holdings index current on commit
 */
export function createUnitOfWork(
  db: Db,
  messagesCommitted?: () => void,
  refusals?: RefusalWindows,
  holdings?: HoldingsCommitHook,
): UnitOfWork {
  return createStoreUnitOfWork(db, {
    features: FEATURE_STORES,
    ...(holdings === undefined ? {} : { holdings }),
    ...(messagesCommitted === undefined ? {} : { messagesCommitted }),
    ...(refusals === undefined ? {} : { refusals }),
  });
}
