import type { StoreBinder } from '../unit-of-work.js';
import { connectorStore } from './connector-store.js';
import { targetGrantStore } from './grant-store.js';
import './rows.js';

/** The connector stores (see `app/connectors/ports.ts`). */
export const connectorStores: StoreBinder = (db) => ({
  connectors: connectorStore(db),
  targetGrants: targetGrantStore(db),
});
