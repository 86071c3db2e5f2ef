import type { AuditActivity } from '../../domain/audit/activities.js';
import { auditDraft } from '../../domain/audit/draft.js';
import type { KeyValue } from '../../domain/audit/entry.js';
import type { RuleFailure } from '../../domain/pim/policy-failure.js';
import type { Window } from '../../domain/pim/types.js';
import { initiatorOf } from '../audit/record.js';
import type { Caller } from '../authorization/caller.js';
import type { Stores, UnitOfWork } from '../ports.js';
import { acceptedActivities, requestedActivity } from '../../domain/pim/activities.js';
import { pimTargets, type PimChange } from './audit-entries.js';
import { isSelfAction, type CreateScheduleRequest, type Gathered } from './gather.js';
import { mfaSatisfied } from './mfa.js';
import type { Schedule, ScheduleRequest } from '../../domain/pim/schedule.js';
import { WINDOWED } from '../../domain/pim/windowed.js';

/** Why a request was refused, kept to record it after the refused transaction rolled back. */
export interface Refusal {
  error: Error;
  gathered?: Gathered;
  failures: readonly RuleFailure[];
}

/** The change as audit entries name it. */
function changeOf(
  cmd: CreateScheduleRequest,
  g: Pick<Gathered, 'role' | 'principal'> | undefined,
  objectId: string,
  window: Window | null | undefined,
  status: string,
  details: KeyValue[],
): PimChange {
  return {
    kind: cmd.kind,
    role: { id: g?.role.id ?? cmd.roleDefinitionId, displayName: g?.role.displayName ?? null },
    principal: {
      id: cmd.principalId,
      type: g?.principal.type,
      displayName: g?.principal.displayName ?? null,
      userPrincipalName: g?.principal.userPrincipalName ?? null,
    },
    objectId,
    objectType: 'request',
    window,
    status,
    details,
  };
}

function detailsOf(
  caller: Caller,
  cmd: CreateScheduleRequest,
  g: Gathered | undefined,
  now: number,
): KeyValue[] {
  const details: KeyValue[] = [{ key: 'Action', value: cmd.action }];
  if (isSelfAction(cmd.action)) {
    details.push({ key: 'IsAuthenticatedWithMfa', value: String(mfaSatisfied(caller, now)) });
  }
  if (g?.eligibility) {
    details.push({ key: 'EligibilityScheduleId', value: g.eligibility.schedule.id });
    details.push({ key: 'MemberType', value: g.eligibility.memberType });
  }
  return details;
}

const ticketText = (cmd: CreateScheduleRequest): string | null => {
  const text = [cmd.ticketInfo?.ticketSystem, cmd.ticketInfo?.ticketNumber].filter(Boolean).join(' ');
  return text === '' ? null : text;
};

export async function appendAudit(
  tx: Stores,
  newId: () => string,
  caller: Caller,
  cmd: CreateScheduleRequest,
  g: Gathered,
  request: ScheduleRequest,
  written: Schedule | Window | null,
  now: number,
): Promise<void> {
  const initiatedBy = await initiatorOf(tx, caller);
  const schedule = written !== null && 'id' in written ? written : null;
  const window = schedule?.window ?? (written as Window | null);
  const details = [
    { key: 'RequestId', value: request.id },
    ...(schedule ? [{ key: 'ScheduleId', value: schedule.id }] : []),
    ...detailsOf(caller, cmd, g, now),
  ];
  // Permanent or time-bound: what was assigned, or for a removal what is being removed.
  const lasting = g.target !== null && !WINDOWED.has(cmd.action) ? g.target.window : window;
  const activities: AuditActivity[] = acceptedActivities(cmd.kind, cmd.action, request.status, lasting);
  for (const activity of activities) {
    const change = changeOf(cmd, g, request.id, window, request.status, details);
    await tx.audit.append(
      auditDraft({
        id: newId(),
        tenantId: caller.tenantId,
        now,
        activity,
        initiatedBy,
        context: { userAgent: caller.userAgent, amr: caller.amr, correlationId: caller.correlationId },
        targets: pimTargets(change),
        additionalDetails: change.details,
        justification: cmd.justification,
        ticket: ticketText(cmd),
      }),
    );
  }
}

/** A refused request leaves a `failure` entry (and nothing else) in a transaction of its own. */
export async function recordRefusal(
  deps: { uow: UnitOfWork; newId: () => string },
  caller: Caller,
  cmd: CreateScheduleRequest,
  refusal: Refusal,
  window: Window | null,
  now: number,
): Promise<void> {
  const g = refusal.gathered;
  const reasons = refusal.failures.map((f) => `${f.rule}: ${f.reason}`);
  const resultReason = [refusal.error.message, ...reasons].join(' ');
  const asked = window ?? g?.target?.window ?? null;
  await deps.uow.run(async (tx) => {
    const change = changeOf(cmd, g, deps.newId(), asked, 'Failed', detailsOf(caller, cmd, g, now));
    await tx.audit.append(
      auditDraft({
        id: deps.newId(),
        tenantId: caller.tenantId,
        now,
        activity: requestedActivity(cmd.kind, cmd.action, asked),
        initiatedBy: await initiatorOf(tx, caller),
        context: { userAgent: caller.userAgent, amr: caller.amr, correlationId: caller.correlationId },
        targets: pimTargets(change),
        additionalDetails: change.details,
        justification: cmd.justification,
        ticket: ticketText(cmd),
        result: 'failure',
        resultReason,
      }),
    );
  });
}
