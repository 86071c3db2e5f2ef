import type { PrincipalType } from '../../domain/directory/types.js';
import type { PimSubject } from '../../domain/pim/pim-events.js';
import type { ScheduleKind } from '../../domain/pim/types.js';
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

/**
 * The role and principal of a PIM event, named as they are now. `known` skips the lookup when the
 * caller already read them in this transaction.
 */
export async function subjectOf(
  tx: Stores,
  tenantId: string,
  kind: ScheduleKind,
  roleDefinitionId: string,
  principalId: string,
  principalType?: PrincipalType,
  known?: { roleName?: string | null; principal?: PrincipalRef | undefined },
): Promise<PimSubject> {
  const roleName =
    known?.roleName !== undefined
      ? known.roleName
      : ((await tx.roleDefinitions.get(tenantId, roleDefinitionId))?.displayName ?? null);
  const principal = known?.principal ?? (await loadPrincipal(tx, tenantId, principalId, principalType));
  return {
    kind,
    role: { id: roleDefinitionId, displayName: roleName },
    principal: {
      id: principalId,
      type: principal?.type ?? principalType,
      displayName: principal?.displayName ?? null,
      userPrincipalName: principal?.userPrincipalName ?? null,
    },
  };
}
