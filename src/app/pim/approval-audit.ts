import type { AuditActivity } from '../../domain/audit/activities.js';
import { auditDraft, SYSTEM_INITIATOR } from '../../domain/audit/draft.js';
import type { KeyValue } from '../../domain/audit/entry.js';
import type { Window } from '../../domain/pim/types.js';
import { initiatorOf } from '../audit/record.js';
import type { Caller } from '../authorization/caller.js';
import type { Stores } from '../ports.js';
import { loadPrincipal, pimTargets } from './audit-entries.js';
import type { ScheduleRequest } from '../../domain/pim/schedule.js';

/** One approval event of an activation request, as its audit entry records it. */
export interface ApprovalEvent {
  activity: AuditActivity;
  /** The approver (or canceler); `null` for the system (a timeout recorded by the sweeper). */
  actor: Caller | null;
  request: ScheduleRequest;
  /** The status the request has after the event. */
  status: string;
  window: Window | null;
  /** The approver's justification, when the event is a decision. */
  justification?: string | null;
  details?: KeyValue[];
  result?: 'success' | 'failure';
  resultReason?: string;
}

const ticketOf = (r: ScheduleRequest): string | null => {
  const text = [r.ticketInfo.ticketSystem, r.ticketInfo.ticketNumber].filter(Boolean).join(' ');
  return text === '' ? null : text;
};

/**
 * Appends the entry for an approval event in the caller's transaction: the approver as initiator,
 * the approver's justification as the entry's justification, the requestor's justification and
 * ticket alongside (`RequestorJustification`, ticket), the role and principal as targets.
 */
export async function appendApprovalAudit(tx: Stores, newId: () => string, now: number, e: ApprovalEvent) {
  const { request: r } = e;
  const role = await tx.roleDefinitions.get(r.tenantId, r.roleDefinitionId);
  const principal = await loadPrincipal(tx, r.tenantId, r.principalId);
  const details: KeyValue[] = [
    { key: 'RequestId', value: r.id },
    { key: 'ApprovalId', value: r.approvalId ?? r.id },
    ...(r.justification === null ? [] : [{ key: 'RequestorJustification', value: r.justification }]),
    ...(e.details ?? []),
  ];
  await tx.audit.append(
    auditDraft({
      id: newId(),
      tenantId: r.tenantId,
      now,
      activity: e.activity,
      initiatedBy: e.actor === null ? SYSTEM_INITIATOR : await initiatorOf(tx, e.actor),
      ...(e.actor === null
        ? {}
        : {
            context: {
              userAgent: e.actor.userAgent,
              amr: e.actor.amr,
              correlationId: e.actor.correlationId,
            },
          }),
      targets: pimTargets({
        kind: 'assignment',
        role: { id: r.roleDefinitionId, displayName: role?.displayName ?? null },
        principal: {
          id: r.principalId,
          type: principal?.type,
          displayName: principal?.displayName ?? null,
          userPrincipalName: principal?.userPrincipalName ?? null,
        },
        objectId: r.id,
        objectType: 'request',
        window: e.window,
        status: e.status,
        details: [],
      }),
      additionalDetails: details,
      justification: e.justification ?? null,
      ticket: ticketOf(r),
      ...(e.result === undefined ? {} : { result: e.result }),
      ...(e.resultReason === undefined ? {} : { resultReason: e.resultReason }),
    }),
  );
}
