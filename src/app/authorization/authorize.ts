import { grants } from '../../domain/directory/app-permissions.js';
import { ForbiddenError } from '../../domain/shared/errors.js';
import type { Stores } from '../ports.js';
import type { Caller } from './caller.js';
import { memberGroupsAt } from '../directory/member-groups.js';
import type { Requirement } from '../../domain/authorization/requirement.js';

/**
 * Template ids of the directory roles active for the principal at `now`: direct assignments, and
 * PIM assignments (`Assigned` or `Activated`) at the tenant scope whose window holds at `now`
 * (`start <= now < end`, never waiting for the sweeper), each held directly or through group
 * membership (standing, or an active PIM for Groups membership: `memberGroupsAt`).
 */
export async function activeRoleIds(
  tx: Stores,
  tenantId: string,
  principalId: string,
  now: number,
): Promise<string[]> {
  const groups = await memberGroupsAt(tx, tenantId, principalId, now);
  const principals = [principalId, ...groups];
  // Tenant-wide only: a role held at an administrative unit reaches its members, not everyone.
  const direct = await tx.roleAssignments.roleIdsOf(tenantId, principals, '/');
  const pim = await tx.schedules.activeRoleIds(tenantId, principals, now);
  return [...new Set([...direct, ...pim])];
}

/**
 * Whether an application caller meets a requirement: by its permissions alone, which the caller
 * resolver read live for this request (no database read here).
 */
export function appMayAct(caller: Caller, need: Requirement): boolean {
  return caller.kind === 'app' && need.appPermissions.some((p) => grants(caller.appPermissions, p));
}

/**
 * Checks the caller against a requirement, reading roles from live state in the same transaction.
 * Pass the use case's `now` so that roles activated through PIM count (see `activeRoleIds`).
 * @throws ForbiddenError (`Authorization_RequestDenied`)
 */
export async function authorize(tx: Stores, caller: Caller, need: Requirement, now: number): Promise<void> {
  if (caller.kind === 'app') {
    if (appMayAct(caller, need)) return;
    throw new ForbiddenError();
  }
  const roles = await activeRoleIds(tx, caller.tenantId, caller.id, now);
  if (need.roles.some((r) => roles.includes(r))) return;
  throw new ForbiddenError();
}
