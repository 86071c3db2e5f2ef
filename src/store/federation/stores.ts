import type { StoreBinder } from '../unit-of-work.js';
import { externalIdentityStore } from './external-identity-store.js';

/** Federation's stores (see `app/federation/ports.ts`). */
export const federationStores: StoreBinder = (db) => ({ externalIdentities: externalIdentityStore(db) });
