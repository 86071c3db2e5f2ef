import type { Kysely } from 'kysely';
import { newEventLog, writeRecordedEvents, type WrittenEvents } from '../app/events/event-log.js';
import type { RefusalWindows } from '../app/events/refusal-windows.js';
import type { Stores, UnitOfWork } from '../app/ports.js';
import { newId } from '../domain/shared/ids.js';
import { auditStore, type AuditHeads } from './audit/audit-store.js';
import type { HoldingsCommitHook } from './authzen/holdings-source.js';
import type { Db, Dialect } from './db.js';
import { makeGroupCommit, type GroupCommitObserver, type Prepare, type Prepared } from './group-commit.js';
import { outboxStore } from './outbox/outbox-store.js';
import { isStalePreparedStatement } from './pg-prepared.js';
import { readOnlyPlugin, ReadOnlyError } from './read-only.js';
import { groupStore } from './directory/group-store.js';
import { tenantStore } from './directory/tenant-store.js';
import { policyStore } from './policies/policy-store.js';
import { rememberingGets } from './remembered-gets.js';
import { systemStateStore } from './system-state-store.js';
import { roleAssignmentStore, roleDefinitionStore } from './roles/role-store.js';
import type { Database } from './schema.js';
import { servicePrincipalStore } from './directory/service-principal-store.js';
import { userStore } from './directory/user-store.js';

/** Binds a feature's own stores (see `Stores`) to a Kysely handle; declared by its module. */
export type StoreBinder = (db: Kysely<Database>) => Partial<Stores>;

/**
 * Stores bound to one Kysely handle (a transaction, in use cases): the kernel's, then each
 * feature's. A feature missing from `features` leaves its stores undefined, so the composition
 * root passes every module's binder (`src/modules/unit-of-work.ts`). `auditHeads` are the chain
 * heads the unit of work's transactions last wrote (see `AuditHeads`).
 */
export function bindStores(
  db: Kysely<Database>,
  features: readonly StoreBinder[],
  dialect: Dialect,
  auditHeads?: AuditHeads,
): Stores {
  const kernel = {
    tenants: tenantStore(db),
    users: rememberingGets(userStore(db)),
    groups: groupStore(db),
    servicePrincipals: rememberingGets(servicePrincipalStore(db)),
    roleDefinitions: roleDefinitionStore(db),
    roleAssignments: roleAssignmentStore(db),
    policies: policyStore(db),
    systemState: systemStateStore(db),
    audit: auditStore(db, auditHeads),
    events: newEventLog(),
    outbox: outboxStore(db, { numberAtInsert: dialect === 'sqlite' }),
  };
  return Object.assign(kernel, ...features.map((bind) => bind(db))) as Stores;
}

/** Most times one unit of work runs when the database aborts it as a deadlock or serialization failure. */
export const MAX_UNIT_OF_WORK_ATTEMPTS = 5;

/**
 * SQLSTATE 40001 (serialization failure: what SERIALIZABLE engines such as CockroachDB raise when two
 * transactions update the audit head at once), 40P01 (deadlock detected), and a prepared statement
 * whose table changed shape (ADR 0055: prepared again, under a new name, on the next run). Each
 * means "nothing was written, run it again"; a use case is one pure transaction (no I/O outside the
 * database), so it can.
 */
const isTransientAbort = (e: unknown): boolean => {
  const code = (e as { code?: unknown } | null)?.code;
  return code === '40001' || code === '40P01' || isStalePreparedStatement(e);
};

/** Group commit on SQLite: at most this many use cases share one `COMMIT` (ADR 0050). */
export const DEFAULT_GROUP_COMMIT_MAX_MEMBERS = 32;

export interface UnitOfWorkOptions {
  /** The features' store binders (every module's). */
  features: readonly StoreBinder[];
  /** Called after a commit that wrote outbox messages (the relay's `nudge`); never inside it. */
  messagesCommitted?: () => void;
  /** Repeated identical refusals recorded once, then summarised (the server's; none elsewhere). */
  refusals?: RefusalWindows;
  /**
   * Keeps the server's in-memory holdings index current: around every commit that recorded
   * events (every write use case does), so that the use case returns only once the index
   * reflects what it wrote (`src/store/authzen/holdings-source.ts`).
   */
  holdings?: HoldingsCommitHook;
  /**
   * SQLite only: concurrent use cases share one transaction and one durable `COMMIT`, each in a
   * savepoint of its own, at most `maxMembers` of them (docs/adr/0050-sqlite-group-commit.md).
   * Absent or `maxMembers` 1: one transaction per use case. PostgreSQL ignores it (it commits
   * concurrent transactions together already).
   */
  groupCommit?: { maxMembers: number; observer?: GroupCommitObserver };
}

/**
 * One use case, one transaction. On SQLite a single connection serializes transactions (and, with
 * `groupCommit`, several use cases share one); on PostgreSQL each runs at READ COMMITTED and
 * correctness comes from compare-and-set and unique constraints, never from row locks in shared
 * code. Audit appends queue on the chain head row (docs/adr/0005-audit-chain-serialization.md); a
 * transaction the database aborts as transient is retried a few times with a short random pause.
 * The events the work recorded become audit entries (and outbox messages) in the same
 * transaction, just before it commits.
 */
export function createStoreUnitOfWork(db: Db, o: UnitOfWorkOptions): UnitOfWork {
  // The chain heads this unit of work's transactions last wrote: a guess each append checks.
  const auditHeads: AuditHeads = new Map();
  /** The use case's work and its events, inside `trx`; what to do once its fate is known. */
  const prepare =
    <T>(work: (tx: Stores) => Promise<T>): Prepare<T> =>
    async (trx) => {
      let written: WrittenEvents | undefined;
      try {
        const tx = bindStores(trx, o.features, db.dialect, auditHeads);
        const result = await work(tx);
        const recorded = tx.events.drain();
        const wrote = recorded.length > 0;
        written = await writeRecordedEvents(tx, recorded, newId, o.refusals);
        const holdingChanges = wrote && o.holdings ? await o.holdings.beforeCommit(trx) : undefined;
        const settled = written;
        return {
          result,
          async committed() {
            settled.settle(true);
            if (wrote && o.holdings) await o.holdings.afterCommit(holdingChanges);
            if (settled.messages > 0) o.messagesCommitted?.();
          },
          rolledBack: () => settled.settle(false),
        };
      } catch (e) {
        written?.settle(false);
        throw e;
      }
    };

  const reader = db.kysely.withPlugin(readOnlyPlugin);
  async function read<T>(work: (db: Stores) => Promise<T>): Promise<T> {
    const stores = bindStores(reader, o.features, db.dialect);
    const result = await work(stores);
    if (stores.events.drain().length > 0) throw new ReadOnlyError('recorded event');
    return result;
  }

  const maxMembers = o.groupCommit?.maxMembers ?? 1;
  if (db.dialect === 'sqlite' && maxMembers > 1) {
    const group = makeGroupCommit(db.kysely, { maxMembers, observer: o.groupCommit?.observer });
    return { run: (work) => group.run(prepare(work)), read };
  }

  return {
    read,
    async run<T>(work: (tx: Stores) => Promise<T>): Promise<T> {
      for (let attempt = 1; ; attempt += 1) {
        let prepared: Prepared<T> | undefined;
        try {
          await db.kysely.transaction().execute(async (trx) => {
            prepared = await prepare(work)(trx);
          });
        } catch (e) {
          prepared?.rolledBack();
          if (attempt >= MAX_UNIT_OF_WORK_ATTEMPTS || !isTransientAbort(e)) throw e;
          await new Promise((resolve) => setTimeout(resolve, Math.random() * 10 * attempt));
          continue;
        }
        await prepared!.committed();
        return prepared!.result;
      }
    },
  };
}
