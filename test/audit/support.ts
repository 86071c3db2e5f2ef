import { randomBytes } from 'node:crypto';
import { makeAuditLog, VERIFY_BATCH_SIZE } from '../../src/app/audit/audit-log.js';
import type { ChainSpanVerifier } from '../../src/app/audit/ports.js';
import { AUDIT_ACTIVITIES } from '../../src/domain/audit/activities.js';
import { auditDraft, SYSTEM_INITIATOR } from '../../src/domain/audit/draft.js';
import type { Kysely } from 'kysely';
import type { AuditDraft } from '../../src/domain/audit/entry.js';
import { sealEntry } from '../../src/domain/audit/hash.js';
import type { Database } from '../../src/store/schema.js';
import type { VerifiedSpan } from '../../src/domain/audit/verify.js';
import { newId } from '../../src/domain/shared/ids.js';
import { ManualClock } from '../../src/domain/time/clock.js';
import { auditKeyring } from '../../src/store/audit/audit-keyring.js';
import { chainSpanVerifier } from '../../src/store/audit/chain-spans.js';
import { migrate } from '../../src/store/migrator.js';
import { createSecretBox } from '../../src/store/secret-box.js';
import { createUnitOfWork } from '../../src/modules/unit-of-work.js';
import { freshDb } from '../helpers/db.js';

export const T0 = Date.UTC(2026, 0, 1);

/** An audit draft for `tenantId`, number `n`, as a use case would append it. */
export const draft = (tenantId: string, n: number): AuditDraft =>
  auditDraft({
    id: newId(),
    tenantId,
    now: T0 + n,
    activity: AUDIT_ACTIVITIES.userUpdate,
    initiatedBy: SYSTEM_INITIATOR,
    targets: [
      {
        id: newId(),
        displayName: `user ${n}`,
        type: 'User',
        userPrincipalName: null,
        modifiedProperties: [],
      },
    ],
  });

/**
 * A fresh database with the audit log wired as in production: migrations, a unit of work, a
 * keyring sealed under a random data key, and a manual clock. PostgreSQL pools get `poolSize`
 * connections (the concurrency test needs at least 10).
 */
export async function auditFixture(
  options: {
    poolSize?: number;
    batchSize?: number;
    entryHashWindow?: number;
    /** Verify in spans of this many entries, checked by two worker threads (any chain length). */
    spanSize?: number;
  } = {},
) {
  const db = await freshDb({
    ...(options.poolSize ? { pgPoolSize: options.poolSize } : {}),
    // Worker threads cannot see an in-memory SQLite database.
    ...(options.spanSize ? { sqliteFile: true } : {}),
  });
  const clock = new ManualClock(T0);
  await migrate(db, { clock });
  const uow = createUnitOfWork(db);
  const dataKey = randomBytes(32);
  const keyring = auditKeyring(db.kysely, createSecretBox(dataKey));
  /** Every span outcome the workers reported, in order (undefined: a span with something wrong). */
  const spanOutcomes: (VerifiedSpan | undefined)[] = [];
  const workers = options.spanSize
    ? chainSpanVerifier(db, { workers: 2, batchSize: options.batchSize ?? VERIFY_BATCH_SIZE })
    : undefined;
  const spans: ChainSpanVerifier | undefined = workers && {
    parallelism: workers.parallelism,
    async *verify(tenantId, ranges, marks) {
      for await (const span of workers.verify(tenantId, ranges, marks)) {
        spanOutcomes.push(span);
        yield span;
      }
    },
  };
  const log = makeAuditLog({
    uow,
    clock,
    keyring,
    ...(options.batchSize ? { batchSize: options.batchSize } : {}),
    ...(options.entryHashWindow ? { entryHashWindow: options.entryHashWindow } : {}),
    ...(spans ? { spans, parallelFrom: 1, spanSize: options.spanSize } : {}),
  });
  return {
    db,
    uow,
    clock,
    log,
    /** The same audit log verifying in sequence on this thread, to compare results with. */
    sequentialLog: makeAuditLog({ uow, clock, keyring }),
    spanOutcomes,
    dataKey,
    /** Appends `count` entries to the tenant's chain, one transaction each. */
    async seed(tenantId: string, count: number, from = 1) {
      for (let n = from; n < from + count; n += 1) await uow.run((tx) => tx.audit.append(draft(tenantId, n)));
    },
    close: () => db.drop(),
  };
}

export type AuditFixture = Awaited<ReturnType<typeof auditFixture>>;

/** Inserts a well-formed entry (row, query columns, target rows) as a careful forger would. */
export async function insertForgedEntry(
  k: Kysely<Database>,
  tenantId: string,
  d: AuditDraft,
  seq: number,
  prevHash: string,
): Promise<void> {
  const { entry, payload, index } = sealEntry(d, seq, prevHash);
  await k
    .insertInto('audit_entries')
    .values({
      tenant_id: tenantId,
      seq,
      id: index.id,
      activity_at: index.activityAt,
      code: index.code,
      category: index.category,
      activity_display_name: index.activityDisplayName,
      operation_type: index.operationType,
      logged_by_service: index.loggedByService,
      result: index.result,
      initiated_by_user_id: index.initiatedByUserId,
      initiated_by_upn: index.initiatedByUpn,
      initiated_by_app_id: index.initiatedByAppId,
      correlation_id: index.correlationId,
      payload,
      prev_hash: prevHash,
      hash: entry.hash,
      chain_format: 2,
    })
    .execute();
  for (const t of index.targets)
    await k
      .insertInto('audit_targets')
      .values({ tenant_id: tenantId, seq, target_id: t.id, target_type: t.type, display_name: t.displayName })
      .execute();
}
