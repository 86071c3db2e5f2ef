import { AUDIT_ACTIVITIES as A } from './activities.js';
import type { AuditRecord, DomainEvent } from '../events/domain-event.js';

/** What a refused attempt was, apart from why it was refused. */
export type Attempted = Omit<AuditRecord, 'result' | 'resultReason'>;

/**
 * An attempt refused for lack of privilege, recorded as a `failure` of the activity it attempted.
 * Audit only.
 */
export const accessDenied = (attempt: Attempted, reason: string): DomainEvent => ({
  type: 'authorization.denied',
  audit: [{ ...attempt, result: 'failure', resultReason: reason }],
});

/** What a retention cut removed: the seqs (and the hash of the last) it deleted, and the policy. */
export interface PruneFacts {
  tenantId: string;
  firstSeq: number;
  throughSeq: number;
  throughHash: string;
  retentionDays: number;
}

/** Retention deleted exported entries; the signed prune record anchors what remains. Audit only. */
export const auditPruned = (p: PruneFacts): DomainEvent => ({
  type: 'audit.pruned',
  audit: [
    {
      activity: A.auditPrune,
      targets: [
        {
          id: p.tenantId,
          displayName: 'audit log',
          type: 'Directory',
          userPrincipalName: null,
          modifiedProperties: [],
        },
      ],
      additionalDetails: [
        { key: 'FirstPrunedSeq', value: String(p.firstSeq) },
        { key: 'ThroughSeq', value: String(p.throughSeq) },
        { key: 'ThroughHash', value: p.throughHash },
        { key: 'RetentionDays', value: String(p.retentionDays) },
      ],
    },
  ],
});
