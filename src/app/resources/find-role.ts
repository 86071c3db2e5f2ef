import { findBuiltInResourceRole } from '../../domain/resources/built-in-resource-roles.js';
import type { ResourceRoleDefinition } from '../../domain/resources/resource-role.js';
import { isGuid } from '../../domain/shared/ids.js';
import type { Stores } from '../ports.js';

/** A resource role by id: Azure's built-ins first, then the tenant's custom roles. */
export async function findResourceRole(
  tx: Stores,
  tenantId: string,
  id: string,
): Promise<ResourceRoleDefinition | undefined> {
  if (!isGuid(id)) return undefined;
  return findBuiltInResourceRole(id) ?? (await tx.resourceRoles.get(tenantId, id.toLowerCase()));
}
