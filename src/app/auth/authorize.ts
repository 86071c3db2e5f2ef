import { grants } from '../../domain/directory/app-permissions.js';
import { ForbiddenError } from '../../domain/shared/errors.js';
import type { Stores } from '../ports.js';
import type { Caller } from './caller.js';

/** What an operation needs: any one of the app permissions (apps) or any one active role (users). */
export interface Requirement {
  appPermissions: readonly string[];
  roles: readonly string[];
}

/**
 * Template ids of the directory roles active for the principal *now*: direct assignments and
 * those held through group membership. (PIM instances join this set once the PIM core lands.)
 */
export async function activeRoleIds(tx: Stores, tenantId: string, principalId: string): Promise<string[]> {
  const groups = await tx.groups.groupsOf(tenantId, principalId);
  return tx.roleAssignments.roleIdsOf(tenantId, [principalId, ...groups]);
}

/**
 * Checks the caller against a requirement, reading roles from live state in the same transaction.
 * @throws ForbiddenError (`Authorization_RequestDenied`)
 */
export async function authorize(tx: Stores, caller: Caller, need: Requirement): Promise<void> {
  if (caller.kind === 'app') {
    if (need.appPermissions.some((p) => grants(caller.appPermissions, p))) return;
    throw new ForbiddenError();
  }
  const roles = await activeRoleIds(tx, caller.tenantId, caller.id);
  if (need.roles.some((r) => roles.includes(r))) return;
  throw new ForbiddenError();
}
