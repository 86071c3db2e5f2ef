import type { AuditActivity } from '../../domain/audit/activities.js';
import type { KeyValue, ModifiedProperty, TargetResource } from '../../domain/audit/entry.js';
import { auditValue, principalTarget, roleTarget } from '../../domain/audit/targets.js';
import type { PrincipalType } from '../../domain/directory/types.js';
import type { ScheduleKind, Window } from '../../domain/pim/types.js';
import { formatDateTime } from '../../domain/time/datetime.js';
import type { Stores } from '../ports.js';

/** A principal as PIM needs to name and check it. */
export interface PrincipalRef {
  id: string;
  type: PrincipalType;
  displayName: string | null;
  userPrincipalName: string | null;
  /** Groups only: whether it may hold roles. */
  isAssignableToRole: boolean;
}

/** The user, group or service principal with this id in the tenant, or undefined. */
export async function loadPrincipal(
  tx: Stores,
  tenantId: string,
  id: string,
  /** The principal's type when known (schedules record it): one lookup instead of up to three. */
  type?: PrincipalType,
): Promise<PrincipalRef | undefined> {
  const user = type === undefined || type === 'user' ? await tx.users.get(tenantId, id) : undefined;
  if (user) {
    return {
      id,
      type: 'user',
      displayName: user.displayName,
      userPrincipalName: user.userPrincipalName,
      isAssignableToRole: false,
    };
  }
  const group = type === undefined || type === 'group' ? await tx.groups.get(tenantId, id) : undefined;
  if (group) {
    return {
      id,
      type: 'group',
      displayName: group.displayName,
      userPrincipalName: null,
      isAssignableToRole: group.isAssignableToRole,
    };
  }
  const sp =
    type === undefined || type === 'servicePrincipal'
      ? await tx.servicePrincipals.get(tenantId, id)
      : undefined;
  if (sp)
    return {
      id,
      type: 'servicePrincipal',
      displayName: sp.displayName,
      userPrincipalName: null,
      isAssignableToRole: false,
    };
  return undefined;
}

const when = (ms: number | null | undefined): string => auditValue(ms == null ? null : formatDateTime(ms));

/** What one PIM audit entry names: the role, the principal and the request (or schedule). */
export interface PimChange {
  kind: ScheduleKind;
  role: { id: string; displayName: string | null };
  principal: {
    id: string;
    type: PrincipalType | undefined;
    displayName: string | null;
    userPrincipalName: string | null;
  };
  /** The request's id, or for the sweeper the schedule's. */
  objectId: string;
  objectType: 'request' | 'schedule';
  window: Window | null | undefined;
  status: string;
  details: KeyValue[];
}

/**
 * The targets of a PIM entry as Entra lists them (role, then principal), plus the request or
 * schedule as an `Other` target, so `targetResources/any(t: t/id eq '{requestId}')` finds every
 * entry about one request. Its modified properties carry the window and the status.
 */
export function pimTargets(change: PimChange): TargetResource[] {
  const props: ModifiedProperty[] = [
    { displayName: 'Status', oldValue: null, newValue: auditValue(change.status) },
    { displayName: 'StartDateTime', oldValue: null, newValue: when(change.window?.start) },
    { displayName: 'EndDateTime', oldValue: null, newValue: when(change.window?.end) },
  ];
  const name =
    change.objectType === 'request'
      ? change.kind === 'eligibility'
        ? 'roleEligibilityScheduleRequest'
        : 'roleAssignmentScheduleRequest'
      : change.kind === 'eligibility'
        ? 'roleEligibilitySchedule'
        : 'roleAssignmentSchedule';
  return [
    roleTarget(change.role),
    principalTarget(
      change.principal.type,
      change.principal.id,
      change.principal.displayName,
      change.principal.userPrincipalName,
    ),
    {
      id: change.objectId,
      displayName: name,
      type: 'Other',
      userPrincipalName: null,
      modifiedProperties: props,
    },
  ];
}

/** Activity plus targets and details, ready for `changeEntry`. */
export function describeChange(activity: AuditActivity, change: PimChange) {
  return { activity, targets: pimTargets(change), additionalDetails: change.details };
}
