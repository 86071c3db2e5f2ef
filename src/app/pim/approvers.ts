import type { ApprovalStep } from '../../domain/pim/approval.js';
import type { Stores } from '../ports.js';
import { activeRoleIds } from '../authorization/authorize.js';
import { PIM_ADMIN_ROLES } from '../../domain/pim/permissions.js';

/**
 * Whether the user is a default approver at `now`: one who *holds* (direct or activated, not merely
 * eligible for) Privileged Role Administrator or Global Administrator at that instant.
 */
export async function isDefaultApprover(
  tx: Stores,
  tenantId: string,
  userId: string,
  now: number,
): Promise<boolean> {
  return (await activeRoleIds(tx, tenantId, userId, now)).some((r) => PIM_ADMIN_ROLES.includes(r));
}

/**
 * Whether the user approves this stage at `now`: named (`singleUser`), a member of a named group
 * (`groupMembers`, membership read now), or, when the stage names nobody, a default approver; and,
 * from the stage's escalation time on, its escalation approvers likewise. Whether the user is the
 * requestor is the caller's check (nobody approves their own request).
 */
export async function approvesStep(
  tx: Stores,
  step: ApprovalStep,
  userId: string,
  now: number,
): Promise<boolean> {
  const escalated = step.escalationAt !== null && step.escalationAt <= now;
  const named = escalated ? [...step.approvers, ...step.escalationApprovers] : step.approvers;
  if (step.approvers.length === 0 && (await isDefaultApprover(tx, step.tenantId, userId, now))) return true;
  if (named.some((a) => a.type === 'user' && a.id === userId)) return true;
  if (!named.some((a) => a.type === 'group')) return false;
  const groups = new Set(await tx.groups.groupsOf(step.tenantId, userId));
  return named.some((a) => a.type === 'group' && groups.has(a.id));
}
