import { auditPruned } from '../../domain/audit/audit-events.js';
import { SYSTEM_INITIATOR } from '../../domain/audit/draft.js';
import { signPrune } from '../../domain/audit/prune-record.js';
import type { Clock } from '../../domain/time/clock.js';
import type { AuditLog } from '../audit/audit-log.js';
import type { CheckpointKeyring } from '../audit/ports.js';
import type { UnitOfWork } from '../ports.js';
import type { AuditPruneStore, ExportCursorStore } from './ports.js';

const DAY_MS = 24 * 3_600_000;

export type PruneOutcome =
  { tenantId: string; pruned: number; throughSeq: number } | { tenantId: string; pruned: 0; skipped: string };

/**
 * Audit retention: deletes a tenant's entries older than `retentionDays`, but only those every
 * configured SIEM destination has accepted, and only from a chain that verifies. Before the cut it
 * signs a prune record (seq and hash of the last deleted entry), so `verify` starts from there and
 * the rest stays provable; the cut itself is audited. With no destination nothing is ever deleted.
 */
export function makeAuditRetention(deps: {
  uow: UnitOfWork;
  clock: Clock;
  audit: Pick<AuditLog, 'verifyTenant' | 'tenants'>;
  keyring: CheckpointKeyring;
  cursors: Pick<ExportCursorStore, 'cursor'>;
  prune: AuditPruneStore;
  destinationIds: readonly string[];
  retentionDays: number;
}) {
  async function pruneTenant(tenantId: string): Promise<PruneOutcome> {
    const now = deps.clock.now();
    if (deps.destinationIds.length === 0)
      return {
        tenantId,
        pruned: 0,
        skipped: 'no forwarding destination: nothing leaves before it is kept elsewhere',
      };
    const first = await deps.prune.firstSeq(tenantId);
    if (first === undefined) return { tenantId, pruned: 0, skipped: 'no entries' };
    let exported = Infinity;
    for (const id of deps.destinationIds)
      exported = Math.min(exported, await deps.cursors.cursor(id, tenantId));
    const young = await deps.prune.firstSeqAtOrAfter(tenantId, now - deps.retentionDays * DAY_MS);
    // Never the newest entry: the chain head must stay stored, so appends and verify keep their anchor.
    const head = await deps.uow.run((tx) => tx.audit.head(tenantId));
    const through = Math.min(exported, (young ?? Infinity) - 1, (head?.seq ?? 0) - 1);
    if (through < first)
      return { tenantId, pruned: 0, skipped: 'nothing old enough and exported everywhere' };

    const verified = await deps.audit.verifyTenant(tenantId);
    if (!verified.ok)
      return {
        tenantId,
        pruned: 0,
        skipped: `chain broken at seq ${verified.firstBadSeq}: kept as evidence`,
      };
    const record = (await deps.uow.run((tx) => tx.audit.chain(tenantId, through - 1, 1)))[0];
    if (record?.seq !== through) return { tenantId, pruned: 0, skipped: `entry ${through} not found` };
    const key = await deps.keyring.signingKey(now);
    const signed = signPrune(
      { tenantId, throughSeq: through, headHash: record.hash, prunedAt: now, keyId: key.keyId },
      key.privateKeyPem,
    );
    const pruned = await deps.uow.run(async (tx) => {
      await tx.audit.insertPrune(signed);
      const n = await tx.audit.deleteThrough(tenantId, through);
      tx.events.record(
        { tenantId, initiatedBy: SYSTEM_INITIATOR },
        now,
        auditPruned({
          tenantId,
          firstSeq: first,
          throughSeq: through,
          throughHash: record.hash,
          retentionDays: deps.retentionDays,
        }),
      );
      return n;
    });
    return { tenantId, pruned, throughSeq: through };
  }

  return {
    pruneTenant,
    async pruneAll(): Promise<PruneOutcome[]> {
      const out: PruneOutcome[] = [];
      for (const tenantId of await deps.audit.tenants()) out.push(await pruneTenant(tenantId));
      return out;
    },
  };
}

export type AuditRetention = ReturnType<typeof makeAuditRetention>;
