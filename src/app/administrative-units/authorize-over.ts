import type { Requirement } from '../../domain/authorization/requirement.js';
import { unitScope } from '../../domain/directory/administrative-unit.js';
import { ForbiddenError } from '../../domain/shared/errors.js';
import { authorize } from '../authorization/authorize.js';
import type { Caller } from '../authorization/caller.js';
import { memberGroupsAt } from '../directory/member-groups.js';
import type { Stores } from '../ports.js';

/**
 * The directory roles a principal holds now at the administrative units `objectId` is a direct
 * member of (directly, by PIM, or through a group it is a member of now), with the unit's scope.
 */
export async function rolesOverObject(
  tx: Stores,
  tenantId: string,
  principalId: string,
  objectId: string,
  now: number,
): Promise<{ roleDefinitionId: string; directoryScopeId: string }[]> {
  const units = await tx.administrativeUnits.unitsOf(tenantId, objectId);
  if (units.length === 0) return [];
  const groups = await memberGroupsAt(tx, tenantId, principalId, now);
  return tx.administrativeUnits.rolesHeldAt(tenantId, [principalId, ...groups], units.map(unitScope), now);
}

/**
 * `authorize` for an action on one directory object: a role the requirement names held
 * tenant-wide, or held at an administrative unit the object is a member of (ADR 0042: a User
 * Administrator of a unit manages the unit's users, and no one else). Applications act by their
 * permissions, which are tenant-wide.
 * @throws ForbiddenError (`Authorization_RequestDenied`)
 */
export async function authorizeOver(
  tx: Stores,
  caller: Caller,
  need: Requirement,
  now: number,
  objectId: string,
): Promise<void> {
  try {
    await authorize(tx, caller, need, now);
    return;
  } catch (e) {
    if (!(e instanceof ForbiddenError) || caller.kind === 'app') throw e;
  }
  const held = await rolesOverObject(tx, caller.tenantId, caller.id, objectId, now);
  if (held.some((h) => need.roles.includes(h.roleDefinitionId))) return;
  throw new ForbiddenError();
}
