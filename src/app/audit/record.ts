import type { TargetResource } from '../../domain/audit/entry.js';
import { principalTarget } from '../../domain/audit/targets.js';
import type { PrincipalType } from '../../domain/directory/types.js';
import type { Stores } from '../ports.js';

/** A user, group or service principal as an audit target, named as it is now. */
export async function principalTargetOf(
  tx: Stores,
  tenantId: string,
  id: string,
  type?: PrincipalType,
): Promise<TargetResource> {
  const user = type === undefined || type === 'user' ? await tx.users.get(tenantId, id) : undefined;
  if (user) return principalTarget('user', id, user.displayName, user.userPrincipalName);
  const group = type === undefined || type === 'group' ? await tx.groups.get(tenantId, id) : undefined;
  if (group) return principalTarget('group', id, group.displayName);
  const sp =
    type === undefined || type === 'servicePrincipal'
      ? await tx.servicePrincipals.get(tenantId, id)
      : undefined;
  if (sp) return principalTarget('servicePrincipal', id, sp.displayName);
  return principalTarget(type, id);
}
