import { randomBytes } from 'node:crypto';
import { makeAuditLog } from '../../src/app/audit/audit-log.js';
import { AUDIT_ACTIVITIES } from '../../src/domain/audit/activities.js';
import { auditDraft, SYSTEM_INITIATOR } from '../../src/domain/audit/draft.js';
import type { AuditDraft } from '../../src/domain/audit/entry.js';
import { newId } from '../../src/domain/shared/ids.js';
import { ManualClock } from '../../src/domain/time/clock.js';
import { auditKeyring } from '../../src/store/audit/audit-keyring.js';
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
  options: { poolSize?: number; batchSize?: number; entryHashWindow?: number } = {},
) {
  const db = await freshDb(options.poolSize ? { pgPoolSize: options.poolSize } : {});
  const clock = new ManualClock(T0);
  await migrate(db, { clock });
  const uow = createUnitOfWork(db);
  const dataKey = randomBytes(32);
  const log = makeAuditLog({
    uow,
    clock,
    keyring: auditKeyring(db.kysely, createSecretBox(dataKey)),
    ...(options.batchSize ? { batchSize: options.batchSize } : {}),
    ...(options.entryHashWindow ? { entryHashWindow: options.entryHashWindow } : {}),
  });
  return {
    db,
    uow,
    clock,
    log,
    dataKey,
    /** Appends `count` entries to the tenant's chain, one transaction each. */
    async seed(tenantId: string, count: number, from = 1) {
      for (let n = from; n < from + count; n += 1) await uow.run((tx) => tx.audit.append(draft(tenantId, n)));
    },
    close: () => db.drop(),
  };
}

export type AuditFixture = Awaited<ReturnType<typeof auditFixture>>;
