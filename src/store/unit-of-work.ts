import type { Kysely } from 'kysely';
import type { Stores, UnitOfWork } from '../app/ports.js';
import type { Db } from './db.js';
import { groupStore } from './group-store.js';
import { policyStore, systemStateStore, tenantStore } from './misc-stores.js';
import { roleAssignmentStore, roleDefinitionStore } from './role-store.js';
import type { Database } from './schema.js';
import { servicePrincipalStore } from './service-principal-store.js';
import { userStore } from './user-store.js';

/** Stores bound to one Kysely handle (a transaction, in use cases). */
export function bindStores(db: Kysely<Database>): Stores {
  return {
    tenants: tenantStore(db),
    users: userStore(db),
    groups: groupStore(db),
    servicePrincipals: servicePrincipalStore(db),
    roleDefinitions: roleDefinitionStore(db),
    roleAssignments: roleAssignmentStore(db),
    policies: policyStore(db),
    systemState: systemStateStore(db),
  };
}

/**
 * One use case, one transaction. On SQLite a single connection serializes transactions;
 * on PostgreSQL each runs at READ COMMITTED and correctness comes from compare-and-set and
 * unique constraints, never from row locks in shared code.
 */
export function createUnitOfWork(db: Db): UnitOfWork {
  return {
    run: (work) => db.kysely.transaction().execute((trx) => work(bindStores(trx))),
  };
}
